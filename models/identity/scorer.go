package identity

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"awsrisk/models"
)

var outputs = []string{"id_status", "ai_identity_score"}

// Scorer implements [models.Unsupervised].
func (m *Model) Scorer(params map[string]string) (models.Scorer, error) {
	window, err := models.ParamInt(params, "window", m.window, 1)
	if err != nil {
		return nil, err
	}
	s := &scorer{m: m, window: window, peers: m.peers(), changed: map[string]int64{}, used: map[string]int64{}}
	return s, nil
}

type scorer struct {
	m      *Model
	window int64
	peers  map[string]*peer
	// Seen while scoring, so that a role created and used inside the scored window is caught in
	// either arrival order: role -> latest change time, role -> a time it was used.
	changed, used map[string]int64
}

func (s *scorer) Fields() []string  { return s.m.Fields() }
func (s *scorer) Outputs() []string { return outputs }

// surprise is 1 − (k + 1)/(n + 2): one minus the Good–Turing probability of something new after
// k distinct things in n observations.
func surprise(k, n int64) float64 { return 1 - float64(k+1)/float64(n+2) }

func num(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) {
		return 0
	}
	return f
}

// Score implements [models.Scorer].
func (s *scorer) Score(get func(string) string, out []string) models.Risk {
	out[0], out[1] = "", "0"
	var risk models.Risk
	add := func(points float64, category, text string) {
		if points <= 0 {
			return
		}
		risk.Score += points
		risk.Reasons = append(risk.Reasons, models.Reason{Text: text, Points: points})
		if risk.Category == "" {
			risk.Category = category
		}
	}
	t, timed := parseTime(get("_time"))
	name := strings.TrimSpace(get(s.m.field))
	kind := get("ct_principal_kind")

	// Role created or trust changed, then used within the window.
	if r := changedRole(get); r != "" && timed {
		s.changed[r] = max(s.changed[r], t)
		if u, ok := s.used[r]; ok && u >= t && u-t <= s.window {
			add(45, "persistence", fmt.Sprintf("role %s was used %s after this change to it", r, duration(u-t)))
		}
	}
	if role := usedRole(get); role != "" && timed {
		if _, ok := s.used[role]; !ok {
			s.used[role] = t
		}
		c, ok := s.changed[role]
		if sc, ok2 := s.m.st.Roles[role]; ok2 && (!ok || sc > c) && sc <= t {
			c, ok = sc, true
		}
		if ok && c <= t && t-c <= s.window {
			add(45, "persistence", fmt.Sprintf("role %s used %s after it was created or its trust policy changed", role, duration(t-c)))
		}
	}

	if !known(name) || kind == "aws_service" {
		return s.finish(&risk, out, "not judged")
	}
	p := s.m.st.Principals[name]
	factor, why := 1.0, ""
	switch {
	case get("ct_iac") == "1":
		factor, why = iacFactor, " (IaC/CI principal: discounted)"
	case get("ct_readonly") == "1" && get("ct_ua_family") == "console":
		factor, why = browsingFactor, " (read-only console browsing: discounted)"
	}
	impact := min(100, max(0, num(get("ct_api_impact"))))
	if get("ct_denied") == "1" && p != nil {
		// Context: a denied attempt is someone trying what they may not do; the more sensitive
		// the API, the more it weighs (a new principal's denial is counted below).
		add((deniedBase+deniedImpact*impact/100)*factor, "discovery",
			fmt.Sprintf("%s was denied %s (API impact %.0f)%s", name, get("eventName"), impact, why))
	}
	if p == nil {
		q := s.peers[kind+"|"+get("ct_account")]
		if q == nil || q.events < s.m.minPeer {
			q = s.peers[kind+"|*"]
		}
		if reason := s.m.abstains(q); reason != "" {
			out[0] = "new principal, no verdict"
			risk.Reasons = append(risk.Reasons, models.Reason{Text: fmt.Sprintf("first time %s %s is seen; no verdict: %s", kind, name, reason)})
			return s.finish(&risk, out, "")
		}
		mg := surprise(q.principals, q.events)
		pts := (20 + 30*impact/100) * mg
		text := fmt.Sprintf("first time %s %s is seen (new principals are %.2g%% of this kind's events)%s", kind, name, 100*(1-mg), why)
		add(pts*factor, "initial-access", text)
		if get("ct_denied") == "1" {
			add(15*factor, "initial-access", fmt.Sprintf("a new principal was denied %s", get("eventName")))
		}
		return s.finish(&risk, out, "new principal")
	}
	status := "known"
	if sess := get("ct_session"); human(p.Kind) && known(sess) && !p.Sessions[sess] {
		add(15*surprise(int64(len(p.Sessions)), p.N)*factor, "initial-access",
			fmt.Sprintf("first session %s of %s (%d sessions before)%s", sess, name, len(p.Sessions), why))
		status = "new session"
	}
	if k := get("ct_access_key"); strings.HasPrefix(k, "AKIA") && !p.Keys[k] {
		add(25*surprise(int64(len(p.Keys)), p.N)*factor, "credential-access",
			fmt.Sprintf("first use of long-term access key %s by %s (%d keys before)%s", k, name, len(p.Keys), why))
		status = "new access key"
	}
	// MFA habit: a sign-in without MFA by a principal whose earlier sign-ins all used it. Not
	// discounted for IaC or browsing: a sign-in is neither.
	if mfa, ok := signIn(get); ok && mfa == "0" && p.SignIns >= mfaHabitMin && p.MFASignIns == p.SignIns {
		h := float64(p.MFASignIns+1) / float64(p.SignIns+2)
		add(mfaHabitPoints*h, "initial-access",
			fmt.Sprintf("sign-in without MFA by %s, whose %d earlier sign-ins all used MFA", name, p.SignIns))
		status = "sign-in without MFA against habit"
	}
	if sess := get("ct_session"); instanceSession(sess) && get("ct_ip_class") == "public_ipv4" {
		ip := strings.TrimSpace(get("sourceIPAddress"))
		if ips, ok := p.Instances[sess]; ok && len(ips) < maxIPs {
			if _, found := slices.BinarySearch(ips, ip); !found {
				add(45, "credential-access", fmt.Sprintf("instance credentials of %s used from %s, an address the instance never used (%d known)", sess, ip, len(ips)))
				status = "instance credentials elsewhere"
			}
		}
	}
	return s.finish(&risk, out, status)
}

func (s *scorer) finish(r *models.Risk, out []string, status string) models.Risk {
	r.Score = min(100, r.Score)
	slices.SortStableFunc(r.Reasons, func(a, b models.Reason) int { return -cmpFloat(a.Points, b.Points) })
	if status != "" {
		out[0] = status
	}
	out[1] = strconv.FormatFloat(math.Round(r.Score*10)/10, 'f', -1, 64)
	return *r
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// usedRole is the role an event uses: the role of an assumed-role session, or the target of
// AssumeRole.
func usedRole(get func(string) string) string {
	if get("eventName") == "AssumeRole" {
		if r := roleOfARN(get("requestParameters.roleArn")); r != "" {
			return r
		}
	}
	if r := get("ct_role"); known(r) {
		return r
	}
	return ""
}

func duration(sec int64) string {
	if sec < 120 {
		return fmt.Sprintf("%ds", sec)
	}
	return fmt.Sprintf("%d min", sec/60)
}
