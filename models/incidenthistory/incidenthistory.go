// Package incidenthistory learns the history `awsrisk incidents` judges habits by, from the events
// of past days, so that the hourly Splunk search over the last hours judges a principal's habits
// and its peers' routine as a search over the whole month does.
//
//	fit IncidentHistory ct_risk_object into app:awsrisk_incident_history
//	awsrisk incidents history=awsrisk_incident_history
//
// # What it learns
//
// Per normalised principal, keyed exactly as the scoring search's incidents group (ct_risk_object,
// else the principal score would write there, scorer.PrincipalOf's, and the account), so it reads
// raw events and needs no features=all: its kind (from the ARN; the peer group is kind and
// account), its successful calls (not denied, not a failed sign-in), the first and last day of
// one, and for each API (eventName) the UTC days on which it called it successfully as an
// [incident.DayMask]: the 64 days ending at the API's last day, one bit each. Only principals with
// a successful call are kept (denied calls and failed sign-ins teach no habit), so an address
// guessing passwords adds nothing; memory is bounded by principals × APIs, 16 bytes per pair.
// Every part merges exactly and in any order (sums, min/max, the union of day masks, whose window
// only moves forward), so map phases and partial_fit give the model of all the events.
//
// The incidents search reads it (history=) before its first event: an API the principal called on
// ≥ HabitDays (3) days is a habit (×0.6), one that ≥ PeerHabitMin (2) other principals of its peer
// group call on ≥ 3 days is peer routine (×0.6), and the sign-in rules learn which credential
// APIs the principal called before and on how many days. The search's own incidents are learned
// on top, by the same days of successful calls, so the two agree.
//
// The model scores nothing (risk 0): applied to events it only shows, per event, on how many days
// the principal called that API (incident_habit_days) and how many peers have it as a habit
// (incident_peer_routine), which is why an incident discounted it.
package incidenthistory

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"awsrisk/features"
	"awsrisk/models"
	"awsrisk/scorer/incident"
)

// Algorithm is the name used in SPL.
const Algorithm = "IncidentHistory"

// keyField is the one field fit names: the principal incidents group on.
const keyField = incident.FieldRiskObject

func init() {
	models.Register(Algorithm, nil, nil, newModel)
}

// Model is the IncidentHistory state.
type Model struct{ st state }

type state struct {
	Algorithm string `json:"algorithm"`
	Rows      int64  `json:"rows"`
	Skipped   int64  `json:"skipped"` // rows without a time or a principal
	// Unsuccessful counts denied calls and failed sign-ins, which teach no habit.
	Unsuccessful int64                 `json:"unsuccessful"`
	Principals   map[string]*principal `json:"principals"`
}

type principal struct {
	Account  string                      `json:"account"`
	Object   string                      `json:"object"`
	Kind     string                      `json:"kind"`
	Calls    int64                       `json:"calls"`     // successful calls
	FirstDay int64                       `json:"first_day"` // of a successful call
	LastDay  int64                       `json:"last_day"`
	APIs     map[string]incident.DayMask `json:"apis,omitempty"`
}

// key is the state's map key of a principal: its account and risk object, as incidents group.
func key(account, object string) string { return account + "|" + object }

func newModel(spec models.Spec) (models.Unsupervised, error) {
	if len(spec.Fields) != 1 || spec.Fields[0] != keyField || len(spec.By) > 0 {
		return nil, fmt.Errorf("%s learns per principal exactly as awsrisk incidents groups, on %s and no by clause: fit %s %s into awsrisk_incident_history",
			Algorithm, keyField, Algorithm, keyField)
	}
	return &Model{st: state{Algorithm: Algorithm, Principals: map[string]*principal{}}}, nil
}

func (m *Model) Algorithm() string { return Algorithm }

// Fields are what incidents read of an event (its principal, time, outcome and API).
func (m *Model) Fields() []string { return fields() }

