// Package identity scores identity novelty: a principal, a human's session or a long-term access
// key seen for the first time, a role used shortly after it was created or its trust policy
// changed, and instance-role credentials used from an address the instance never used.
//
//	fit IdentityNovelty ct_principal into <name> features=all [window=3600] [min_peer=100]
//	apply <name> [window=SECONDS]
//
// # Training
//
// The state is keyed on the normalised principal (ct_principal: the role name, not the rotating
// assumed-role session ARN) and holds, per principal: kind (ct_principal_kind), account
// (ct_account), events, first and last _time, the session names of human principals (iam_user,
// sso, federated, root; a role's sessions rotate by design and are not tracked), long-term access
// keys (AKIA…; temporary ASIA… keys rotate every hour), and for instance-role sessions (session
// name i-…) the source addresses each instance used (at most [maxIPs], the smallest kept so merges
// do not depend on order). Per role name, the latest CreateRole / UpdateAssumeRolePolicy time
// (requestParameters.roleName, else the last segment of requestParameters.roleArn). Every part
// merges by sum, min/max or set union, so map phases and partial_fit give the model of all events.
//
// # Peer-group prior
//
// A new principal is judged by its peers, principals of the same kind in the same account (the
// kind over all accounts when that group has fewer than min_peer events): with E_g events and P_g
// principals in the group, the Good–Turing probability that the next event of the group comes
// from a principal never seen before is q_g = (P_g + 1)/(E_g + 2), and its surprise
// m_g = 1 − q_g (near 1 in a stable group, lower where principals come and go, as CI sessions do).
// A group with fewer than min_peer events, or history spanning less than one day, abstains: the
// event scores 0 and the reason says so (summary counts the abstaining groups).
//
// # Risk
//
//	new principal        (20 + 30·impact/100)·m_g   + 15 when the call was denied
//	new human session    15·m_u,  m_u = 1 − (S_u + 1)/(n_u + 2) for S_u sessions in n_u events
//	new long-term key    25·m_k,  m_k = 1 − (K_u + 1)/(n_u + 2)
//	role created/changed 45 when the role is used within `window` seconds of CreateRole or
//	   then used         UpdateAssumeRolePolicy (seen at fit time, or earlier in the scored stream)
//	instance credentials 45 when an i-… session of a known instance calls from a public address the
//	   from elsewhere    instance never used
//	denied call          10 + 25·impact/100 for a known principal denied a call (ct_denied=1)
//	sign-in without MFA  60·(k+1)/(n+2) for a successful console sign-in without MFA (ct_mfa=0) by a
//	   against habit     principal whose n ≥ 3 earlier successful sign-ins all used MFA (k = n): the
//	                     Laplace estimate that the next sign-in uses MFA, so 3 MFA sign-ins give 48
//	                     and a long habit approaches 60. Fewer than 3 earlier sign-ins, or one
//	                     earlier sign-in without MFA, abstain: a user who sometimes skips MFA has no
//	                     habit to break. A classic SOC detection (stolen password, MFA not yet
//	                     enforced, or a session cookie replayed) that holds in any account.
//
// impact is the API's prior impact (ct_api_impact, 0..100). The sum is capped at 100. Context:
// principals recognisably IaC/CI (ct_iac=1) get novelty ×0.3, read-only console browsing ×0.5
// (a first look around is what new people do). Service principals (aws_service) are not judged.
package identity

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"awsrisk/models"
)

const (
	algorithm      = "IdentityNovelty"
	defaultWindow  = 3600 // seconds between a role's creation and its use that count as "shortly"
	defaultMinPeer = 100  // events a peer group needs before its prior judges a new identity
	maxIPs         = 32   // addresses kept per instance session
	day            = 86400

	iacFactor      = 0.3 // novelty of an IaC/CI principal: ephemeral identities are its job
	deniedBase     = 10  // a known principal denied a call: 10 + 25·impact/100 points
	deniedImpact   = 25
	browsingFactor = 0.5 // novelty of read-only console browsing
	mfaHabitPoints = 60  // a sign-in without MFA against an all-MFA habit: 60·(k+1)/(n+2) points
	mfaHabitMin    = 3   // earlier successful sign-ins a principal needs before its MFA habit counts
)

func init() {
	models.Register(algorithm, []string{"window", "min_peer"}, []string{"window"}, newIdentity)
}

// Fields read besides the principal field.
var inputs = []string{"_time", "ct_principal_kind", "ct_account", "ct_session", "ct_access_key", "ct_role",
	"sourceIPAddress", "ct_ip_class", "eventName", "ct_api_impact", "ct_denied", "ct_iac", "ct_readonly",
	"ct_ua_family", "requestParameters.roleName", "requestParameters.roleArn", "ct_mfa", "ct_failure"}

// Model is the IdentityNovelty state.
type Model struct {
	field   string
	window  int64
	minPeer int64
	st      state
}

type state struct {
	Algorithm  string                `json:"algorithm"`
	Window     int64                 `json:"window"`
	MinPeer    int64                 `json:"min_peer"`
	Rows       int64                 `json:"rows"`
	Principals map[string]*principal `json:"principals"`
	Roles      map[string]int64      `json:"roles_changed"` // role name -> latest create/trust-change time
}

