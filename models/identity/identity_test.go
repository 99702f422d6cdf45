package identity

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/features"
	"awsrisk/models"
)

type event map[string]string

func (e event) get(f string) string { return e[f] }

const t0 = 1709251200 // 2024-03-01 00:00 UTC

// derive adds the ct_* fields to a raw CloudTrail event, as features=all does.
func derive(e event) event {
	d := features.NewDeriver(features.All, features.Options{})
	vals := d.Derive(e.get, nil)
	out := event{}
	for k, v := range e {
		out[k] = v
	}
	for i, n := range d.Names() {
		out[n] = vals[i]
	}
	return out
}

// raw is a CloudTrail API call by arn at time t from ip.
func raw(t int64, arn, typ, name, ip, key string) event {
	return event{"_time": strconv.FormatInt(t, 10), "eventName": name, "eventSource": "s3.amazonaws.com",
		"eventType": "AwsApiCall", "userIdentity.arn": arn, "userIdentity.type": typ,
		"userIdentity.accountId": "111122223333", "userIdentity.accessKeyId": key, "sourceIPAddress": ip,
		"userAgent": "aws-cli/2.15.0", "recipientAccountId": "111122223333"}
}

// history is four days of ordinary work: three IAM users with one long-term key each, and
// app-role used by instance i-0123456789abcdef0 from 3.80.1.1, 40 events a day in all.
func history() []event {
	var evs []event
	for d := int64(0); d < 4; d++ {
		for i := int64(0); i < 10; i++ {
			t := t0 + d*86400 + i*600
			for _, u := range []string{"alice", "bob", "carol"} {
				evs = append(evs, derive(raw(t, "arn:aws:iam::111122223333:user/"+u, "IAMUser", "ListBuckets", "81.2.69.160", "AKIA"+u+"0000000000")))
			}
			evs = append(evs, derive(raw(t, "arn:aws:sts::111122223333:assumed-role/app-role/i-0123456789abcdef0", "AssumedRole", "GetObject", "3.80.1.1", "ASIAX"+strconv.FormatInt(d, 10))))
		}
	}
	return evs
}

func fitted(t *testing.T, params map[string]string, evs []event) models.Unsupervised {
	t.Helper()
	if params == nil {
		params = map[string]string{}
	}
	u, err := models.NewUnsupervised(algorithm, models.Spec{Fields: []string{"ct_principal"}, Params: params})
	require.NoError(t, err)
	for _, e := range evs {
		u.Add(e.get)
	}
	return u
}

