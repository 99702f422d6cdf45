package incident

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReconWeight(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		k      int
		want   float64
	}{
		{"unusual enumeration counts fully", []float64{60, 50, 70}, 3, 1},
		{"routine browsing counts little", []float64{20, 20, 30}, 3, 70.0 / 3 / 50},
		{"only the k strongest count", []float64{50, 50, 50, 0, 0, 0}, 3, 1},
		{"no discovery counts nothing", nil, 3, 0},
		{"negative scores count as zero", []float64{-10, 25, 25}, 3, 50.0 / 3 / 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, reconWeight(tt.scores, tt.k, 50), 1e-9)
		})
	}
}

func TestCorroborated(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name string
		ev   []Evidence
		want bool
	}{
		{"no evidence", nil, true},
		{"a chain is several events", []Evidence{{Boost: "chain", Score: 80}}, true},
		{"second piece at CorroborateMin", []Evidence{{Name: "CreateUser", Score: 85}, {Name: "ListUsers", Score: 40}}, true},
		{"second piece under CorroborateMin", []Evidence{{Name: "CreateUser", Score: 85}, {Name: "ListUsers", Score: 39}}, false},
		{"lone high-severity event at SoloMin", []Evidence{{Name: "DeleteTrail", Score: 90}}, true},
		{"lone high-severity event under SoloMin", []Evidence{{Name: "DeleteTrail", Score: 89}}, false},
		{"lone high-severity event led by novelty (where or when, not what)", []Evidence{{Name: "DeleteTrail", Score: 95, Novelty: true, acts: 1}}, false},
		{"lone medium-severity event", []Evidence{{Name: "CreateUser", Score: 99}}, false},
		{"novelty piece standing for two sensitive calls", []Evidence{{Name: "CreateUser", Score: 85, Novelty: true, acts: 2}}, true},
		{"novelty piece standing for one sensitive call", []Evidence{{Name: "CreateUser", Score: 85, Novelty: true, acts: 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var top Evidence
			if len(tt.ev) > 0 && tt.ev[0].Boost == "" {
				top = tt.ev[0]
			}
			require.Equal(t, tt.want, corroborated(tt.ev, top, cfg))
		})
	}
}

// TestCrossPrincipalRoleChain: a role created by one principal and assumed
// from another account within CrossWindow links both incidents; assumptions
// from the same account of an unnamed role, or too late, do not.
func TestCrossPrincipalRoleChain(t *testing.T) {
	creator := Principal{Object: "grace", Type: "user", Kind: KindIAMUser, Account: acct}
	outsider := Principal{Object: "operator", Type: "user", Kind: KindAssumedRole, Account: "999999999999"}
	insider := Principal{Object: "app", Type: "user", Kind: KindAssumedRole, Account: acct}
	assume := func(min float64, p Principal, roleName, roleAcct string) Event {
		return ev(min, "AssumeRole", 5, by(p), func(e *Event) { e.Role, e.RoleAccount = roleName, roleAcct })
	}
	tests := []struct {
		name   string
		events []Event
		linked bool
	}{
		{"unnamed role assumed from another account", []Event{ev(0, "CreateRole", 30, by(creator)),
			assume(4, outsider, "backdoor", acct)}, true},
		{"trust change then assumed from another account", []Event{ev(0, "UpdateAssumeRolePolicy", 30, by(creator)),
			assume(30, outsider, "", acct)}, true},
		{"same named role assumed inside the account", []Event{ev(0, "CreateRole", 30, by(creator), role2("r")),
			assume(4, insider, "r", acct)}, true},
		{"another named role", []Event{ev(0, "CreateRole", 30, by(creator), role2("r")),
			assume(4, outsider, "s", acct)}, false},
		{"unnamed role assumed inside the account", []Event{ev(0, "CreateRole", 30, by(creator)),
			assume(4, insider, "backdoor", acct)}, false},
		{"assumed after CrossWindow", []Event{ev(0, "CreateRole", 30, by(creator)),
			ev(50, "ListRoles", 5, by(creator)), assume(61, outsider, "backdoor", acct)}, false},
		{"role of another account", []Event{ev(0, "CreateRole", 30, by(creator)),
			assume(4, outsider, "backdoor", "222222222222")}, false},
		{"denied creation", []Event{ev(0, "CreateRole", 30, by(creator), denied),
			assume(4, outsider, "backdoor", acct)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := group(t, Config{}, tt.events)
			require.Len(t, ins, 2)
			for _, in := range ins {
				require.Equal(t, tt.linked, hasBoost(in, "chain"), "%s: %+v", in.RiskObject, in.Evidence)
				if tt.linked {
					require.GreaterOrEqual(t, in.Score, alert, "%s: %+v", in.RiskObject, in.Evidence)
				}
			}
		})
	}
}