type principal struct {
	Kind      string              `json:"kind"`
	Account   string              `json:"account"`
	N         int64               `json:"n"`
	First     int64               `json:"first"`
	Last      int64               `json:"last"`
	Sessions  map[string]bool     `json:"sessions,omitempty"`
	Keys      map[string]bool     `json:"keys,omitempty"`
	Instances map[string][]string `json:"instances,omitempty"` // session i-… -> sorted addresses
	// SignIns counts successful console sign-ins whose MFA is known, MFASignIns those with MFA: the
	// principal's MFA habit (a sum, so it merges exactly).
	SignIns    int64 `json:"signins,omitempty"`
	MFASignIns int64 `json:"mfa_signins,omitempty"`
}

// signIn reads a successful console sign-in's MFA: mfa is "1" or "0", ok false for any other
// event or an unknown MFA.
func signIn(get func(string) string) (mfa string, ok bool) {
	if get("eventName") != "ConsoleLogin" || get("ct_failure") != "0" {
		return "", false
	}
	switch m := get("ct_mfa"); m {
	case "0", "1":
		return m, true
	}
	return "", false
}

func newIdentity(spec models.Spec) (models.Unsupervised, error) {
	if len(spec.Fields) != 1 || len(spec.By) > 0 {
		return nil, fmt.Errorf("%s takes one principal field and no by clause: fit %s ct_principal into <name> features=all", algorithm, algorithm)
	}
	m := &Model{field: spec.Fields[0]}
	var err error
	if m.window, err = models.ParamInt(spec.Params, "window", defaultWindow, 1); err != nil {
		return nil, err
	}
	if m.minPeer, err = models.ParamInt(spec.Params, "min_peer", defaultMinPeer, 1); err != nil {
		return nil, err
	}
	m.st = state{Algorithm: algorithm, Window: m.window, MinPeer: m.minPeer, Principals: map[string]*principal{}, Roles: map[string]int64{}}
	return m, nil
}

func (m *Model) Algorithm() string { return algorithm }
func (m *Model) Fields() []string  { return append([]string{m.field}, inputs...) }

// known reports whether a normalised value names something (features write "unknown"/"none").
func known(s string) bool { return s != "" && s != "unknown" && s != "none" }

func human(kind string) bool {
	return kind == "iam_user" || kind == "sso" || kind == "federated" || kind == "root"
}