// identityInputs are the fields the principal normalisation reads (scorer.PrincipalOf's).
var identityInputs = []string{
	"userIdentity.type", "userIdentity.arn", "userIdentity.principalId", "userIdentity.accessKeyId",
	"userIdentity.accountId", "userIdentity.sessionContext.sessionIssuer.arn",
	"userIdentity.sessionContext.sessionIssuer.userName", "userIdentity.invokedBy",
	"userIdentity.userName", "additionalEventData.UserName", "recipientAccountId",
}

// event reads a record as `awsrisk incidents` does after `awsrisk score`: the principal is
// ct_risk_object, else the normalised identity (scorer.PrincipalOf, which the command applies),
// and the kind is the ARN's, never ct_principal_kind: score does not output that field, so the
// scoring search's incidents never see it, while a fit with features=all derives it (in another
// vocabulary). Either way the principal and its peer group are the ones the search uses.
func event(get func(string) string) (incident.Event, bool) {
	obj := get(incident.FieldRiskObject)
	return incident.EventFromRecord(func(f string) string {
		switch f {
		case incident.FieldKind:
			return ""
		case incident.FieldRiskObject:
			if obj == "" {
				obj = principalOf(get)
			}
			return obj
		}
		return get(f)
	})
}

// principalOf is features.NormalizeIdentity's principal, as scorer.PrincipalOf computes it for a
// row without ct_risk_object (TestPrincipalAsScorer holds the two together).
func principalOf(raw func(string) string) string {
	return features.NormalizeIdentity(features.UserIdentityOf(raw)).Principal
}

