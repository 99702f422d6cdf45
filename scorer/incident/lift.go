package incident

import (
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
// run's LiftReason (grouping lifted events again changes nothing).
func LiftEvent(in *Incident, e *Event, floor float64) (score float64, reasons []string, lifted bool) {
	score, lifted = Lift(in, e.Score, floor)
	if !lifted {
		return score, e.Reasons, false
	}
	reasons = append(make([]string, 0, len(e.Reasons)+1), LiftReason(in, e.Score))
	for _, r := range e.Reasons {
		if !strings.HasPrefix(r, LiftPrefix) {
			reasons = append(reasons, r)
		}
	}
	return score, reasons, true
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