func instanceSession(s string) bool {
	if len(s) < 10 || !strings.HasPrefix(s, "i-") {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func parseTime(s string) (int64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f != f {
		return 0, false
	}
	return int64(f), true
}

// changedRole is the role whose creation or trust policy the event changes, "" if none.
func changedRole(get func(string) string) string {
	switch get("eventName") {
	case "CreateRole", "UpdateAssumeRolePolicy":
	default:
		return ""
	}
	if r := strings.TrimSpace(get("requestParameters.roleName")); r != "" {
		return r
	}
	return roleOfARN(get("requestParameters.roleArn"))
}

func roleOfARN(arn string) string {
	arn = strings.TrimSpace(arn)
	if i := strings.LastIndex(arn, ":role/"); i >= 0 {
		r := arn[i+len(":role/"):]
		return r[strings.LastIndex(r, "/")+1:]
	}
	return ""
}

// Add implements [models.Unsupervised].
func (m *Model) Add(get func(string) string) {
	m.st.Rows++
	t, ok := parseTime(get("_time"))
	if r := changedRole(get); r != "" && ok {
		m.st.Roles[r] = max(m.st.Roles[r], t)
	}
	name := strings.TrimSpace(get(m.field))
	if !known(name) || !ok {
		return
	}
	p := m.st.Principals[name]
	if p == nil {
		p = &principal{Kind: get("ct_principal_kind"), Account: get("ct_account"), First: t, Last: t}
		m.st.Principals[name] = p
	}
	p.N++
	p.First, p.Last = min(p.First, t), max(p.Last, t)
	p.label(get("ct_principal_kind"), get("ct_account"))
	if s := get("ct_session"); known(s) {
		if human(p.Kind) {
			if p.Sessions == nil {
				p.Sessions = map[string]bool{}
			}
			p.Sessions[s] = true
		}
		if ip := strings.TrimSpace(get("sourceIPAddress")); instanceSession(s) && ip != "" {
			if p.Instances == nil {
				p.Instances = map[string][]string{}
			}
			p.Instances[s] = addIPs(p.Instances[s], ip)
		}
	}
	if mfa, ok := signIn(get); ok {
		p.SignIns++
		if mfa == "1" {
			p.MFASignIns++
		}
	}
	if k := get("ct_access_key"); strings.HasPrefix(k, "AKIA") {
		if p.Keys == nil {
			p.Keys = map[string]bool{}
		}
		p.Keys[k] = true
	}
}

// label keeps the smallest (kind, account) seen for a principal (a role name can exist in several
// accounts), so that the label does not depend on the order of events or merges.
func (p *principal) label(kind, account string) {
	if kind < p.Kind || kind == p.Kind && account < p.Account {
		p.Kind, p.Account = kind, account
	}
}

// addIPs adds addresses to a sorted set, keeping the maxIPs smallest: the same set whatever the
// order of arrival and merges.
func addIPs(set []string, ips ...string) []string {
	for _, ip := range ips {
		i, found := slices.BinarySearch(set, ip)
		if !found {
			set = slices.Insert(set, i, ip)
		}
	}
	if len(set) > maxIPs {
		set = set[:maxIPs]
	}
	return set
}

// State implements [models.Unsupervised]: JSON with sorted map keys, so equal models give equal bytes.
func (m *Model) State() ([]byte, error) { return json.Marshal(&m.st) }

// Merge implements [models.Unsupervised].
func (m *Model) Merge(b []byte) error {
	var st state
	if err := models.DecodeState(b, algorithm, &st); err != nil {
		return err
	}
	if st.Window != m.window || st.MinPeer != m.minPeer {
		return fmt.Errorf("%s state has window=%d min_peer=%d, this model window=%d min_peer=%d", algorithm, st.Window, st.MinPeer, m.window, m.minPeer)
	}
	m.st.Rows += st.Rows
	for r, t := range st.Roles {
		m.st.Roles[r] = max(m.st.Roles[r], t)
	}
	for name, o := range st.Principals {
		if o == nil {
			return fmt.Errorf("%s state: principal %q has no body", algorithm, name)
		}
		p := m.st.Principals[name]
		if p == nil {
			m.st.Principals[name] = o
			continue
		}
		p.N += o.N
		p.SignIns += o.SignIns
		p.MFASignIns += o.MFASignIns
		p.First, p.Last = min(p.First, o.First), max(p.Last, o.Last)
		p.label(o.Kind, o.Account)
		for s := range o.Sessions {
			if p.Sessions == nil {
				p.Sessions = map[string]bool{}
			}
			p.Sessions[s] = true
		}
		for k := range o.Keys {
			if p.Keys == nil {
				p.Keys = map[string]bool{}
			}
			p.Keys[k] = true
		}
		for s, ips := range o.Instances {
			if p.Instances == nil {
				p.Instances = map[string][]string{}
			}
			p.Instances[s] = addIPs(p.Instances[s], ips...)
		}
	}
	return nil
}

// peer is a peer group's totals.
type peer struct {
	events, principals int64
	first, last        int64
}

func (m *Model) peers() map[string]*peer {
	g := map[string]*peer{}
	for _, p := range m.st.Principals {
		for _, k := range []string{p.Kind + "|" + p.Account, p.Kind + "|*"} {
			q := g[k]
			if q == nil {
				q = &peer{first: p.First, last: p.Last}
				g[k] = q
			}
			q.events += p.N
			q.principals++
			q.first, q.last = min(q.first, p.First), max(q.last, p.Last)
		}
	}
	return g
}

// abstains says why a peer group gives no verdict, "" when it judges.
func (m *Model) abstains(q *peer) string {
	switch {
	case q == nil:
		return "no principal of this kind seen before"
	case q.events < m.minPeer:
		return fmt.Sprintf("only %d events of this kind (min_peer=%d)", q.events, m.minPeer)
	case q.last-q.first < day:
		return "less than one day of history for this kind"
	}
	return ""
}

// Report implements [models.Unsupervised].
func (m *Model) Report() [][2]string {
	var abstain int
	groups := m.peers()
	for k, q := range groups {
		if !strings.HasSuffix(k, "|*") && m.abstains(q) != "" {
			abstain++
		}
	}
	i := func(n int) string { return strconv.Itoa(n) }
	return [][2]string{
		{"rows", strconv.FormatInt(m.st.Rows, 10)},
		{"principals", i(len(m.st.Principals))},
		{"peer_groups", i(len(groups) / 2)},
		{"peer_groups_abstaining", i(abstain)},
		{"roles_changed", i(len(m.st.Roles))},
	}
}

// Summary implements [models.Unsupervised]: one row per peer group (kind, account) with its
// prior, and the thresholds under which a group abstains.
func (m *Model) Summary() (header []string, rows [][]string) {
	header = []string{"kind", "account", "principals", "events", "p_new_principal", "verdict"}
	groups := m.peers()
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		q := groups[k]
		kind, acct, _ := strings.Cut(k, "|")
		verdict := "judges new principals"
		if why := m.abstains(q); why != "" {
			verdict = "abstains: " + why
		}
		pn := float64(q.principals+1) / float64(q.events+2)
		rows = append(rows, []string{kind, acct, strconv.FormatInt(q.principals, 10), strconv.FormatInt(q.events, 10),
			strconv.FormatFloat(pn, 'g', 3, 64), verdict})
	}
	rows = append(rows, []string{"_model", "", strconv.Itoa(len(m.st.Principals)), strconv.FormatInt(m.st.Rows, 10), "",
		fmt.Sprintf("min_peer=%d events and 1 day of history per group; window=%ds", m.minPeer, m.window)})
	return header, rows
}
