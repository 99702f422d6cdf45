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

// TestLiftFollowsActor: one IAM user's key used by an attacker (198.51.100.9: a policy grant,
// then StopLogging) while its owner works from the office (203.0.113.7) makes one incident; only
// the events sharing the evidence's context take its score. The owner's moderately risky call
// (30, its own piece of evidence but under CorroborateMin) stays at its own score.
func TestLiftFollowsActor(t *testing.T) {
	const attacker, office = "198.51.100.9", "203.0.113.7"
	alice := by(Principal{Object: "alice", Type: "user", Kind: KindIAMUser, Account: "111122223333"})
	key := func(k string) func(*Event) { return func(e *Event) { e.AccessKey = k } }
	events := []Event{
		ev(0, "ListUsers", 25, alice, from(attacker)),                                           // 0 attacker, not evidence itself
		ev(1, "AttachUserPolicy", 60, alice, from(attacker)),                                    // 1 attacker, evidence piece
		ev(2, "AuthorizeSecurityGroupIngress", 30, alice, from(office)),                         // 2 owner, weak piece
		ev(3, "StopLogging", 92, alice, from(attacker)),                                         // 3 attacker, top event
		ev(4, "DescribeInstances", 10, alice, from(office)),                                     // 4 owner, routine
		ev(5, "PutBucketPolicy", 35, alice, from("AWS Internal"), key("ASIAOWNERCONSOLE")),      // 5 owner's console, service address
		ev(6, "DeleteTrail", 85, alice, from("AWS Internal"), key("ASIAATTACKERCONSOLE")),       // 6 attacker's console: evidence
		ev(7, "PutEventSelectors", 30, alice, from("AWS Internal"), key("ASIAATTACKERCONSOLE")), // 7 attacker's console
		ev(8, "CreateAccessKey", 20, alice, from(attacker), func(e *Event) { e.ID = "" }),       // 8 no id: judged by context
	}
	cfg := DefaultConfig()
	ins, of := GroupAll(events, cfg)
	require.Len(t, ins, 1)
	require.GreaterOrEqual(t, ins[0].Score, 80)
	actors := EvidenceContexts(ins, events, of, cfg)
	for _, c := range []struct {
		name   string
		i      int
		lifted bool
	}{
		{"attacker's call from an evidence address is lifted", 0, true},
		{"attacker's evidence piece is lifted", 1, true},
		{"owner's risky call from another address keeps its own", 2, false},
		{"owner's routine call stays under the floor", 4, false},
		{"service address: the owner's console session keeps its own", 5, false},
		{"service address: the attacker's console session evidence", 6, true},
		{"service address: the attacker's console session is lifted", 7, true},
		{"an event without id from the evidence address is lifted", 8, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &events[c.i]
			score, reasons, ok := LiftEvent(&ins[of[c.i]], e, cfg.LiftFloor, actors[of[c.i]])
			require.Equal(t, c.lifted, ok)
			if c.lifted {
				require.Equal(t, float64(ins[0].Score), score)
				require.True(t, strings.HasPrefix(reasons[0], LiftPrefix))
			} else {
				require.Equal(t, e.Score, score)
				require.Equal(t, e.Reasons, reasons)
			}
		})
	}
	// Without evidence known by id (records without eventID) every event at the floor is lifted.
	_, _, ok := LiftEvent(&ins[0], &events[2], cfg.LiftFloor, nil)
	require.True(t, ok)
}

// TestAnnotateLiftIdempotent: annotating lifted events again changes nothing, also when the
// owner's call is left at its own score beside the attacker's lifted ones.
func TestAnnotateLiftIdempotent(t *testing.T) {
	const arn = "arn:aws:iam::111122223333:user/alice"
	events := "_time,eventID,eventName,sourceIPAddress,userAgent,userIdentity.accessKeyId,userIdentity.arn,userIdentity.type,ai_risk_score,risk_reasons\n" +
		"1764064800,e1,ListUsers,198.51.100.9,curl,AKIAALICE," + arn + ",IAMUser,25,eventName=ListUsers +25\n" +
		"1764064860,e2,AttachUserPolicy,198.51.100.9,curl,AKIAALICE," + arn + ",IAMUser,60,\n" +
		"1764064920,e3,AuthorizeSecurityGroupIngress,203.0.113.7,aws-cli,AKIAALICE," + arn + ",IAMUser,30,\n" +
		"1764064980,e4,StopLogging,198.51.100.9,curl,AKIAALICE," + arn + ",IAMUser,92,\n"
	var once, twice strings.Builder
	require.NoError(t, Annotate(strings.NewReader(events), &once, DefaultConfig()))
	require.NoError(t, Annotate(strings.NewReader(once.String()), &twice, DefaultConfig()))
	require.Equal(t, once.String(), twice.String())
	rows, err := csv.NewReader(strings.NewReader(once.String())).ReadAll()
	require.NoError(t, err)
	col := newColumns(rows[0])
	score := func(i int) string { return col.get(rows[i+1], FieldScore) }
	require.Equal(t, col.get(rows[1], FieldIncidentScore), score(0), "the attacker's ListUsers is lifted")
	require.Equal(t, "30", score(2), "the owner's call keeps its own")
	require.Empty(t, col.get(rows[3], FieldEventScore))
}
