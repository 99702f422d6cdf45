package incident

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	rootP  = Principal{Object: "root@" + acct, Type: "user", Kind: KindRoot, Account: acct}
	aliceP = Principal{Object: "alice", Type: "user", Kind: KindIAMUser, Account: acct}
)

func mfa(m string) func(*Event) { return func(e *Event) { e.MFA = m } }

// evidenceNamed returns the score of the first evidence whose name contains
// s, and whether there is one.
func evidenceNamed(in Incident, s string) (float64, bool) {
	for _, e := range in.Evidence {
		if strings.Contains(e.Name, s) {
			return e.Score, true
		}
	}
	return 0, false
}

// TestRootActs: root signing in without MFA, creating an access key or
// changing the password policy are each RootScore of evidence and page
// together; root with MFA reading billing does not.
func TestRootActs(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		acts   []string
		alert  bool
	}{
		{"no MFA, key, password policy", []Event{ev(0, "ConsoleLogin", 40, by(rootP), mfa("0")),
			ev(1, "GetAccountSummary", 20, by(rootP)), ev(2, "CreateAccessKey", 30, by(rootP)),
			ev(3, "UpdateAccountPasswordPolicy", 30, by(rootP))},
			[]string{"without MFA", "access key", "password policy"}, true},
		{"with MFA, then an access key and a password policy change", []Event{ev(0, "ConsoleLogin", 30, by(rootP), mfa("1")),
			ev(2, "CreateAccessKey", 30, by(rootP)), ev(3, "UpdateAccountPasswordPolicy", 30, by(rootP))},
			[]string{"access key", "password policy"}, true},
		{"no MFA alone is one piece: held under the alert", []Event{ev(0, "ConsoleLogin", 40, by(rootP), mfa("0")),
			ev(1, "GetAccountSummary", 10, by(rootP))}, []string{"without MFA"}, false},
		{"break-glass with MFA reading billing", []Event{ev(0, "ConsoleLogin", 30, by(rootP), mfa("1")),
			ev(1, "GetAccountSummary", 20, by(rootP)), ev(2, "GetCostAndUsage", 20, by(rootP))}, nil, false},
		{"an IAM user's own key and policy are not root's", []Event{ev(0, "ConsoleLogin", 10, by(aliceP), mfa("0")),
			ev(2, "CreateAccessKey", 30, by(aliceP)), ev(3, "UpdateAccountPasswordPolicy", 30, by(aliceP))}, nil, false},
		{"denied root key creation is no act", []Event{ev(0, "ConsoleLogin", 30, by(rootP), mfa("1")),
			ev(2, "CreateAccessKey", 30, by(rootP), denied)}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := one(t, tt.events)
			var got []string
			for _, e := range in.Evidence {
				if e.Boost == "root" {
					got = append(got, e.Name)
					require.InDelta(t, DefaultConfig().RootScore, e.Score, 1e-9)
				}
			}
			require.Len(t, got, len(tt.acts), "%+v", in.Evidence)
			for _, a := range tt.acts {
				require.True(t, slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, a) }), "%q not in %q", a, got)
			}
			require.Equal(t, tt.alert, in.Score >= alert, "score %d: %+v", in.Score, in.Evidence)
		})
	}
}

