package incident

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDayMask: a DayMask is the set of days within MaskDays of its latest day, and unions give the
// same set in any order.
func TestDayMask(t *testing.T) {
	for _, c := range []struct {
		name  string
		days  []int64
		want  int   // Days()
		last  int64 // Last
		first int64 // First()
	}{
		{"empty", nil, 0, 0, 0},
		{"one day", []int64{100}, 1, 100, 100},
		{"same day twice counts once", []int64{100, 100}, 1, 100, 100},
		{"out of order", []int64{103, 100, 101, 100}, 3, 103, 100},
		{"63 days back is kept", []int64{200, 137}, 2, 200, 137},
		{"64 days back falls off", []int64{200, 136}, 1, 200, 200},
		{"an older day after the window moved is dropped", []int64{136, 200}, 1, 200, 200},
		{"negative days", []int64{-2, -1}, 2, -1, -2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var m DayMask
			for _, d := range c.days {
				m = m.Add(d)
			}
			require.Equal(t, c.want, m.Days())
			if c.want > 0 {
				require.Equal(t, c.last, m.Last)
				require.Equal(t, c.first, m.First())
			}
		})
	}
	require.Equal(t, int64(-1), Day(time.Unix(-1, 0)), "floor, not truncation, before 1970")
	require.Equal(t, int64(1), Day(time.Unix(86400, 0)))

	// Unions of random parts in random order equal the mask of all days.
	rng := rand.New(rand.NewPCG(11, 11))
	for range 200 {
		days := make([]int64, 1+rng.IntN(40))
		for i := range days {
			days[i] = 1000 + rng.Int64N(150)
		}
		var whole DayMask
		for _, d := range days {
			whole = whole.Add(d)
		}
		parts := make([]DayMask, 3)
		for _, d := range days {
			k := rng.IntN(3)
			parts[k] = parts[k].Add(d)
		}
		var merged DayMask
		for _, k := range rng.Perm(3) {
			merged = merged.Union(parts[k])
		}
		require.Equal(t, whole, merged, "days %v", days)
	}
}

// TestHistorySeeds: an API seeded with HabitDays days is a habit from the first incident (×0.6),
// one seeded by two peers of the same kind and account is peer routine, and without the seed
// neither is discounted; a seed of too few days, another account's peers or another kind change
// nothing.
func TestHistorySeeds(t *testing.T) {
	d0 := Day(t0)
	days := func(n int) DayMask {
		var m DayMask
		for i := 1; i <= n; i++ {
			m = m.Add(d0 - int64(i))
		}
		return m
	}
	hist := func(p Principal, n int) PrincipalHistory {
		return PrincipalHistory{Principal: p, APIs: map[string]DayMask{"AttachUserPolicy": days(n)}}
	}
	other := Principal{Object: "deploy", Type: "user", Kind: KindAssumedRole, Account: "999988887777"}
	user := Principal{Object: "alice", Type: "user", Kind: KindIAMUser, Account: acct}
	evs := []Event{ev(0, "AttachUserPolicy", 70)}
	const full = 70.0
	for _, c := range []struct {
		name string
		hist []PrincipalHistory
		want float64
	}{
		{"no history", nil, full},
		{"own habit", []PrincipalHistory{hist(role("deploy"), 3)}, 0.6 * full},
		{"two days are not a habit", []PrincipalHistory{hist(role("deploy"), 2)}, full},
		{"peer routine", []PrincipalHistory{hist(role("ci-a"), 3), hist(role("ci-b"), 4)}, 0.6 * full},
		{"one peer is not routine", []PrincipalHistory{hist(role("ci-a"), 3), hist(role("ci-b"), 2)}, full},
		{"the same name in another account is another principal", []PrincipalHistory{hist(other, 5)}, full},
		{"peers of another kind", []PrincipalHistory{hist(user, 3), hist(Principal{Object: "bob", Kind: KindIAMUser, Account: acct}, 3)}, full},
	} {
		t.Run(c.name, func(t *testing.T) {
			ins := group(t, Config{History: c.hist}, evs)
			require.Len(t, ins, 1)
			s, ok := evidenceNamed(ins[0], "AttachUserPolicy")
			require.True(t, ok)
			require.InDelta(t, c.want, s, 1e-9)
		})
	}

	// In-search learning continues on top of the seed: two seeded days and an incident on a
	// third make the API a habit for the next day's incident, as three in-search days would.
	seeded := []PrincipalHistory{hist(role("deploy"), 2)}
	two := []Event{ev(0, "AttachUserPolicy", 70), ev(24*60, "AttachUserPolicy", 70)}
	ins := group(t, Config{History: seeded}, two)
	require.Len(t, ins, 2)
	s, _ := evidenceNamed(ins[1], "AttachUserPolicy")
	require.InDelta(t, 0.6*full, s, 1e-9, "seeded days and the search's own add up")
	ins = group(t, Config{}, two)
	s, _ = evidenceNamed(ins[1], "AttachUserPolicy")
	require.InDelta(t, full, s, 1e-9, "one in-search day alone is no habit")
}

// TestHabitDaysOfCalls: an incident crossing midnight teaches both days of its successful calls
// (as the history model learns them from events), and a denied call teaches none.
func TestHabitDaysOfCalls(t *testing.T) {
	midnight := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration, opts ...func(*Event)) Event {
		e := ev(0, "PutRolePolicy", 70, opts...)
		e.Time = midnight.Add(d)
		return e
	}
	g := NewGrouper(Config{})
	for _, e := range []Event{at(-10 * time.Minute), at(10 * time.Minute), at(48*time.Hour, denied)} {
		_, err := g.Add(e)
		require.NoError(t, err)
	}
	g.Flush()
	h := g.habits[role("deploy").key()]["PutRolePolicy"]
	require.NotNil(t, h)
	require.Equal(t, 2, h.Days(), "the incident's calls fell on two days; the denied one counts none")
	require.Equal(t, Day(midnight), h.Last)
}

// TestEmitOrder: incidents closing together are emitted in a fixed order (last event, then
// account and principal), not the map's: each emit teaches the habits the next is judged by.
// Peers p1 (GetRole on 3 earlier days), p2 and p3 (2 days each) both call GetRole today and go
// quiet at the same time; p2 ends first, is judged with one peer habit (no discount) and its third
// day then makes p3's GetRole peer routine (×0.6). Run many times, the result never changes.
func TestEmitOrder(t *testing.T) {
	d0 := Day(t0)
	days := func(n int) map[string]DayMask {
		var m DayMask
		for i := 1; i <= n; i++ {
			m = m.Add(d0 - int64(i))
		}
		return map[string]DayMask{"GetRole": m}
	}
	hist := []PrincipalHistory{{role("p1"), days(3)}, {role("p2"), days(2)}, {role("p3"), days(2)}}
	evs := []Event{ev(0, "GetRole", 50, by(role("p2"))), ev(1, "GetRole", 50, by(role("p3"))), ev(200, "ListRoles", 1, by(role("p9")))}
	for range 30 {
		got := map[string]float64{}
		for _, in := range group(t, Config{History: hist}, evs) {
			if s, ok := evidenceNamed(in, "GetRole"); ok {
				got[in.RiskObject] = s
			}
		}
		// GetRole is read-only discovery (×0.6 already); peer routine adds ×0.6 for p3 only.
		require.Equal(t, map[string]float64{"p2": 0.6 * 50, "p3": 0.6 * 0.6 * 50}, got)
	}
}
