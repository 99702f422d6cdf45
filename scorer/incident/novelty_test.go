package incident

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/features"
)

// Reason texts as the baseline models write them.
const (
	rareIP    = "rare combination: sourceIPAddress=198.51.100.9 in 0% of 10151 events (log_event_prob -22.2 below the 0.01-quantile -21.2)"
	newIP     = "first time alice used sourceIPAddress=198.51.100.9 (seen 94 events since 2024-03-04, 3 sourceIPAddress values)"
	oddHour   = "ct_hour=3 is outside the usual range 8.1–18.2 for ct_principal=alice (p=0.001)"
	newPrinc  = "first time sso alice is seen (new principals are 2% of this kind's events)"
	supervise = "ct_api_impact=60 +5"
)

func TestNoveltyCauses(t *testing.T) {
	tests := []struct {
		name    string
		reasons []string
		causes  []string
		led     bool
	}{
		{"rare value", []string{rareIP}, []string{"sourceIPAddress=198.51.100.9"}, true},
		{"rare and first-seen value are one cause", []string{rareIP, newIP}, []string{"sourceIPAddress=198.51.100.9"}, true},
		{"unusual hour", []string{oddHour}, []string{"ct_hour=3"}, true},
		{"hour below any seen", []string{"ct_hour=5 is below the smallest value seen, 7 for ct_principal=alice"}, []string{"ct_hour=5"}, true},
		{"new principal", []string{newPrinc}, []string{"new principal"}, true},
		{"rarely used value", []string{"alice rarely uses eventName=SendCommand (2 of 900 events)"}, []string{"eventName=SendCommand"}, true},
		{"new session", []string{"first session s-1 of alice (4 sessions before)"}, []string{"new session s-1"}, true},
		{"new key", []string{"first use of long-term access key AKIAX by alice (1 keys before)"}, []string{"new key AKIAX"}, true},
		{"a denial leads: novelty present but not leading", []string{"alice was denied ListUsers (API impact 30)", newIP},
			[]string{"sourceIPAddress=198.51.100.9"}, false},
		{"supervised contribution is no novelty", []string{supervise}, nil, false},
		{"instance credentials off their address are no novelty",
			[]string{"instance credentials of i-1 used from 52.0.0.1, an address the instance never used (1 known)"}, nil, false},
		{"no reasons", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			causes, led := noveltyCauses(tt.reasons)
			require.Equal(t, tt.causes, causes)
			require.Equal(t, tt.led, led)
		})
	}
}

func TestMergeNovelty(t *testing.T) {
	ip, hour := []string{"sourceIPAddress=198.51.100.9"}, []string{"ct_hour=3"}
	tests := []struct {
		name   string
		ev     []Evidence
		causes [][]string
		acts   []bool
		want   []string // names kept, in order
		nacts  []int    // acts of the kept pieces
	}{
		{"one cause on many APIs counts once, the strongest stands",
			[]Evidence{{Name: "A", Score: 40}, {Name: "B", Score: 60}, {Name: "C", Score: 50}},
			[][]string{ip, ip, ip}, []bool{false, true, true}, []string{"B"}, []int{2}},
		{"distinct causes count apart",
			[]Evidence{{Name: "A", Score: 40}, {Name: "B", Score: 60}},
			[][]string{ip, hour}, []bool{false, false}, []string{"A", "B"}, []int{0, 0}},
		{"overlapping causes are one",
			[]Evidence{{Name: "A", Score: 40}, {Name: "B", Score: 60}, {Name: "C", Score: 70}},
			[][]string{ip, {"ct_hour=3", "sourceIPAddress=198.51.100.9"}, hour}, []bool{false, false, false}, []string{"C"}, []int{0}},
		{"evidence that is not novelty-led is kept per API",
			[]Evidence{{Name: "A", Score: 40}, {Name: "B", Score: 60}, {Name: "C", Score: 70}},
			[][]string{nil, nil, ip}, []bool{false, false, false}, []string{"A", "B", "C"}, []int{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeNovelty(tt.ev, tt.causes, tt.acts)
			var names []string
			var nacts []int
			for _, e := range got {
				names = append(names, e.Name)
				nacts = append(nacts, e.acts)
			}
			require.Equal(t, tt.want, names)
			require.Equal(t, tt.nacts, nacts)
		})
	}
}

