package incident

import (
	"net/netip"
	"strconv"
	"strings"
)

// Lift is an event's score in its session, the per-event view of an
// incident: an analyst who finds the third step of a privilege escalation
// judges it by the escalation, not by the call alone, and Enterprise
// Security's risk-based alerting likewise adds up a risk object's events. So
//
//	lifted = max(own, incident score)   when own ≥ floor
//	lifted = own                        otherwise
//
// The floor (Config.LiftFloor, 20) keeps the routine calls that happen to
// share a session with an attack (the instance role's own traffic around
// stolen-credential calls, a console user's page loads) at their own score:
// only an event that carries risk of its own takes the session's. On every
// generated world the benign events' median is 5 and their 90th percentile
// 16, so 20 is above routine work and below any evidence an incident counts.
// lifted reports whether the score changed.
func Lift(in *Incident, own, floor float64) (score float64, lifted bool) {
	if in == nil || floor <= 0 || own < floor || float64(in.Score) <= own {
		return own, false
	}
	return float64(in.Score), true
}

// LiftEvent is Lift for event e of incident in, with the reasons a lifted
// event carries: LiftReason first, then e's own reasons without an earlier
// run's LiftReason (grouping lifted events again changes nothing). actors is
// the incident's evidence contexts (EvidenceContexts): an event whose
// Context is not among them keeps its own score, since another actor on the
// same identity made the evidence (a stolen key used beside its owner's own
// work). An empty actors (no evidence event known by id) lifts as Lift alone.
func LiftEvent(in *Incident, e *Event, floor float64, actors map[string]struct{}) (score float64, reasons []string, lifted bool) {
	score, lifted = Lift(in, e.Score, floor)
	if lifted && len(actors) > 0 {
		_, lifted = actors[Context(e)]
	}
	if !lifted {
		return e.Score, e.Reasons, false
	}
	reasons = append(make([]string, 0, len(e.Reasons)+1), LiftReason(in, e.Score))
	for _, r := range e.Reasons {
		if !strings.HasPrefix(r, LiftPrefix) {
			reasons = append(reasons, r)
		}
	}
	return score, reasons, true
}

// Context names the actor behind event e as a SOC tells two users of one
// identity apart: its source address, or, when the address is not an IP (an
// AWS service calling on the principal's behalf, "AWS Internal"), the access
// key that signed the call (a console or role session has its own), else the
// user agent.
func Context(e *Event) string {
	if _, err := netip.ParseAddr(e.SourceIP); err == nil {
		return "ip:" + e.SourceIP
	}
	if e.AccessKey != "" {
		return "key:" + e.AccessKey
	}
	return "src:" + e.SourceIP + "|ua:" + e.UserAgent
}

// EvidenceContexts returns, for each incident of ins (of[i] is event i's, as
// GroupAll returns), the Contexts of its evidence events: the strongest
// event (Incident.Top), every event piece scoring ≥ cfg.CorroborateMin (a
// piece that corroborates on its own) and every one-call boost (a root act,
// a console password for another user, a chain's AssumeRole), found by
// eventID among the incident's own events. A weaker piece, such as the
// owner's one moderately risky call of the session, adds no context. One
// pass over the events, a map per incident with evidence ids.
func EvidenceContexts(ins []Incident, events []Event, of []int, cfg Config) []map[string]struct{} {
	cfg = cfg.withDefaults()
	type key struct {
		id string
		j  int
	}
	ids := make(map[key]struct{}) // (evidence eventID, incident)
	for j := range ins {
		if id := ins[j].Top.EventID; id != "" {
			ids[key{id, j}] = struct{}{}
		}
		for _, ev := range ins[j].Evidence {
			if ev.EventID != "" && (ev.Boost != "" || ev.Score >= cfg.CorroborateMin) {
				ids[key{ev.EventID, j}] = struct{}{}
			}
		}
	}
	out := make([]map[string]struct{}, len(ins))
	for i := range events {
		if of[i] < 0 || events[i].ID == "" {
			continue
		}
		if _, ok := ids[key{events[i].ID, of[i]}]; ok {
			j := of[i]
			if out[j] == nil {
				out[j] = make(map[string]struct{}, 2)
			}
			out[j][Context(&events[i])] = struct{}{}
		}
	}
	return out
}

// LiftPrefix starts every LiftReason.
const LiftPrefix = "part of incident "

// LiftReason is the reason put first in a lifted event's risk_reasons: the
// incident, its score and its strongest evidence, in plain words.
func LiftReason(in *Incident, own float64) string {
	var b strings.Builder
	b.WriteString(LiftPrefix)
	b.WriteString(in.ID)
	b.WriteString(" scoring ")
	b.WriteString(strconv.Itoa(in.Score))
	if best := strongest(in.Evidence); best != "" {
		b.WriteString(" (")
		b.WriteString(best)
		b.WriteString(")")
	}
	b.WriteString("; this event alone scored ")
	b.WriteString(strconv.FormatFloat(own, 'f', -1, 64))
	return b.String()
}

// strongest names the incident's highest-scoring piece of evidence.
func strongest(ev []Evidence) string {
	best := -1.0
	name := ""
	for _, e := range ev {
		if e.Score > best {
			best, name = e.Score, e.Name
		}
	}
	return name
}
