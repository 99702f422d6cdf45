package incident

import (
	"math/bits"
	"time"
)

// MaskDays is how many days a DayMask remembers: the 64 days ending at its
// last day. Habits need HabitDays (3) of them and training windows are 30.
const MaskDays = 64

// DayMask is the set of UTC days on which a principal called an API
// successfully, as a bitmask anchored at the latest day: bit i is day
// Last−i. Days more than MaskDays before Last fall off. Union is exact and
// independent of order: the window only moves forward, so a day dropped by
// one union would be dropped by any order of the same unions.
type DayMask struct {
	Last int64  `json:"last"` // Unix day (seconds/86400) of the latest day
	Bits uint64 `json:"bits"` // bit i: called on day Last−i
}

// Day is the Unix day of t (UTC), the unit of habits.
func Day(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d-- // floor, so that days before 1970 do not straddle 0
	}
	return d
}

// Add returns m with day d added.
func (m DayMask) Add(d int64) DayMask { return m.Union(DayMask{Last: d, Bits: 1}) }

// Union returns the days of m and o.
func (m DayMask) Union(o DayMask) DayMask {
	if m.Bits == 0 {
		return o
	}
	if o.Bits == 0 {
		return m
	}
	if o.Last > m.Last {
		m, o = o, m
	}
	if sh := m.Last - o.Last; sh < MaskDays {
		m.Bits |= o.Bits << uint(sh)
	}
	return m
}

// Days counts the days in m.
func (m DayMask) Days() int { return bits.OnesCount64(m.Bits) }

// First is the earliest day in m (m.Last when m is empty).
func (m DayMask) First() int64 {
	if m.Bits == 0 {
		return m.Last
	}
	return m.Last - int64(63-bits.LeadingZeros64(m.Bits))
}

// PrincipalHistory is what earlier searches learned of one principal: for
// each API, the days on which it called it successfully (see package
// models/history, which trains it from the events of past days).
type PrincipalHistory struct {
	Principal Principal // Object, Kind and Account: the grouping key and the peer group
	APIs      map[string]DayMask
}

// seed starts the Grouper's habits and peer groups from cfg.History, so
// that an incident scored in a search over a few hours is judged against the
// days before it as in a search over the whole month; the search's own
// incidents are then learned on top.
func (g *Grouper) seed(hist []PrincipalHistory) {
	for _, ph := range hist {
		if ph.Principal.Object == "" || ph.Principal.Kind == KindSource {
			continue
		}
		k := ph.Principal.key()
		h := g.habits[k]
		if h == nil {
			h = map[string]*habit{}
			g.habits[k] = h
			pk := peerKey{ph.Principal.Account, ph.Principal.Kind}
			g.peers[pk] = append(g.peers[pk], k)
		}
		for api, m := range ph.APIs {
			if m.Bits == 0 {
				continue
			}
			if x := h[api]; x != nil {
				x.DayMask = x.Union(m)
			} else {
				h[api] = &habit{m}
			}
		}
	}
}