// TestNoveltyIncident: one novelty cause over a session's APIs is one piece
// of evidence, and an incident that is only new is held under the alert
// unless something says what was done.
func TestNoveltyIncident(t *testing.T) {
	routine := func(e *Event) { e.Tactic = features.None }
	tests := []struct {
		name     string
		events   []Event
		evidence int // pieces of evidence
		minScore int
		maxScore int
		held     bool
	}{
		{"one new address over ten reads is one piece", []Event{
			ev(0, "DescribeInstances", 60, reasons(rareIP, newPrinc)), ev(1, "ListBuckets", 60, reasons(newIP)),
			ev(2, "GetLogEvents", 60, reasons(rareIP)), ev(3, "DescribeImages", 60, reasons(newIP, rareIP)),
			ev(4, "FilterLogEvents", 60, reasons(rareIP)), ev(5, "DescribeStacks", 60, reasons(rareIP)),
			ev(6, "ListFunctions20150331", 60, reasons(rareIP)), ev(7, "GetBucketLocation", 60, reasons(rareIP)),
			ev(8, "DescribeTable", 60, reasons(rareIP)), ev(9, "DescribeLogStreams", 60, reasons(rareIP)),
		}, 1, 36, 60, false}, // the strongest read, at ReadOnlyWeight or not
		{"the same reads with supervised reasons count per API", []Event{
			ev(0, "DescribeInstances", 60, reasons(supervise)), ev(1, "ListBuckets", 60, reasons(supervise)),
			ev(2, "GetLogEvents", 60, reasons(supervise)), ev(3, "DescribeImages", 60, reasons(supervise)),
			ev(4, "FilterLogEvents", 60, reasons(supervise)), ev(5, "DescribeStacks", 60, reasons(supervise)),
			ev(6, "ListFunctions20150331", 60, reasons(supervise)), ev(7, "GetBucketLocation", 60, reasons(supervise)),
			ev(8, "DescribeTable", 60, reasons(supervise)), ev(9, "DescribeLogStreams", 60, reasons(supervise)),
		}, 10, 50, 79, false},
		{"only new: two causes on routine writes are held", []Event{
			ev(0, "CreateTags", 90, routine, reasons(rareIP)), ev(1, "PutMetricData", 90, routine, reasons(oddHour)),
		}, 2, 79, 79, true},
		{"only new, but a denied sensitive call corroborates", []Event{
			ev(0, "CreateTags", 90, routine, reasons(rareIP)), ev(1, "PutMetricData", 90, routine, reasons(oddHour)),
			ev(2, "DeleteTrail", 10, denied, reasons(rareIP)),
		}, 2, 80, 100, false},
		{"only new, but a supervised piece corroborates", []Event{
			ev(0, "CreateTags", 90, routine, reasons(rareIP)), ev(1, "PutMetricData", 90, routine, reasons(oddHour)),
			ev(2, "GetObject", 45, reasons(supervise)),
		}, 3, 80, 100, false},
		{"sensitive writes from one new address: one piece standing for many calls", []Event{
			ev(0, "RunInstances", 95, reasons(rareIP)), ev(1, "CreateUser", 95, reasons(newIP)),
			ev(2, "AttachUserPolicy", 95, reasons(rareIP, newIP)),
		}, 1, 95, 95, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := one(t, tt.events)
			require.Len(t, in.Evidence, tt.evidence, "%+v", in.Evidence)
			require.GreaterOrEqual(t, in.Score, tt.minScore)
			require.LessOrEqual(t, in.Score, tt.maxScore)
			require.Equal(t, tt.held, in.Held)
		})
	}
}

// FuzzNoveltyCause: any reason text parses without panic, and a cause is a
// part of the reason or one of the fixed names.
func FuzzNoveltyCause(f *testing.F) {
	for _, r := range []string{rareIP, newIP, oddHour, newPrinc, supervise, "first session  of ", "rare combination: =x in "} {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, r string) {
		c := noveltyCause(r)
		switch {
		case c == "", c == "new principal":
		case strings.HasPrefix(c, "new session "), strings.HasPrefix(c, "new key "):
			require.Contains(t, r, strings.SplitN(c, " ", 3)[2])
		default:
			require.Contains(t, r, c)
		}
	})
}
