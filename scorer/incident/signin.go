package incident

import (
	"fmt"
	"slices"
	"strings"

	"awsrisk/features"
)

// Sign-in rules. A console sign-in is every user's habit, so its event score
// is mostly low; what a SOC pages on is how the session began and what it
// did next, and a few acts of the root user that no tenant needs.

// rootAct names an account-level act of the root user that a SOC treats as
// an incident in any tenant, "" for anything else. CIS AWS Foundations: the
// root user has MFA (1.5/1.6) and no access keys (1.4), and IAM
// administrators, not root, own the password policy; so
//
//	root sign-in without MFA                      (ConsoleLogin, MFA "0")
//	root creating an access key                   (CreateAccessKey)
//	root changing or deleting the password policy (Update/DeleteAccountPasswordPolicy)
//
// each count RootScore as one call's evidence (it replaces the call's own
// and needs corroboration like it). Root signing in with MFA to read billing,
// or fixing a bucket policy IAM cannot, is the break-glass use these rules
// leave to the event score.
func rootAct(e Event, p Principal) string {
	if p.Kind != KindRoot {
		return ""
	}
	switch e.Name {
	case "ConsoleLogin":
		if e.MFA == "0" {
			return "root signed in without MFA"
		}
	case "CreateAccessKey":
		if e.Target == "" || strings.HasPrefix(e.Target, "root") {
			return "root created an access key for itself"
		}
	case "UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy":
		return "root changed the account password policy (" + e.Name + ")"
	}
	return ""
}

// signInAnomaly says how a successful console sign-in was anomalous, "" when
// it was not: root without MFA; without MFA against the principal's habit
// (IdentityNovelty's reason "sign-in without MFA by P, whose n earlier
// sign-ins all used MFA"); from an address or at an hour the baselines had
// not seen for the principal (a novelty cause F=V among its reasons).
func signInAnomaly(e Event, p Principal) string {
	if p.Kind == KindRoot && e.MFA == "0" {
		return "as root without MFA"
	}
	var why []string
	for _, r := range e.Reasons {
		if strings.HasPrefix(strings.TrimSpace(r), "sign-in without MFA by ") {
			why = append(why, "without MFA against habit")
			break
		}
	}
	for _, r := range e.Reasons {
		c := noveltyCause(r)
		switch {
		case strings.HasPrefix(c, FieldSourceIP+"=") && !slices.Contains(why, "from a new address"):
			why = append(why, "from a new address")
		case strings.HasPrefix(c, "ct_hour") && !slices.Contains(why, "at an unusual hour"):
			why = append(why, "at an unusual hour")
		}
	}
	return strings.Join(why, " and ")
}

// credentialAPIs read credentials or enumerate the identities and keys to
// take next: what a stolen console session does first.
var credentialAPIs = map[string]bool{
	"GetSecretValue": true, "BatchGetSecretValue": true, "ListSecrets": true,
	"GetParameter": true, "GetParameters": true, "GetParametersByPath": true,
	"ListUsers": true, "ListAccessKeys": true, "GetCredentialReport": true,
	"GenerateCredentialReport": true, "GetAccountAuthorizationDetails": true, "GetPasswordData": true,
}

// signInChain is the chain "anomalous sign-in, then credential access": a
// session that began with an anomalous sign-in (signInAnomaly) and then
// successfully did what a stolen console session does first. What counts as
// "then" depends on how strong the anomaly is:
//
//	root without MFA, or without MFA     any credentialAPIs call or sensitive write that is
//	  against the principal's habit      not a habit of the principal (called on HabitDays
//	                                     earlier days)
//	only a new address or an unusual     ≥ 2 distinct credentialAPIs the principal never called
//	  hour (people travel and work late) before, and the principal has ≥ HabitDays days of
//	                                     history (so "never" means something)
//
// Its score follows how unusual the event scorer found the sign-in:
//
//	s = ChainScore · min(1, m/SignInRef),  m the strongest anomalous sign-in's score
//
// so a sign-in without MFA against habit (scored ≈ 60–80) followed by
// ListAccessKeys counts as a known chain, while a new address the scorer
// found ordinary adds little.
func (s *state) signInChain(cfg Config, habits map[string]*habit) (Evidence, bool) {
	if len(s.signIns) == 0 {
		return Evidence{}, false
	}
	best := s.signIns[0]
	for _, x := range s.signIns[1:] {
		if x.score > best.score {
			best = x
		}
	}
	strong := strings.Contains(best.why, "MFA")
	days := 0
	for _, h := range habits {
		days = max(days, h.Days())
	}
	var next []string
	for _, a := range s.apis {
		if !a.ok() || a.okLast.Before(best.t) || a.name == "ConsoleLogin" {
			continue
		}
		h := habits[a.name]
		switch {
		case strong:
			if !credentialAPIs[a.name] && !(writeTactics[a.tactic] && a.sev >= features.SevMedium && !a.readOnly) ||
				h != nil && h.Days() >= cfg.HabitDays {
				continue
			}
		case !credentialAPIs[a.name] || h != nil || days < cfg.HabitDays:
			continue
		}
		if !slices.Contains(next, a.name) {
			next = append(next, a.name)
		}
	}
	if len(next) == 0 || !strong && len(next) < 2 {
		return Evidence{}, false
	}
	slices.Sort(next)
	sc := cfg.ChainScore * clamp(best.score/cfg.SignInRef, 0, 1)
	if !strong {
		sc = cfg.ChainScore
	}
	what := "then "
	if !strong {
		what = "then, for the first time, "
	}
	return Evidence{Boost: "chain", Score: sc,
		Name: fmt.Sprintf("sign-in %s, %s%s", best.why, what, listNames(next, 3))}, true
}
