package incident

import (
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/features"
)

// TestLLMjackingChain: reading the model invocation logging configuration and
// then invoking models is the LLMjacking chain only when the model use is not
// the identity's own: no Bedrock call on an earlier day, or the calls come
// from an address or agent new to it. A platform admin checking the logging
// and trying a model from the usual desk does not page; a stolen key doing it
// does, whether or not its owner uses Bedrock.
func TestLLMjackingChain(t *testing.T) {
	admin := Principal{Object: "peggy", Type: "user", Kind: KindIAMUser, Account: acct}
	d0 := Day(t0)
	earlier := func(apis ...string) []PrincipalHistory {
		m := map[string]DayMask{}
		for _, a := range apis {
			m[a] = DayMask{}.Add(d0 - 3)
		}
		return []PrincipalHistory{{Principal: admin, APIs: m}}
	}
	sameDay := []PrincipalHistory{{Principal: admin, APIs: map[string]DayMask{"ListFoundationModels": DayMask{}.Add(d0)}}}
	invoke := func(min float64, name string, score float64, opts ...func(*Event)) Event {
		return ev(min, name, score, append([]func(*Event){by(admin), func(e *Event) { e.Tactic = features.TacticImpact }}, opts...)...)
	}
	newIP := reasons("first time peggy used sourceIPAddress=198.51.100.9 (seen 92 events since 2026-11-01, 5 sourceIPAddress values)")
	newUA := reasons("peggy rarely uses userAgent=python-requests/2.31.0 (2 of 400 events)")
	oddHour := reasons("ct_hour=3 is outside the usual range 7.5–18.2 for ct_principal=peggy (p=0.002)")
	// A console session: the logging configuration read, then a test call or two.
	session := func(opts ...func(*Event)) []Event {
		return []Event{
			ev(0, "ConsoleLogin", 5, by(admin)),
			ev(2, "GetModelInvocationLoggingConfiguration", 10, by(admin)),
			invoke(4, "InvokeModel", 20, opts...),
			invoke(6, "Converse", 15, opts...),
		}
	}
	tests := []struct {
		name      string
		hist      []PrincipalHistory
		evs       []Event
		wantChain bool
		wantAlert bool
	}{
		{"admin with Bedrock history, usual address and agent", earlier("PutModelInvocationLoggingConfiguration", "ListFoundationModels"), session(), false, false},
		{"a model user's own history counts", earlier("InvokeModel"), session(), false, false},
		{"an odd hour is when, not a new origin", earlier("GetModelInvocationLoggingConfiguration"), session(oddHour), false, false},
		{"no Bedrock history: first model use right after the logging check", nil, session(), true, true},
		{"history of today only is no history", sameDay, session(), true, true},
		{"history of other services is no Bedrock history", earlier("ListUsers", "GetObject"), session(), true, true},
		{"Bedrock user's credentials from a new address", earlier("InvokeModel", "ListFoundationModels"), session(newIP), true, true},
		{"Bedrock user's credentials with a new agent", earlier("InvokeModel"), session(newUA), true, true},
		{"models invoked before the check, not after", nil, []Event{
			invoke(0, "InvokeModel", 20), ev(5, "GetModelInvocationLoggingConfiguration", 10, by(admin)),
		}, false, false},
		{"the check denied", nil, []Event{
			ev(0, "GetModelInvocationLoggingConfiguration", 30, by(admin), denied), invoke(2, "InvokeModel", 20),
		}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := group(t, Config{History: tt.hist}, tt.evs)
			require.Len(t, ins, 1)
			_, chained := evidenceNamed(ins[0], chainLLMjacking)
			require.Equal(t, tt.wantChain, chained, "evidence %+v", ins[0].Evidence)
			require.Equal(t, tt.wantAlert, ins[0].Score >= alert, "score %d", ins[0].Score)
		})
	}
}

// TestLLMjackingAttackSession: the generated scenario's shape, a stolen key
// from a new address checking the logging, the catalogue and model access,
// then invoking models for minutes, pages even when the key's owner is a
// Bedrock user.
func TestLLMjackingAttackSession(t *testing.T) {
	victim := Principal{Object: "grace", Type: "user", Kind: KindIAMUser, Account: acct}
	hist := []PrincipalHistory{{Principal: victim, APIs: map[string]DayMask{
		"InvokeModel": DayMask{}.Add(Day(t0) - 1).Add(Day(t0) - 2).Add(Day(t0) - 5), "ListFoundationModels": DayMask{}.Add(Day(t0) - 2),
	}}}
	novel := reasons("rare combination: sourceIPAddress=146.70.12.9 in 0% of 88571 events (log_event_prob -27.2 below the 0.01-quantile -23.2)",
		"first time grace used sourceIPAddress=146.70.12.9 (seen 467 events since 2026-11-01, 18 sourceIPAddress values)")
	impact := func(e *Event) { e.Tactic = features.TacticImpact }
	evs := []Event{
		ev(0, "GetModelInvocationLoggingConfiguration", 42, by(victim), novel),
		ev(1, "ListFoundationModels", 20, by(victim), novel),
		ev(2, "GetFoundationModelAvailability", 42, by(victim), novel),
		ev(3, "PutUseCaseForModelAccess", 56, by(victim), novel, impact),
	}
	for i := range 30 {
		name := "InvokeModel"
		if i%3 == 0 {
			name = "InvokeModelWithResponseStream"
		}
		evs = append(evs, ev(4+float64(i)/2, name, 56, by(victim), novel, impact))
	}
	for _, h := range [][]PrincipalHistory{nil, hist} {
		ins := group(t, Config{History: h}, evs)
		require.Len(t, ins, 1)
		require.True(t, hasBoost(ins[0], "chain"), "evidence %+v", ins[0].Evidence)
		require.GreaterOrEqual(t, ins[0].Score, alert)
	}
}

// TestModelInvocationsOneAct: a person trying models from a new address uses
// InvokeModel, Converse and ConverseStream, three spellings of one act; the
// novelty standing for them is one sensitive call and does not page alone,
// while the same novelty standing for a model invocation and a model access
// request (two acts) is corroborated as before.
func TestModelInvocationsOneAct(t *testing.T) {
	alice := Principal{Object: "alice", Type: "user", Kind: KindIAMUser, Account: acct}
	novel := reasons("first time alice used sourceIPAddress=86.12.45.127 (seen 28 events since 2026-11-01, 3 sourceIPAddress values)")
	impact := func(e *Event) { e.Tactic = features.TacticImpact }
	at := func(min float64, name string) Event { return ev(min, name, 85, by(alice), novel, impact) }
	tests := []struct {
		name     string
		evs      []Event
		wantHeld bool
	}{
		{"three invocation APIs are one act", []Event{at(0, "InvokeModel"), at(1, "Converse"), at(2, "ConverseStream")}, true},
		{"an invocation and a model access request are two", []Event{at(0, "InvokeModel"), at(1, "PutUseCaseForModelAccess")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := group(t, Config{}, tt.evs)
			require.Len(t, ins, 1)
			require.Equal(t, tt.wantHeld, ins[0].Held, "evidence %+v", ins[0].Evidence)
			require.Equal(t, !tt.wantHeld, ins[0].Score >= alert, "score %d", ins[0].Score)
		})
	}
}