func TestIdentityNovelty(t *testing.T) {
	day4 := int64(t0 + 4*86400 + 3600)
	for _, c := range []struct {
		name     string
		history  []event // added to history()
		minPeer  string
		events   []event // scored in order; the last one is checked
		min, max float64 // expected score range of the last event
		reason   string  // substring of its top reason ("" = none expected)
		status   string
	}{
		{name: "known user, known key", min: 0, max: 0, status: "known",
			events: []event{derive(raw(day4, "arn:aws:iam::111122223333:user/alice", "IAMUser", "ListBuckets", "81.2.69.160", "AKIAalice0000000000"))}},
		{name: "first-seen long-term access key", min: 20, max: 25, reason: "first use of long-term access key AKIAalice9999999999", status: "new access key",
			events: []event{derive(raw(day4, "arn:aws:iam::111122223333:user/alice", "IAMUser", "ListBuckets", "81.2.69.160", "AKIAalice9999999999"))}},
		{name: "rotating role session names are one principal", min: 0, max: 0, status: "known",
			events: []event{derive(raw(day4, "arn:aws:sts::111122223333:assumed-role/app-role/botocore-session-1709", "AssumedRole", "GetObject", "3.80.1.1", "ASIAnew"))}},
		{name: "instance credentials from an address the instance never used", min: 45, max: 100,
			reason: "instance credentials of i-0123456789abcdef0 used from 85.214.132.117", status: "instance credentials elsewhere",
			events: []event{derive(raw(day4, "arn:aws:sts::111122223333:assumed-role/app-role/i-0123456789abcdef0", "AssumedRole", "GetObject", "85.214.132.117", "ASIAX9"))}},
		{name: "new IAM user judged by its peers, more for a high-impact call", min: 20, max: 60, reason: "first time iam_user mallory is seen", status: "new principal",
			events: []event{derive(raw(day4, "arn:aws:iam::111122223333:user/mallory", "IAMUser", "CreateAccessKey", "81.2.69.160", "AKIAmallory00000000"))}},
		{name: "new principal, peer group too small: abstains", minPeer: "1000", min: 0, max: 0, reason: "no verdict: only 120 events of this kind (min_peer=1000)", status: "new principal, no verdict",
			events: []event{derive(raw(day4, "arn:aws:iam::111122223333:user/mallory", "IAMUser", "CreateAccessKey", "81.2.69.160", "AKIAmallory00000000"))}},
		{name: "role created at fit time, used 10 minutes later", min: 45, max: 100, reason: "role backdoor used 10 min after it was created",
			history: []event{func() event {
				e := derive(raw(day4-600, "arn:aws:iam::111122223333:user/alice", "IAMUser", "CreateRole", "81.2.69.160", "AKIAalice0000000000"))
				e["requestParameters.roleName"] = "backdoor"
				return e
			}()},
			events: []event{func() event {
				e := derive(raw(day4, "arn:aws:iam::111122223333:user/bob", "IAMUser", "AssumeRole", "81.2.69.160", "AKIAbob0000000000"))
				e["requestParameters.roleArn"] = "arn:aws:iam::111122223333:role/backdoor"
				return e
			}()}},
		{name: "role trust changed and used in the scored stream, newest first", min: 45, max: 100, reason: "role backdoor was used 5 min after this change",
			events: []event{
				derive(raw(day4+300, "arn:aws:sts::111122223333:assumed-role/backdoor/x", "AssumedRole", "GetObject", "81.2.69.160", "ASIAY")),
				func() event {
					e := derive(raw(day4, "arn:aws:iam::111122223333:user/alice", "IAMUser", "UpdateAssumeRolePolicy", "81.2.69.160", "AKIAalice0000000000"))
					e["requestParameters.roleName"] = "backdoor"
					return e
				}()}},
		{name: "role created two days before use: not shortly", min: 0, max: 0,
			history: []event{func() event {
				e := derive(raw(day4-2*86400, "arn:aws:iam::111122223333:user/alice", "IAMUser", "CreateRole", "81.2.69.160", "AKIAalice0000000000"))
				e["requestParameters.roleName"] = "old"
				return e
			}()},
			events: []event{func() event {
				e := derive(raw(day4, "arn:aws:iam::111122223333:user/bob", "IAMUser", "AssumeRole", "81.2.69.160", "AKIAbob0000000000"))
				e["requestParameters.roleArn"] = "arn:aws:iam::111122223333:role/old"
				return e
			}()}},
		{name: "known user denied a sensitive call", min: 10, max: 35, reason: "alice was denied CreateAccessKey",
			events: []event{func() event {
				e := raw(day4, "arn:aws:iam::111122223333:user/alice", "IAMUser", "CreateAccessKey", "81.2.69.160", "AKIAalice0000000000")
				e["errorCode"] = "AccessDenied"
				return derive(e)
			}()}},
		{name: "new IaC principal: discounted", min: 1, max: 15, reason: "IaC/CI principal: discounted",
			events: []event{func() event {
				e := raw(day4, "arn:aws:iam::111122223333:user/terraform-ci", "IAMUser", "CreateBucket", "81.2.69.160", "AKIAtf0000000000000")
				e["userAgent"] = "APN/1.0 HashiCorp/1.0 Terraform/1.7.0"
				return derive(e)
			}()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			params := map[string]string{}
			if c.minPeer != "" {
				params["min_peer"] = c.minPeer
			}
			u := fitted(t, params, append(history(), c.history...))
			s, err := u.Scorer(nil)
			require.NoError(t, err)
			out := make([]string, len(s.Outputs()))
			var r models.Risk
			for _, e := range c.events {
				r = s.Score(e.get, out)
			}
			require.GreaterOrEqual(t, r.Score, c.min, "%+v", r)
			require.LessOrEqual(t, r.Score, c.max, "%+v", r)
			if c.reason != "" {
				require.NotEmpty(t, r.Reasons)
				require.Contains(t, r.Reasons[0].Text, c.reason)
			}
			if c.status != "" {
				require.Equal(t, c.status, out[0])
			}
		})
	}
}

// TestIdentityPeerPrior: the same new principal counts less in a group where principals come
// and go (many principals for their events) than in a stable one.
func TestIdentityPeerPrior(t *testing.T) {
	stable, churn := history(), history()
	for i := range 100 {
		churn = append(churn, derive(raw(t0+int64(i)*3000, fmt.Sprintf("arn:aws:iam::111122223333:user/temp%d", i), "IAMUser", "ListBuckets", "81.2.69.160", "")))
	}
	e := derive(raw(t0+5*86400, "arn:aws:iam::111122223333:user/mallory", "IAMUser", "ListBuckets", "81.2.69.160", ""))
	score := func(evs []event) float64 {
		s, err := fitted(t, nil, evs).Scorer(nil)
		require.NoError(t, err)
		return s.Score(e.get, make([]string, 2)).Score
	}
	require.Greater(t, score(stable), 1.5*score(churn))
	require.Positive(t, score(churn))
}