// fields are the inputs of fit and apply: what incidents read and the identity fields.
func fields() []string {
	out := incident.RequiredFields()
	for _, f := range identityInputs {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Add implements [models.Unsupervised]: the event's principal is the one incidents would group
// it under; a successful call adds its day to the API's days. Only successful calls make a
// principal: denied calls and failed sign-ins teach no habit, and a principal made only of them
// (an address guessing passwords, "unknown@<ip>") would grow the model with nothing to seed;
// counting them only for principals already present would depend on the order of the events.
func (m *Model) Add(get func(string) string) {
	m.st.Rows++
	e, ok := event(get)
	if !ok || e.Principal.Object == "" {
		m.st.Skipped++
		return
	}
	if e.Denied || e.AuthFail || e.Name == "" {
		m.st.Unsuccessful++
		return
	}
	day := incident.Day(e.Time)
	k := key(e.Principal.Account, e.Principal.Object)
	p := m.st.Principals[k]
	if p == nil {
		p = &principal{Account: e.Principal.Account, Object: e.Principal.Object, Kind: e.Principal.Kind, FirstDay: day, LastDay: day,
			APIs: map[string]incident.DayMask{}}
		m.st.Principals[k] = p
	}
	p.Calls++
	p.FirstDay, p.LastDay = min(p.FirstDay, day), max(p.LastDay, day)
	p.Kind = min(p.Kind, e.Principal.Kind) // the smallest seen: independent of order
	p.APIs[e.Name] = p.APIs[e.Name].Add(day)
}

// State implements [models.Unsupervised]: JSON with sorted map keys, so equal models give equal bytes.
func (m *Model) State() ([]byte, error) { return json.Marshal(&m.st) }

// Merge implements [models.Unsupervised].
func (m *Model) Merge(b []byte) error {
	var st state
	if err := models.DecodeState(b, Algorithm, &st); err != nil {
		return err
	}
	if st.Principals == nil {
		return fmt.Errorf("%s state has no principals", Algorithm)
	}
	for k, o := range st.Principals {
		if o == nil || o.Object == "" || k != key(o.Account, o.Object) {
			return fmt.Errorf("%s state: principal %q is not keyed by its account and object", Algorithm, k)
		}
		if o.FirstDay > o.LastDay || o.Calls < 0 {
			return fmt.Errorf("%s state: principal %q has first day %d after last day %d or %d calls", Algorithm, k, o.FirstDay, o.LastDay, o.Calls)
		}
	}
	m.st.Rows += st.Rows
	m.st.Skipped += st.Skipped
	m.st.Unsuccessful += st.Unsuccessful
	for k, o := range st.Principals {
		p := m.st.Principals[k]
		if p == nil {
			m.st.Principals[k] = o
			continue
		}
		p.Calls += o.Calls
		p.FirstDay, p.LastDay = min(p.FirstDay, o.FirstDay), max(p.LastDay, o.LastDay)
		p.Kind = min(p.Kind, o.Kind)
		for api, dm := range o.APIs {
			if p.APIs == nil {
				p.APIs = map[string]incident.DayMask{}
			}
			p.APIs[api] = p.APIs[api].Union(dm)
		}
	}
	return nil
}

// History is the model as the incidents Grouper's seed (incident.Config.History), sorted by
// account and principal.
func (m *Model) History() []incident.PrincipalHistory {
	out := make([]incident.PrincipalHistory, 0, len(m.st.Principals))
	for _, k := range slices.Sorted(maps.Keys(m.st.Principals)) {
		p := m.st.Principals[k]
		out = append(out, incident.PrincipalHistory{
			Principal: incident.Principal{Object: p.Object, Kind: p.Kind, Account: p.Account},
			APIs:      maps.Clone(p.APIs),
		})
	}
	return out
}

// FromFile loads the history of a saved model, refusing a model of another algorithm.
func FromFile(f *models.File) ([]incident.PrincipalHistory, error) {
	if f.Algorithm != Algorithm {
		return nil, fmt.Errorf("model %q is a %s model, not %s: train it with fit %s %s into %s",
			f.Name, f.Algorithm, Algorithm, Algorithm, keyField, f.Name)
	}
	u, err := models.LoadFile(f)
	if err != nil {
		return nil, err
	}
	return u.(*Model).History(), nil
}

// habitDays and peerMin are the incidents defaults the summary and the scorer report against.
var (
	habitDays = incident.DefaultConfig().HabitDays
	peerMin   = incident.DefaultConfig().PeerHabitMin
)

// groupKey is a peer group's key: kind and account, sorting by kind first.
func groupKey(kind, account string) string { return kind + "\x00" + account }

// groups maps each peer group (groupKey) to its principals' keys, sorted.
func (m *Model) groups() map[string][]string {
	g := map[string][]string{}
	for _, k := range slices.Sorted(maps.Keys(m.st.Principals)) {
		p := m.st.Principals[k]
		gk := groupKey(p.Kind, p.Account)
		g[gk] = append(g[gk], k)
	}
	return g
}

// routine lists the APIs at least peerMin principals of a group have as a habit, most shared first.
func (m *Model) routine(keys []string) []string {
	n := map[string]int{}
	for _, k := range keys {
		for api, dm := range m.st.Principals[k].APIs {
			if dm.Days() >= habitDays {
				n[api]++
			}
		}
	}
	var out []string
	for api, c := range n {
		if c >= peerMin {
			out = append(out, api)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if n[a] != n[b] {
			return n[b] - n[a]
		}
		return strings.Compare(a, b)
	})
	return out
}

// habits counts a principal's APIs used on at least habitDays days.
func habits(p *principal) int {
	n := 0
	for _, dm := range p.APIs {
		if dm.Days() >= habitDays {
			n++
		}
	}
	return n
}

func dayString(d int64) string { return time.Unix(d*86400, 0).UTC().Format(time.DateOnly) }

// Report implements [models.Unsupervised].
func (m *Model) Report() [][2]string {
	pairs, hab := 0, 0
	first, last := int64(0), int64(0)
	for i, k := range slices.Sorted(maps.Keys(m.st.Principals)) {
		p := m.st.Principals[k]
		pairs += len(p.APIs)
		hab += habits(p)
		if i == 0 {
			first, last = p.FirstDay, p.LastDay
		}
		first, last = min(first, p.FirstDay), max(last, p.LastDay)
	}
	span := ""
	if len(m.st.Principals) > 0 {
		span = dayString(first) + " to " + dayString(last)
	}
	i := strconv.Itoa
	return [][2]string{
		{"rows", strconv.FormatInt(m.st.Rows, 10)},
		{"skipped", strconv.FormatInt(m.st.Skipped, 10)},
		{"unsuccessful", strconv.FormatInt(m.st.Unsuccessful, 10)},
		{"principals", i(len(m.st.Principals))},
		{"peer_groups", i(len(m.groups()))},
		{"principal_apis", i(pairs)},
		{"habits", i(hab)},
		{"days", span},
	}
}

// Summary implements [models.Unsupervised]: one row per peer group (kind, account): its
// principals, how many have habits, the days covered and the APIs that are the group's routine
// (a habit of at least PeerHabitMin principals), then a _model row with the thresholds.
func (m *Model) Summary() (header []string, rows [][]string) {
	header = []string{"kind", "account", "principals", "with_habits", "habits", "first_day", "last_day", "peer_routine"}
	groups := m.groups()
	for _, gk := range slices.Sorted(maps.Keys(groups)) { // by kind, then account
		keys := groups[gk]
		with, hab := 0, 0
		first, last := m.st.Principals[keys[0]].FirstDay, m.st.Principals[keys[0]].LastDay
		for _, k := range keys {
			p := m.st.Principals[k]
			if n := habits(p); n > 0 {
				with++
				hab += n
			}
			first, last = min(first, p.FirstDay), max(last, p.LastDay)
		}
		r := m.routine(keys)
		routine := strings.Join(r[:min(len(r), 8)], " ")
		if len(r) > 8 {
			routine += fmt.Sprintf(" (+%d)", len(r)-8)
		}
		kind, account, _ := strings.Cut(gk, "\x00")
		rows = append(rows, []string{kind, account, strconv.Itoa(len(keys)), strconv.Itoa(with), strconv.Itoa(hab),
			dayString(first), dayString(last), routine})
	}
	rows = append(rows, []string{"_model", "", strconv.Itoa(len(m.st.Principals)), "", "", "", "",
		fmt.Sprintf("habit: an API on >= %d days (of the last %d per API); peer routine: a habit of >= %d peers", habitDays, incident.MaskDays, peerMin)})
	return header, rows
}

// Scorer implements [models.Unsupervised]. History is context, not risk: the scorer writes how
// many days the principal called the event's API and how many peers have it as a habit, and
// scores 0.
func (m *Model) Scorer(map[string]string) (models.Scorer, error) {
	routine := map[string]map[string]int{} // peer group -> API -> principals with it as a habit
	for gk, keys := range m.groups() {
		n := map[string]int{}
		for _, k := range keys {
			for api, dm := range m.st.Principals[k].APIs {
				if dm.Days() >= habitDays {
					n[api]++
				}
			}
		}
		routine[gk] = n
	}
	return &applier{m: m, routine: routine}, nil
}

type applier struct {
	m       *Model
	routine map[string]map[string]int
}

// Output fields of apply.
const (
	FieldHabitDays   = "incident_habit_days"
	FieldPeerRoutine = "incident_peer_routine"
)

func (s *applier) Fields() []string  { return fields() }
func (s *applier) Outputs() []string { return []string{FieldHabitDays, FieldPeerRoutine} }

// Score writes the days the principal called the API successfully (0 when never, "" for an
// event without a principal) and the number of its peers (itself excluded) with it as a habit.
func (s *applier) Score(get func(string) string, out []string) models.Risk {
	out[0], out[1] = "", ""
	e, ok := event(get)
	if !ok || e.Principal.Object == "" {
		return models.Risk{}
	}
	days, kind := 0, e.Principal.Kind
	if p := s.m.st.Principals[key(e.Principal.Account, e.Principal.Object)]; p != nil {
		days, kind = p.APIs[e.Name].Days(), p.Kind
	}
	peers := s.routine[groupKey(kind, e.Principal.Account)][e.Name]
	if days >= habitDays {
		peers-- // the principal itself
	}
	out[0], out[1] = strconv.Itoa(days), strconv.Itoa(peers)
	return models.Risk{}
}