// TestHabit: an API used on HabitDays earlier days is weighted by
// HabitWeight; one used on fewer days, or denied, is not.
func TestHabit(t *testing.T) {
	day := func(d int, name string, score float64, opts ...func(*Event)) Event {
		e := ev(0, name, score, opts...)
		e.Time = e.Time.Add(time.Duration(d) * 24 * time.Hour)
		e.ID += "/" + string(rune('a'+d))
		return e
	}
	tests := []struct {
		name     string
		prior    int // earlier days with a successful PutRolePolicy
		last     []func(*Event)
		want     float64
		habitual bool
	}{
		{"new API", 0, nil, 70, false},
		{"two earlier days are no habit yet", 2, nil, 70, false},
		{"three earlier days are a habit", 3, nil, 0.6 * 70, true},
		{"denied calls are never habitual", 3, []func(*Event){denied}, 70, false},
	}
	// A sign-in is never a habit: ConsoleLogin on every earlier day keeps its score.
	t.Run("sign-ins are exempt", func(t *testing.T) {
		var evs []Event
		for d := range 5 {
			evs = append(evs, day(d, "ConsoleLogin", 20))
		}
		evs = append(evs, day(10, "ConsoleLogin", 70))
		ins := group(t, Config{}, evs)
		require.InDelta(t, 70, ins[len(ins)-1].Evidence[0].Score, 1e-9)
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var evs []Event
			for d := range tt.prior {
				evs = append(evs, day(d, "PutRolePolicy", 30))
			}
			evs = append(evs, day(10, "PutRolePolicy", 70, tt.last...))
			ins := group(t, Config{}, evs)
			last := ins[len(ins)-1]
			var got float64
			for _, e := range last.Evidence {
				if e.Name == "PutRolePolicy" {
					got = e.Score
				}
			}
			require.InDelta(t, tt.want, got, 1e-9, "%+v", last.Evidence)
		})
	}
}

// TestIaCDiscountsBoosts: the same denied burst and recon-then-write count at
// IaCWeight when most events come from a pipeline.
func TestIaCDiscountsBoosts(t *testing.T) {
	session := func(iac bool) []Event {
		mark := func(e *Event) { e.IaC = iac }
		return cat(repeat(0, 3, "ListUsers", 50, mark), repeat(2, 3, "ListRoles", 50, mark),
			repeat(4, 3, "GetAccountAuthorizationDetails", 50, mark),
			repeat(6, 3, "AttachUserPolicy", 30, denied, mark), repeat(8, 3, "CreateAccessKey", 30, denied, mark),
			[]Event{ev(10, "PutRolePolicy", 40, mark)})
	}
	boostScores := func(in Incident) map[string]float64 {
		m := map[string]float64{}
		for _, e := range in.Evidence {
			if e.Boost != "" {
				m[e.Boost] = e.Score
				if in.Evidence[0].Boost != "" || e.Boost != "" {
					require.Equal(t, strings.Contains(e.Name, "IaC/CI"), in.PrincipalKind == "iac", e.Name)
				}
			}
		}
		return m
	}
	human, pipe := one(t, session(false)), one(t, session(true))
	pipe.PrincipalKind = "iac" // only to tell boostScores which note to expect
	hb, pb := boostScores(human), boostScores(pipe)
	require.Len(t, hb, 2, "%+v", human.Evidence)
	for k, v := range hb {
		require.InDelta(t, 0.5*v, pb[k], 1e-9, k)
	}
	require.Less(t, pipe.Score, human.Score)
}

// TestIaCBreadth: in a pipeline's incident only the strongest event counts
// fully; the same breadth of writes by a person adds up.
func TestIaCBreadth(t *testing.T) {
	writes := func(iac bool) []Event {
		var out []Event
		for i, n := range []string{"PutBucketPolicy", "CreateKey", "PutRetentionPolicy", "CreateSecurityGroup", "AttachRolePolicy"} {
			out = append(out, ev(float64(i), n, 70, func(e *Event) { e.IaC = iac }))
		}
		return out
	}
	tests := []struct {
		name     string
		iac      bool
		min, max int
	}{
		// 100·(1 − .3·(1 − .5·.7)(1 − .25·.7)(1 − .125·.7)(1 − .0625·.7)) = 86.0
		{"a person's five writes at 70 add up", false, 86, 86},
		// rest at .5·70 = 35 < CorroborateMin: held at SoloCap.
		{"a pipeline's five writes at 70 do not", true, 79, 79},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := one(t, writes(tt.iac))
			require.GreaterOrEqual(t, in.Score, tt.min, "%+v", in.Evidence)
			require.LessOrEqual(t, in.Score, tt.max, "%+v", in.Evidence)
		})
	}
}

// TestEventIaC: IaC is read from the identity, never from the user agent
// alone, which an attacker's tools set at will.
func TestEventIaC(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		want   bool
	}{
		{"CI session name", map[string]string{FieldARN: "arn:aws:sts::1:assumed-role/ci-deploy/GitHubActions-42"}, true},
		{"CloudFormation invocation", map[string]string{FieldARN: "arn:aws:sts::1:assumed-role/x/y",
			FieldInvokedBy: "cloudformation.amazonaws.com"}, true},
		{"a person with a Terraform user agent", map[string]string{FieldARN: "arn:aws:iam::1:user/olivia",
			"userAgent": "APN/1.0 HashiCorp/1.0 Terraform/1.7.4", "ct_iac": "1"}, false},
		{"nothing", map[string]string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fields[FieldEventTime] = "2025-11-25T10:00:00Z"
			e, _ := EventFromRecord(func(f string) string { return tt.fields[f] })
			require.Equal(t, tt.want, e.IaC)
		})
	}
}

// TestHeldNarrative: an uncorroborated incident says why it is held; a
// corroborated one does not.
func TestHeldNarrative(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		held   bool
	}{
		{"lone medium-severity call", []Event{ev(0, "CreateUser", 95)}, true},
		{"corroborated", []Event{ev(0, "CreateUser", 95), ev(1, "AttachUserPolicy", 50)}, false},
		{"low score is not held", []Event{ev(0, "CreateUser", 30)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := one(t, tt.events)
			require.Equal(t, tt.held, in.Held)
			require.Equal(t, tt.held, strings.Contains(in.Narrative, "nothing else in the session corroborates it"), in.Narrative)
		})
	}
}