// TestIdentitySummaryAbstains: summary shows each peer group's prior and why a group abstains.
func TestIdentitySummaryAbstains(t *testing.T) {
	evs := history()[:8] // one hour of history
	u := fitted(t, nil, evs)
	h, rows := u.Summary()
	require.Equal(t, "verdict", h[len(h)-1])
	found := false
	for _, r := range rows {
		if r[0] == "iam_user" && r[1] == "111122223333" {
			found = true
			require.Contains(t, r[5], "abstains: only 6 events of this kind (min_peer=100)")
		}
	}
	require.True(t, found, "%v", rows)
	require.Contains(t, u.Report(), [2]string{"peer_groups_abstaining", "2"})
}

// signin is a successful console sign-in by user at t, with or without MFA.
func signin(t int64, user string, mfa bool) event {
	e := raw(t, "arn:aws:iam::111122223333:user/"+user, "IAMUser", "ConsoleLogin", "81.2.69.160", "")
	e["eventSource"], e["eventType"], e["responseElements.ConsoleLogin"] = "signin.amazonaws.com", "AwsConsoleSignIn", "Success"
	e["additionalEventData.MFAUsed"] = map[bool]string{true: "Yes", false: "No"}[mfa]
	return derive(e)
}

// TestIdentityMFAHabit: a sign-in without MFA scores only against a habit of n ≥ 3 earlier
// sign-ins that all used MFA, 60·(n+1)/(n+2) points; too little history or a mixed habit abstains.
func TestIdentityMFAHabit(t *testing.T) {
	day4 := int64(t0 + 4*86400 + 3600)
	habit := func(mfa ...bool) []event {
		var evs []event
		for i, m := range mfa {
			evs = append(evs, signin(t0+int64(i)*86400+300, "alice", m))
		}
		return evs
	}
	for _, c := range []struct {
		name    string
		history []event
		event   event
		want    float64
		status  string
	}{
		{"three MFA sign-ins, then none", habit(true, true, true), signin(day4, "alice", false), 60 * 4.0 / 5, "sign-in without MFA against habit"},
		{"ten MFA sign-ins, then none", habit(true, true, true, true, true, true, true, true, true, true), signin(day4, "alice", false), 60 * 11.0 / 12, "sign-in without MFA against habit"},
		{"two MFA sign-ins: too little history", habit(true, true), signin(day4, "alice", false), 0, "known"},
		{"one earlier sign-in without MFA: no habit", habit(true, false, true, true), signin(day4, "alice", false), 0, "known"},
		{"with MFA as usual", habit(true, true, true), signin(day4, "alice", true), 0, "known"},
		{"never uses MFA", habit(false, false, false), signin(day4, "alice", false), 0, "known"},
		{"another user's habit does not count", habit(true, true, true), signin(day4, "bob", false), 0, "known"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := fitted(t, nil, append(history(), c.history...))
			s, err := u.Scorer(nil)
			require.NoError(t, err)
			out := make([]string, len(s.Outputs()))
			r := s.Score(c.event.get, out)
			// A human's sign-in also opens a session; only the MFA reason is checked here.
			got := 0.0
			for _, x := range r.Reasons {
				if strings.Contains(x.Text, "sign-in without MFA") {
					got = x.Points
					require.Contains(t, x.Text, "earlier sign-ins all used MFA")
				}
			}
			require.InDelta(t, c.want, got, 1e-9, "%+v", r)
			if c.want > 0 {
				require.Equal(t, c.status, out[0])
			}
		})
	}
}

// TestIdentityMFAHabitMerges: the habit counts merge by sum, so two partial fits give the model
// of all events.
func TestIdentityMFAHabitMerges(t *testing.T) {
	a := fitted(t, nil, []event{signin(t0, "alice", true), signin(t0+86400, "alice", true)})
	b := fitted(t, nil, []event{signin(t0+2*86400, "alice", true)})
	st, err := b.State()
	require.NoError(t, err)
	require.NoError(t, a.Merge(st))
	all := fitted(t, nil, []event{signin(t0, "alice", true), signin(t0+86400, "alice", true), signin(t0+2*86400, "alice", true)})
	want, err := all.State()
	require.NoError(t, err)
	got, err := a.State()
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(got))
}