// TestSignInChain: an anomalous sign-in followed by credential access. A
// sign-in without MFA against habit counts any non-habitual credential API or
// sensitive write, scaled by the sign-in's score; a new address alone needs
// two credential APIs the principal never called, in a known history.
func TestSignInChain(t *testing.T) {
	const habitMsg = "sign-in without MFA by alice, whose 12 earlier sign-ins all used MFA"
	newAddr := "first time alice used sourceIPAddress=198.51.100.9 (seen 400 events since 2024-03-01, 9 sourceIPAddress values)"
	login := func(score float64, rs ...string) Event {
		return ev(0, "ConsoleLogin", score, by(aliceP), reasons(rs...))
	}
	// history: alice on four earlier days, browsing and once reading a secret.
	history := func(apis ...string) []Event {
		var out []Event
		for d := 1; d <= 4; d++ {
			for i, n := range apis {
				e := ev(float64(i), n, 5, by(aliceP))
				e.Time = e.Time.Add(-time.Duration(d) * 24 * time.Hour)
				e.ID += "/" + string(rune('a'+d))
				out = append(out, e)
			}
		}
		return out
	}
	tests := []struct {
		name  string
		evs   []Event
		want  float64 // the chain's score, 0 = no chain
		alert bool
	}{
		{"no MFA against habit, then ListAccessKeys", cat([]Event{login(75, habitMsg, newAddr)},
			[]Event{ev(2, "ListUsers", 20, by(aliceP)), ev(3, "ListAccessKeys", 20, by(aliceP))}), 80, true},
		// 80 · 45/60 = 60
		{"scaled by the sign-in's score", cat([]Event{login(45, habitMsg)},
			[]Event{ev(2, "ListSecrets", 20, by(aliceP))}), 60, false},
		{"no MFA against habit, then only browsing", cat([]Event{login(75, habitMsg)},
			[]Event{ev(2, "DescribeInstances", 20, by(aliceP))}), 0, false},
		{"credential access before the sign-in does not chain", cat(
			[]Event{ev(0, "ListAccessKeys", 20, by(aliceP))}, []Event{func() Event { e := login(75, habitMsg); e.Time = e.Time.Add(time.Minute); return e }()}), 0, false},
		{"habitual credential API does not chain", cat(history("GetSecretValue"), []Event{login(75, habitMsg),
			ev(2, "GetSecretValue", 20, by(aliceP))}), 0, false},
		{"new address, two first-ever credential APIs", cat(history("DescribeInstances"), []Event{login(30, newAddr),
			ev(2, "ListUsers", 10, by(aliceP)), ev(3, "GetSecretValue", 10, by(aliceP))}), 80, true},
		{"new address, one first-ever credential API", cat(history("DescribeInstances"), []Event{login(30, newAddr),
			ev(2, "GetSecretValue", 10, by(aliceP))}), 0, false},
		{"new address, credential APIs used before", cat(history("ListUsers", "GetSecretValue"), []Event{login(30, newAddr),
			ev(2, "ListUsers", 10, by(aliceP)), ev(3, "GetSecretValue", 10, by(aliceP))}), 0, false},
		{"new address without history to compare", []Event{login(30, newAddr),
			ev(2, "ListUsers", 10, by(aliceP)), ev(3, "GetSecretValue", 10, by(aliceP))}, 0, false},
		{"ordinary sign-in", []Event{login(10), ev(2, "ListAccessKeys", 10, by(aliceP)), ev(3, "GetSecretValue", 10, by(aliceP))}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := group(t, Config{}, tt.evs)
			in := ins[len(ins)-1]
			got, _ := evidenceNamed(in, "sign-in ")
			require.InDelta(t, tt.want, got, 1e-9, "%+v", in.Evidence)
			require.Equal(t, tt.alert, in.Score >= alert, "score %d: %+v", in.Score, in.Evidence)
		})
	}
}

// TestOnboarding: a user created, placed in a group and given a password and
// key by an administrator counts its user-credential chains at
// OnboardWeight; a backdoor user with a policy attached directly, or an
// existing user's new password, counts fully.
func TestOnboarding(t *testing.T) {
	admin := by(aliceP)
	tests := []struct {
		name       string
		evs        []Event
		discounted bool
	}{
		{"onboarding", []Event{ev(0, "CreateUser", 20, admin, target("bob")), ev(1, "CreateLoginProfile", 30, admin, target("bob")),
			ev(2, "AddUserToGroup", 20, admin, target("bob")), ev(3, "CreateAccessKey", 20, admin, target("bob"))}, true},
		{"backdoor: AdministratorAccess attached directly", []Event{ev(0, "CreateUser", 20, admin, target("svc")),
			ev(1, "AttachUserPolicy", 30, admin, target("svc")), ev(2, "AddUserToGroup", 20, admin, target("svc")),
			ev(3, "CreateAccessKey", 20, admin, target("svc")), ev(4, "CreateLoginProfile", 30, admin, target("svc"))}, false},
		{"no group", []Event{ev(0, "CreateUser", 20, admin, target("svc")), ev(1, "CreateAccessKey", 20, admin, target("svc")),
			ev(2, "CreateLoginProfile", 30, admin, target("svc"))}, false},
		{"an existing user's new password", []Event{ev(0, "CreateUser", 20, admin, target("bob")),
			ev(1, "AddUserToGroup", 20, admin, target("bob")), ev(2, "CreateAccessKey", 20, admin, target("bob")),
			ev(3, "UpdateLoginProfile", 30, admin, target("carol"))}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := one(t, tt.evs)
			sc, ok := evidenceNamed(in, "console password set for another user")
			require.True(t, ok, "%+v", in.Evidence)
			want := DefaultConfig().ChainScore
			if tt.discounted {
				want *= DefaultConfig().OnboardWeight
				require.Less(t, in.Score, alert, "%+v", in.Evidence)
			}
			require.InDelta(t, want, sc, 1e-9, "%+v", in.Evidence)
		})
	}
}

