package incident

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLift(t *testing.T) {
	in := &Incident{ID: "abc", Score: 88, Evidence: []Evidence{
		{Name: "ListUsers", Score: 30}, {Boost: "chain", Name: "new IAM user given an access key", Score: 80}}}
	for _, c := range []struct {
		name       string
		in         *Incident
		own, floor float64
		want       float64
		lifted     bool
	}{
		{"a step of the incident takes its score", in, 30, 20, 88, true},
		{"exactly at the floor", in, 20, 20, 88, true},
		{"routine call in the session keeps its own", in, 19.9, 20, 19.9, false},
		{"an event above its incident keeps its own", in, 95, 20, 95, false},
		{"equal scores: nothing to lift", in, 88, 20, 88, false},
		{"floor 0 turns lifting off", in, 30, 0, 30, false},
		{"no incident", nil, 30, 20, 30, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Lift(c.in, c.own, c.floor)
			require.Equal(t, c.want, got)
			require.Equal(t, c.lifted, ok)
		})
	}
	r := LiftReason(in, 30)
	require.True(t, strings.HasPrefix(r, LiftPrefix))
	require.Contains(t, r, "abc scoring 88")
	require.Contains(t, r, "new IAM user given an access key", "names the strongest evidence")
	require.Contains(t, r, "alone scored 30")
}

// TestEventOwnScore: an event lifted by an earlier run is grouped by its own score, so grouping
// lifted events again counts no evidence twice.
func TestEventOwnScore(t *testing.T) {
	rec := map[string]string{FieldTime: "1800000000", FieldScore: "88", FieldEventScore: "30",
		FieldARN: "arn:aws:iam::111122223333:user/m", FieldIdentityType: "IAMUser", FieldEventName: "ListUsers"}
	e, ok := EventFromRecord(func(f string) string { return rec[f] })
	require.True(t, ok)
	require.Equal(t, 30.0, e.Score)
	delete(rec, FieldEventScore)
	e, _ = EventFromRecord(func(f string) string { return rec[f] })
	require.Equal(t, 88.0, e.Score)
}

// TestAnnotateLift: Annotate with the default config lifts as the command does: the ListUsers
// (20) before a StopLogging takes the session's score, its own kept and the incident named
// first; the later routine GetObject (5) keeps its own; without a floor nothing is lifted.
func TestAnnotateLift(t *testing.T) {
	events := "_time,eventName,userIdentity.arn,ai_risk_score,ai_threat_category,risk_reasons\n" +
		"1764064860,ListUsers,arn:aws:sts::1111:assumed-role/deploy/s,20,discovery,eventName=ListUsers +20\n" +
		"1764065340,StopLogging,arn:aws:sts::1111:assumed-role/deploy/s,92,defense-evasion,\n" +
		"1764072000,GetObject,arn:aws:sts::1111:assumed-role/deploy/s,5,none,\n"
	read := func(cfg Config) []map[string]string {
		var out strings.Builder
		require.NoError(t, Annotate(strings.NewReader(events), &out, cfg))
		rows, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
		require.NoError(t, err)
		var ms []map[string]string
		for _, r := range rows[1:] {
			m := map[string]string{}
			for i, f := range rows[0] {
				m[f] = r[i]
			}
			ms = append(ms, m)
		}
		return ms
	}
	got := read(DefaultConfig())
	require.Equal(t, got[1][FieldIncidentScore], got[0][FieldScore], "ListUsers takes its session's score")
	require.Equal(t, "20", got[0][FieldEventScore])
	require.True(t, strings.HasPrefix(got[0][FieldReasons], LiftPrefix))
	require.True(t, strings.HasSuffix(got[0][FieldReasons], "\neventName=ListUsers +20"))
	require.Equal(t, "5", got[2][FieldScore])
	require.Empty(t, got[2][FieldEventScore])

	off := DefaultConfig()
	off.LiftFloor = 0
	for i, r := range read(off) {
		require.Equal(t, []string{"20", "92", "5"}[i], r[FieldScore])
	}
}
