package features

import (
	"fmt"
	"strings"
	"time"
)

// Set selects which derived fields a Deriver produces. Console sign-ins and API
// calls have different meaningful features; emitting all of them for every
// event would hand models constant columns, so callers pick a use case.
type Set string

// The feature sets. All is the union of Console and APICall.
const (
	Console Set = "console"
	APICall Set = "apicall"
	All     Set = "all"
)

// validSets is the ordered list used in error messages.
var validSets = []Set{Console, APICall, All}

// ParseSet parses a use-case name case-insensitively. The error quotes the bad
// value and lists the valid ones so a Splunk user can fix the search.
func ParseSet(s string) (Set, error) {
	v := Set(strings.ToLower(strings.TrimSpace(s)))
	for _, ok := range validSets {
		if v == ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("features: unknown feature set %q (valid: %s, %s, %s)", s, Console, APICall, All)
}

// Options configure the business-hours features.
//
// BusinessStart and BusinessEnd are local hours; an hour h is inside business
// hours when BusinessStart <= h < BusinessEnd. A window with Start > End wraps
// midnight (for example 22..6 for a night shift) and Start == End means no
// business hours at all. BusinessDays is indexed by time.Weekday (0 = Sunday).
type Options struct {
	Location      *time.Location
	BusinessStart int
	BusinessEnd   int
	BusinessDays  [7]bool
}

// DefaultOptions returns UTC, 08:00–18:00, Monday to Friday: the convention
// Security Content baselines use (isWeekend from %w) and a sane default for an
// organisation that has not configured its timezone.
func DefaultOptions() Options {
	return Options{
		Location:      time.UTC,
		BusinessStart: 8,
		BusinessEnd:   18,
		BusinessDays:  [7]bool{false, true, true, true, true, true, false},
	}
}

// isBusiness reports whether a local hour and weekday fall inside business time.
func (o Options) isBusiness(hour int, wd time.Weekday) bool {
	if !o.BusinessDays[wd] {
		return false
	}
	switch {
	case o.BusinessStart < o.BusinessEnd:
		return hour >= o.BusinessStart && hour < o.BusinessEnd
	case o.BusinessStart > o.BusinessEnd:
		return hour >= o.BusinessStart || hour < o.BusinessEnd
	default:
		return false
	}
}