// TestPeerHabit: an API two other principals of the same kind and account
// call routinely is weighted by HabitWeight for a principal calling it the
// first time; peers of another account or kind do not count.
func TestPeerHabit(t *testing.T) {
	peer := func(name, account string, kind string) Principal {
		return Principal{Object: name, Type: "user", Kind: kind, Account: account}
	}
	routine := func(p Principal) []Event {
		var out []Event
		for d := 1; d <= 3; d++ {
			e := ev(0, "AttachUserPolicy", 30, by(p))
			e.Time = e.Time.Add(-time.Duration(d) * 24 * time.Hour)
			e.ID += "/" + p.Object + string(rune('a'+d))
			out = append(out, e)
		}
		return out
	}
	tests := []struct {
		name  string
		peers []Principal
		want  float64
	}{
		{"two peers' routine", []Principal{peer("bob", acct, KindIAMUser), peer("carol", acct, KindIAMUser)}, 0.6 * 80},
		{"one peer is no routine", []Principal{peer("bob", acct, KindIAMUser)}, 80},
		{"peers of another account", []Principal{peer("bob", "999", KindIAMUser), peer("carol", "999", KindIAMUser)}, 80},
		{"peers of another kind", []Principal{peer("bob", acct, KindAssumedRole), peer("carol", acct, KindAssumedRole)}, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var evs []Event
			for _, p := range tt.peers {
				evs = append(evs, routine(p)...)
			}
			slices.SortStableFunc(evs, func(a, b Event) int { return a.Time.Compare(b.Time) })
			evs = append(evs, ev(0, "AttachUserPolicy", 80, by(aliceP)))
			ins := group(t, Config{}, evs)
			in := ins[len(ins)-1]
			require.Equal(t, "alice", in.RiskObject)
			got, _ := evidenceNamed(in, "AttachUserPolicy")
			require.InDelta(t, tt.want, got, 1e-9, "%+v", in.Evidence)
		})
	}
}

// TestScannerIsIaC: security scanners are recognised by their role or user
// name and counted like pipelines; a person is not.
func TestScannerIsIaC(t *testing.T) {
	for arn, want := range map[string]bool{
		"arn:aws:sts::1:assumed-role/ScoutSuiteAudit/scoutsuite-1709":   true,
		"arn:aws:sts::1:assumed-role/prowler-scan/prowler-1709":         true,
		"arn:aws:iam::1:user/steampipe":                                 true,
		"arn:aws:sts::1:assumed-role/SecurityAuditRole/x":               true,
		"arn:aws:iam::1:user/olivia":                                    false,
		"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_1/x@acme.com": false,
	} {
		f := map[string]string{FieldARN: arn, FieldEventTime: "2025-11-25T10:00:00Z"}
		e, _ := EventFromRecord(func(k string) string { return f[k] })
		require.Equal(t, want, e.IaC, arn)
	}
}

// TestEventMFA: MFA is read from ct_mfa, else CloudTrail's own fields.
func TestEventMFA(t *testing.T) {
	for _, tt := range []struct {
		fields map[string]string
		want   string
	}{
		{map[string]string{FieldMFA: "0"}, "0"},
		{map[string]string{FieldMFAUsed: "Yes"}, "1"},
		{map[string]string{FieldMFAUsed: "No"}, "0"},
		{map[string]string{FieldMFAAuth: "true"}, "1"},
		{map[string]string{FieldMFA: "unknown", FieldMFAAuth: "false"}, "0"},
		{map[string]string{}, ""},
	} {
		tt.fields[FieldEventTime] = "2025-11-25T10:00:00Z"
		e, _ := EventFromRecord(func(k string) string { return tt.fields[k] })
		require.Equal(t, tt.want, e.MFA, "%v", tt.fields)
	}
}
