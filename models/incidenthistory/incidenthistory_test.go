package incidenthistory

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awsrisk/models"
	"awsrisk/models/modeltest"
	"awsrisk/scorer"
	"awsrisk/scorer/incident"
)

var day0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// rec is a CloudTrail record of IAM user name calling api dayOff days after day0 (plus extra
// fields).
func rec(name, api string, dayOff int, extra ...string) func(string) string {
	f := map[string]string{
		"_time": strconv.FormatInt(day0.AddDate(0, 0, dayOff).Unix(), 10), "eventName": api,
		"userIdentity.type": "IAMUser", "userIdentity.arn": "arn:aws:iam::111122223333:user/" + name,
		"userIdentity.accountId": "111122223333", "userIdentity.userName": name,
	}
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i]] = extra[i+1]
	}
	return func(k string) string { return f[k] }
}

func newHistory(t *testing.T) *Model {
	t.Helper()
	u, err := models.NewUnsupervised(Algorithm, models.Spec{Fields: []string{"ct_risk_object"}, Params: map[string]string{}})
	require.NoError(t, err)
	return u.(*Model)
}

// TestLearns: what a principal's history holds after a few records.
func TestLearns(t *testing.T) {
	for _, c := range []struct {
		name string
		recs []func(string) string
		api  string
		want int // days of api for alice
	}{
		{"one call", []func(string) string{rec("alice", "ListUsers", 0)}, "ListUsers", 1},
		{"same day twice", []func(string) string{rec("alice", "ListUsers", 0), rec("alice", "ListUsers", 0)}, "ListUsers", 1},
		{"three days, newest first", []func(string) string{rec("alice", "ListUsers", 2), rec("alice", "ListUsers", 1), rec("alice", "ListUsers", 0)}, "ListUsers", 3},
		{"denied calls are no habit", []func(string) string{rec("alice", "DeleteTrail", 0, "errorCode", "AccessDenied"), rec("alice", "DeleteTrail", 1, "ct_denied", "1")}, "DeleteTrail", 0},
		{"failed sign-ins are no habit", []func(string) string{rec("alice", "ConsoleLogin", 0, "responseElements.ConsoleLogin", "Failure")}, "ConsoleLogin", 0},
		{"another user's calls", []func(string) string{rec("bob", "ListUsers", 0)}, "ListUsers", 0},
		{"a session ARN is its role, not alice", []func(string) string{rec("x", "ListUsers", 0, "userIdentity.type", "AssumedRole", "userIdentity.arn", "arn:aws:sts::111122223333:assumed-role/alice/s1")}, "ListUsers", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newHistory(t)
			for _, r := range c.recs {
				m.Add(r)
			}
			got := 0
			for _, ph := range m.History() {
				if ph.Principal.Object == "alice" && ph.Principal.Kind == incident.KindIAMUser {
					got = ph.APIs[c.api].Days()
				}
			}
			require.Equal(t, c.want, got)
		})
	}
}

// TestKeyAsIncidents: the model keys and kinds principals as `awsrisk incidents` does after
// `awsrisk score`, whether or not the fit derived ct_* fields: the kind is the ARN's (the
// scoring search never sees ct_principal_kind), ct_risk_object wins when present, and without it
// the principal is scorer.PrincipalOf's.
func TestKeyAsIncidents(t *testing.T) {
	evs := modeltest.Small()
	for i := 0; i < len(evs); i += 7 {
		get := modeltest.Getter(evs[i])
		e, ok := event(get)
		require.True(t, ok)
		obj, _, _ := scorer.PrincipalOf(get)
		require.Equal(t, obj, e.Principal.Object, "event %d", i)
		withKind := func(f string) string {
			if f == incident.FieldKind {
				return "assumed_role" // features' vocabulary, which score does not output
			}
			return get(f)
		}
		e2, _ := event(withKind)
		require.Equal(t, e.Principal, e2.Principal, "ct_principal_kind is ignored")
		want, _ := incident.EventFromRecord(func(f string) string {
			if f == incident.FieldRiskObject {
				return obj
			}
			return get(f)
		})
		require.Equal(t, want.Principal, e.Principal, "as incidents reads a scored event")
	}
}

// TestBadSpecsAndStates: the fit spec names the incidents key, and a state that is not a
// history is refused with a clear error.
func TestBadSpecsAndStates(t *testing.T) {
	for _, spec := range []models.Spec{
		{Fields: []string{"ct_principal"}},
		{Fields: []string{"ct_risk_object", "eventName"}},
		{Fields: []string{"ct_risk_object"}, By: []string{"ct_account"}},
	} {
		_, err := models.NewUnsupervised(Algorithm, spec)
		require.ErrorContains(t, err, "fit IncidentHistory ct_risk_object", "%v", spec)
	}
	for _, c := range []struct{ name, state, want string }{
		{"not JSON", `{"algorithm":`, "IncidentHistory state"},
		{"another algorithm", `{"algorithm":"IdentityNovelty","principals":{}}`, `state is for "IdentityNovelty"`},
		{"no principals", `{"algorithm":"IncidentHistory"}`, "has no principals"},
		{"null principal", `{"algorithm":"IncidentHistory","principals":{"1|a":null}}`, "not keyed"},
		{"key not its principal", `{"algorithm":"IncidentHistory","principals":{"1|a":{"account":"1","object":"b"}}}`, "not keyed"},
		{"first after last", `{"algorithm":"IncidentHistory","principals":{"1|a":{"account":"1","object":"a","first_day":5,"last_day":4}}}`, "after last day"},
		{"bits not a number", `{"algorithm":"IncidentHistory","principals":{"1|a":{"account":"1","object":"a","apis":{"X":{"last":1,"bits":"x"}}}}}`, "IncidentHistory state"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newHistory(t)
			m.Add(rec("alice", "ListUsers", 0))
			before, err := m.State()
			require.NoError(t, err)
			require.ErrorContains(t, m.Merge([]byte(c.state)), c.want)
			after, err := m.State()
			require.NoError(t, err)
			require.JSONEq(t, string(before), string(after), "a refused state changes nothing")
		})
	}
}

// TestFromFile: a saved history loads as the Grouper's seed; a model of another algorithm is
// refused, naming both.
func TestFromFile(t *testing.T) {
	m := newHistory(t)
	for d := range 3 {
		m.Add(rec("alice", "ListUsers", d))
	}
	st, err := m.State()
	require.NoError(t, err)
	f := &models.File{Name: "h", Algorithm: Algorithm, Features: []string{"ct_risk_object"}, Body: st}
	hist, err := FromFile(f)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	require.Equal(t, 3, hist[0].APIs["ListUsers"].Days())

	_, err = FromFile(&models.File{Name: "h", Algorithm: "IdentityNovelty", Body: json.RawMessage(`{}`)})
	require.ErrorContains(t, err, `model "h" is a IdentityNovelty model, not IncidentHistory`)
	_, err = FromFile(&models.File{Name: "h", Algorithm: Algorithm, Features: []string{"ct_risk_object"}, Body: json.RawMessage(`{"algorithm":"IncidentHistory","principals":{"x":{}}}`)})
	require.ErrorIs(t, err, models.ErrCorrupt)
}

// TestScorerAndSummary: apply shows the days and peers behind a discount and scores 0; the summary
// lists each peer group's routine.
func TestScorerAndSummary(t *testing.T) {
	m := newHistory(t)
	for _, u := range []string{"alice", "bob", "carol"} {
		for d := range 3 {
			m.Add(rec(u, "GetRole", d))
		}
	}
	m.Add(rec("alice", "ListUsers", 0))
	s, err := m.Scorer(nil)
	require.NoError(t, err)
	out := make([]string, len(s.Outputs()))
	for _, c := range []struct {
		get         func(string) string
		days, peers string
	}{
		{rec("alice", "GetRole", 5), "3", "2"},
		{rec("alice", "ListUsers", 5), "1", "0"},
		{rec("dave", "GetRole", 5), "0", "3"},
	} {
		r := s.Score(c.get, out)
		require.Zero(t, r.Score)
		require.Equal(t, []string{c.days, c.peers}, out)
	}
	header, rows := m.Summary()
	require.Equal(t, "peer_routine", header[len(header)-1])
	require.Equal(t, []string{incident.KindIAMUser, "111122223333", "3", "3", "3", "2026-03-02", "2026-03-04", "GetRole"}, rows[0])
	require.Equal(t, "_model", rows[len(rows)-1][0])
}

// TestOnlySuccessfulCallsMakePrincipals: a principal seen only denied or failing to sign in is not
// kept (nothing to seed, and internet password guessing would grow the model); the report counts
// those rows.
func TestOnlySuccessfulCallsMakePrincipals(t *testing.T) {
	m := newHistory(t)
	m.Add(rec("mallory", "ConsoleLogin", 0, "responseElements.ConsoleLogin", "Failure"))
	m.Add(rec("mallory", "DeleteTrail", 0, "errorCode", "AccessDenied"))
	require.Empty(t, m.History())
	m.Add(rec("mallory", "GetCallerIdentity", 1))
	require.Len(t, m.History(), 1)
	report := map[string]string{}
	for _, kv := range m.Report() {
		report[kv[0]] = kv[1]
	}
	require.Equal(t, "3", report["rows"])
	require.Equal(t, "2", report["unsuccessful"])
	require.Equal(t, "1", report["principals"])
}
