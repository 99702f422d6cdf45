package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"awsrisk/features"
)

// Config tunes grouping and scoring. The zero value of a field means its
// default (see DefaultConfig); Feedback may be nil.
type Config struct {
	Gap    time.Duration // a quiet gap longer than this closes an incident (60m)
	Window time.Duration // an incident spans at most this long (24h)

	TopK           int     // evidence items combined (8)
	Decay          float64 // weight of the j-th strongest evidence is Decay^j, j from 0 (0.5)
	ReadOnlyWeight float64 // factor on read-only, never-denied evidence (0.6)

	DeniedMin   int     // denied sensitive calls that make a burst (5)
	DeniedScore float64 // evidence score of a burst of exactly DeniedMin (60); +2 per extra denial, at most 90
	ReconMin    int     // distinct discovery APIs that make a reconnaissance stage (3)
	ReconScore  float64 // evidence score of a sensitive write after reconnaissance (55)
	ChainScore  float64 // evidence score of each known escalation chain (80)
	AuthFailMin int     // failed sign-ins that make a sign-in burst (5); scored like a denied burst
	SprayMin    int     // principals failing sign-in from one address that make a password spray (5)

	// CrossWindow links a role created or re-trusted by one principal to its
	// assumption from another account within this long (60m).
	CrossWindow time.Duration
	// CorroborateMin is the score a second piece of evidence needs to
	// corroborate the first (40); an incident without one is held at SoloCap
	// (79, under the alert) unless its single event is high-impact (an API of
	// high severity) and scores at least SoloMin (90).
	CorroborateMin float64
	SoloCap        float64
	SoloMin        float64
	// ReconRef is the mean score of the ReconMin strongest discovery APIs at
	// which reconnaissance counts fully for recon-then-write (50): routine
	// browsing the event scorer found unremarkable scales the boost down.
	ReconRef float64
	// IaCWeight multiplies the denied-burst and recon-then-write boosts of an
	// incident whose events are mostly IaC/CI (0.5): pipelines enumerate and
	// write by design and retry into denials.
	IaCWeight float64
	// HabitDays and HabitWeight: an API the principal called successfully in
	// incidents on at least HabitDays (3) earlier days is a habit and its
	// evidence is weighted by HabitWeight (0.6).
	HabitDays   int
	HabitWeight float64
	// PeerHabitMin: an API that at least this many (2) other principals of
	// the same kind and account have as a habit is the peer group's routine
	// and weighted by HabitWeight too (a new admin's first AttachUserPolicy
	// is what the other admins do every week).
	PeerHabitMin int
	// History seeds the habits and peer groups with what earlier searches
	// learned (the IncidentHistory model), so that a search over the last
	// hours judges habits as one over the whole month does; nil starts empty.
	History []PrincipalHistory

	// LiftFloor: in the per-event view (mode=events), an event whose own
	// score is at least this (20) takes its incident's score when that is
	// higher (see Lift); 0 keeps every event's own score.
	LiftFloor float64

	// RootScore is the evidence of each account-level act of the root user
	// that no tenant needs (80): a sign-in without MFA, an access key, a
	// password-policy change (see rootAct).
	RootScore float64
	// SignInRef is the sign-in event score at which an anomalous sign-in
	// followed by credential access counts fully (60; see signInChain).
	SignInRef float64
	// OnboardWeight multiplies the user-credential chains of an incident
	// that onboards a colleague (0.5; see onboarding).
	OnboardWeight float64

	SecretBurst  int           // successful GetSecretValue calls that make a secrets burst (10)
	SecretWindow time.Duration // ... within this long (10m); applications read secrets all day

	MaxEventIDs int // event_ids kept per incident (20)
	MaxSources  int // src values reported (3)
	MaxReasons  int // top_reasons reported (5)

	Feedback *Feedback // analyst verdicts applied to events and incidents, optional
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Gap: 60 * time.Minute, Window: 24 * time.Hour,
		TopK: 8, Decay: 0.5, ReadOnlyWeight: 0.6,
		DeniedMin: 5, DeniedScore: 60, ReconMin: 3, ReconScore: 55, ChainScore: 80,
		SecretBurst: 10, SecretWindow: 10 * time.Minute, AuthFailMin: 5, SprayMin: 5,
		CrossWindow: 60 * time.Minute, CorroborateMin: 40, SoloCap: 79, SoloMin: 90, ReconRef: 50,
		IaCWeight: 0.5, HabitDays: 3, HabitWeight: 0.6, RootScore: 80, SignInRef: 60, OnboardWeight: 0.5, PeerHabitMin: 2,
		LiftFloor:   20,
		MaxEventIDs: 20, MaxSources: 3, MaxReasons: 5,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	def := func(v *float64, dv float64) {
		if *v <= 0 {
			*v = dv
		}
	}
	defInt := func(v *int, dv int) {
		if *v <= 0 {
			*v = dv
		}
	}
	if c.Gap <= 0 {
		c.Gap = d.Gap
	}
	if c.Window <= 0 {
		c.Window = d.Window
	}
	defInt(&c.TopK, d.TopK)
	def(&c.Decay, d.Decay)
	def(&c.ReadOnlyWeight, d.ReadOnlyWeight)
	defInt(&c.DeniedMin, d.DeniedMin)
	def(&c.DeniedScore, d.DeniedScore)
	defInt(&c.ReconMin, d.ReconMin)
	def(&c.ReconScore, d.ReconScore)
	def(&c.ChainScore, d.ChainScore)
	defInt(&c.SecretBurst, d.SecretBurst)
	defInt(&c.AuthFailMin, d.AuthFailMin)
	defInt(&c.SprayMin, d.SprayMin)
	if c.SecretWindow <= 0 {
		c.SecretWindow = d.SecretWindow
	}
	if c.CrossWindow <= 0 {
		c.CrossWindow = d.CrossWindow
	}
	def(&c.CorroborateMin, d.CorroborateMin)
	def(&c.SoloCap, d.SoloCap)
	def(&c.SoloMin, d.SoloMin)
	def(&c.ReconRef, d.ReconRef)
	def(&c.IaCWeight, d.IaCWeight)
	defInt(&c.HabitDays, d.HabitDays)
	def(&c.HabitWeight, d.HabitWeight)
	def(&c.RootScore, d.RootScore)
	def(&c.SignInRef, d.SignInRef)
	def(&c.OnboardWeight, d.OnboardWeight)
	defInt(&c.PeerHabitMin, d.PeerHabitMin)
	defInt(&c.MaxEventIDs, d.MaxEventIDs)
	defInt(&c.MaxSources, d.MaxSources)
	defInt(&c.MaxReasons, d.MaxReasons)
	return c
}

// ErrNoPrincipal is returned by Add for an event without a principal.
var ErrNoPrincipal = errors.New("incident: event has no principal")

// ErrNoTime is returned by Add for an event without a time.
var ErrNoTime = errors.New("incident: event has no time")

// Per-incident caps keep memory bounded however long a session runs: beyond
// them new source addresses and reason texts are only counted.
const (
	maxTrackedSources = 256
	maxTrackedReasons = 256
)

// Grouper sessionises a stream of scored events into incidents per principal.
// Events should arrive in time order; disorder smaller than Gap is absorbed,
// an event later than that for a principal whose incident was already closed
// starts a new incident. Memory holds only open incidents (one per active
// principal), each bounded by the API vocabulary and the caps above.
type Grouper struct {
	cfg       Config
	open      map[principalKey]*state
	watermark time.Time // latest event time seen
	swept     time.Time // watermark at the last sweep
	out       []Incident
	// habits holds, per principal, the days on which each API was called
	// successfully in its closed incidents: bounded by principals × APIs.
	habits map[principalKey]map[string]*habit
	// peers lists the principals with habits per peer group (account and
	// kind), for peerHabit.
	peers map[peerKey][]principalKey
	// roleChanges are the recent successful CreateRole and
	// UpdateAssumeRolePolicy calls, kept for CrossWindow + Gap.
	roleChanges []roleChange
}

// peerKey is a peer group: principals of one kind in one account.
type peerKey struct{ account, kind string }

// peerHabit returns, for an API, how many other principals of p's peer group
// (same account and kind) have it as a habit (HabitDays days or more).
func (g *Grouper) peerHabit(p Principal) func(api string) int {
	peers := g.peers[peerKey{p.Account, p.Kind}]
	self := p.key()
	return func(api string) int {
		n := 0
		for _, k := range peers {
			if k == self {
				continue
			}
			if h := g.habits[k][api]; h != nil && h.Days() >= g.cfg.HabitDays {
				n++
			}
		}
		return n
	}
}

// habit holds the distinct days an API was used successfully by one
// principal (the days of its successful calls, learned from closed
// incidents or seeded from Config.History).
type habit struct{ DayMask }

// roleChange is a role created or re-trusted by creator.
type roleChange struct {
	t       time.Time
	account string
	role    string // "" when the record does not name it
	creator Principal
}

// NewGrouper returns a Grouper with cfg (zero fields take their defaults).
func NewGrouper(cfg Config) *Grouper {
	g := &Grouper{cfg: cfg.withDefaults(), open: make(map[principalKey]*state),
		habits: make(map[principalKey]map[string]*habit), peers: make(map[peerKey][]principalKey)}
	g.seed(g.cfg.History)
	return g
}

// Add feeds one event and returns the incidents it closed (those whose
// principal went quiet for longer than Gap before the event's time, and the
// principal's own incident when this event starts a new one), sorted by
// first time, risk object and id. The returned slice is reused by the next
// call to Add or Flush.
func (g *Grouper) Add(e Event) ([]Incident, error) {
	if e.Time.IsZero() {
		return nil, ErrNoTime
	}
	if e.Principal.Object == "" {
		return nil, ErrNoPrincipal
	}
	g.out = g.out[:0]
	if g.cfg.Feedback != nil {
		e = g.cfg.Feedback.DiscountEvent(e, "")
	}
	g.feed(e.Principal, e)
	// Failed sign-ins are also grouped by source address: a password spray
	// fails once or twice per user, which no principal's incident shows.
	if e.AuthFail && e.SourceIP != "" {
		g.feed(Principal{Object: e.SourceIP, Type: "system", Kind: KindSource}, e)
	}
	if !e.Denied && !e.AuthFail {
		switch e.Name {
		case "CreateRole", "UpdateAssumeRolePolicy":
			g.roleChanges = append(g.roleChanges, roleChange{e.Time, e.Principal.Account, e.Role, e.Principal})
		case "AssumeRole":
			g.linkAssume(e)
		}
	}
	if e.Time.After(g.watermark) {
		g.watermark = e.Time
	}
	// Sweeping every open incident on every event would be O(open) per event;
	// once per minute of event time is enough since Gap is minutes long.
	if g.watermark.Sub(g.swept) >= time.Minute {
		g.swept = g.watermark
		g.closeWhere(func(s *state) bool { return g.watermark.Sub(s.last) > g.cfg.Gap })
		g.roleChanges = slices.DeleteFunc(g.roleChanges, func(rc roleChange) bool {
			return g.watermark.Sub(rc.t) > g.cfg.CrossWindow+g.cfg.Gap
		})
	}
	sortIncidents(g.out)
	return g.out, nil
}

// Flush closes and returns every open incident, sorted like Add's result.
func (g *Grouper) Flush() []Incident {
	g.out = g.out[:0]
	g.closeWhere(func(*state) bool { return true })
	sortIncidents(g.out)
	return g.out
}

// closeWhere emits and forgets the open incidents close selects, in the
// order of their last event, then account and risk object: each emit
// teaches habits the next one is judged by (a peer's third day makes an API
// peer routine), so the order must not be the map's, which is random.
func (g *Grouper) closeWhere(close func(*state) bool) {
	var closing []*state
	for k, s := range g.open {
		if close(s) {
			closing = append(closing, s)
			delete(g.open, k)
		}
	}
	slices.SortFunc(closing, func(a, b *state) int {
		if c := a.last.Compare(b.last); c != 0 {
			return c
		}
		if c := strings.Compare(a.p.Kind, b.p.Kind); c != 0 { // source addresses apart
			return c
		}
		if c := strings.Compare(a.p.Account, b.p.Account); c != 0 {
			return c
		}
		return strings.Compare(a.p.Object, b.p.Object)
	})
	for _, s := range closing {
		g.emit(s)
	}
}

// feed adds e to p's open incident, closing it first when e does not fit.
func (g *Grouper) feed(p Principal, e Event) {
	k := p.key()
	if p.Kind == KindSource {
		k.account = sourceAccount
	}
	s := g.open[k]
	if s != nil && !s.accepts(e.Time, g.cfg) {
		g.emit(s)
		delete(g.open, k)
		s = nil
	}
	if s == nil {
		s = newState(p, e.Time)
		g.open[k] = s
	}
	s.add(e, g.cfg)
}

// linkAssume joins an AssumeRole to a role created or re-trusted shortly
// before by another principal: the cross-principal form of the chain "role
// created or its trust changed, then assumed". When both records name the
// role they must agree; when either does not, only an assumption from
// another account links, since principals of one account assume its roles
// all day. Both incidents get the chain (the creator's when still open).
func (g *Grouper) linkAssume(e Event) {
	if e.RoleAccount == "" {
		return
	}
	for i := len(g.roleChanges) - 1; i >= 0; i-- {
		rc := g.roleChanges[i]
		dt := e.Time.Sub(rc.t)
		if rc.account != e.RoleAccount || dt < 0 || dt > g.cfg.CrossWindow || rc.creator.key() == e.Principal.key() {
			continue
		}
		named := rc.role != "" && e.Role != ""
		if named && rc.role != e.Role || !named && e.Principal.Account == e.RoleAccount {
			continue
		}
		role := firstOf(rc.role, e.Role, "a role")
		from := "another principal"
		if e.Principal.Account != e.RoleAccount && e.Principal.Account != "" {
			from = "account " + e.Principal.Account
		}
		mins := fmtMinutes(dt)
		if s := g.open[e.Principal.key()]; s != nil {
			s.addLink(Evidence{Boost: "chain", Score: g.cfg.ChainScore, EventID: e.ID,
				Name: fmt.Sprintf("assumed %s of account %s %s after %s created it or changed its trust", role, rc.account, mins, rc.creator.Object)})
		}
		if s := g.open[rc.creator.key()]; s != nil {
			s.addLink(Evidence{Boost: "chain", Score: g.cfg.ChainScore, EventID: e.ID,
				Name: fmt.Sprintf("role created or its trust changed here (%s) was assumed by %s from %s %s later", role, e.Principal.Object, from, mins)})
		}
		return
	}
}

// fmtMinutes says a short delay in plain words.
func fmtMinutes(d time.Duration) string {
	if m := int(d.Round(time.Minute) / time.Minute); m >= 1 {
		if m == 1 {
			return "1 minute"
		}
		return strconv.Itoa(m) + " minutes"
	}
	return "seconds"
}

// sourceAccount keys source-address incidents apart from principals.
const sourceAccount = "\x00source"

// emit closes s into the output; a source address's incident is emitted
// only when it is a spray (SprayMin distinct principals failed from it), as
// the principals' own incidents already hold every event.
func (g *Grouper) emit(s *state) {
	if s.p.Kind == KindSource && len(s.users) < g.cfg.SprayMin {
		return
	}
	h := g.habits[s.p.key()]
	g.out = append(g.out, s.close(g.cfg, h, g.peerHabit(s.p)))
	if s.p.Kind == KindSource {
		return
	}
	// Learn this incident's APIs as habits only after scoring it, so an
	// incident is judged against earlier days alone.
	if h == nil {
		h = map[string]*habit{}
		g.habits[s.p.key()] = h
		pk := peerKey{s.p.Account, s.p.Kind}
		g.peers[pk] = append(g.peers[pk], s.p.key())
	}
	// The days are those of the successful calls, as the history model
	// learns them from events: an incident spans at most Window (24h), so
	// its successful calls fall on the days of the first and the last.
	for _, a := range s.apis {
		if !a.ok() {
			continue
		}
		x := h[a.name]
		if x == nil {
			x = &habit{}
			h[a.name] = x
		}
		x.DayMask = x.Add(Day(a.okFirst)).Add(Day(a.okLast))
	}
}

// Open reports the number of open incidents (for memory accounting).
func (g *Grouper) Open() int { return len(g.open) }

func sortIncidents(in []Incident) {
	slices.SortFunc(in, func(a, b Incident) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		if c := strings.Compare(a.RiskObject, b.RiskObject); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// ID returns the stable incident id: the first 16 hex digits of
// SHA-256(account, risk object, first event time in ns). The same events give
// the same id in every run, so feedback keyed on it survives re-scoring.
func ID(p Principal, first time.Time) string {
	h := sha256.New()
	h.Write([]byte(p.Account))
	h.Write([]byte{0})
	h.Write([]byte(p.Object))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, first.UnixNano(), 10))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// apiKey is an evidence key; a struct, unlike a joined string, costs no
// allocation per event.
type apiKey struct{ name, tactic string }

// apiStat aggregates one (eventName, tactic) pair of an incident.
type apiStat struct {
	name, tactic string
	sev          int
	first        time.Time // first call
	okFirst      time.Time // first successful call
	okLast       time.Time // last successful call
	count        int
	denied       int
	failed       int  // failed sign-ins
	readOnly     bool // every call was read-only
	otherUser    bool // a call targeted another IAM user
	// targets maps the user or role a chain API acted on to the first and
	// last successful call (chain APIs only, at most maxTargets names), so
	// chains can require the same user or role at both ends.
	targets  map[string]span
	maxScore float64
	maxID    string
	// maxCauses are the novelty causes of the strongest event when its
	// leading reason is a novelty (nil otherwise).
	maxCauses []string
}

func (a *apiStat) ok() bool { return a.count > a.denied+a.failed }

type span struct{ first, last time.Time }

// maxTargets bounds the targets kept per chain API and incident.
const maxTargets = 64

// chainTarget returns what a chain API acts on: the user for user chains,
// the role for role chains ("" when the record does not say); ok is false
// for APIs no chain links by target.
func chainTarget(e Event) (target string, ok bool) {
	switch e.Name {
	case "CreateUser", "CreateAccessKey":
		return e.Target, true
	case "CreateRole", "UpdateAssumeRolePolicy", "AssumeRole":
		return e.Role, true
	}
	return "", false
}

type reasonStat struct {
	weight float64 // sum of the scores of the events giving the reason
	count  int
}

type idAt struct {
	t  time.Time
	id string
}

type state struct {
	p           Principal
	first, last time.Time
	count       int
	denied      int
	sensitive   int
	apis        map[apiKey]*apiStat
	sources     map[string]int
	reasons     map[string]*reasonStat
	techniques  map[string]time.Time
	ids         []idAt
	// secretTimes holds the recent successful GetSecretValue times (at most
	// SecretBurst); secretBurst latches once SecretBurst fall in SecretWindow.
	secretTimes []time.Time
	secretBurst int
	authFails   int
	users       map[string]bool    // source-address incidents: principals seen, at most maxTargets
	firstFail   time.Time          // first failed sign-in
	okAfterFail bool               // a successful sign-in after the first failure
	iac         int                // events made by IaC/CI
	links       []Evidence         // cross-principal chains (linkAssume), at most maxLinks
	signIns     []signIn           // anomalous successful sign-ins, at most maxLinks
	rootActs    []Evidence         // root's account-level acts (rootAct), one per kind
	userActs    map[string]userAct // IAM users acted on (requestParameters.userName), at most maxTargets
	modelNovel  bool               // a Bedrock logging check or model call from a new address or agent (noteModelNovelty)
}

// userAct records what an incident did to one IAM user (see onboarding).
type userAct uint8

const (
	userCreated      userAct = 1 << iota // CreateUser
	userGrouped                          // AddUserToGroup
	userDirectPolicy                     // AttachUserPolicy, PutUserPolicy
	userCredentialed                     // CreateLoginProfile, UpdateLoginProfile, CreateAccessKey
)

// userActOf is the userAct bit of an API, 0 for others.
func userActOf(name string) userAct {
	switch name {
	case "CreateUser":
		return userCreated
	case "AddUserToGroup":
		return userGrouped
	case "AttachUserPolicy", "PutUserPolicy":
		return userDirectPolicy
	case "CreateLoginProfile", "UpdateLoginProfile", "CreateAccessKey":
		return userCredentialed
	}
	return 0
}

// signIn is a successful console sign-in that was anomalous (see signInAnomaly).
type signIn struct {
	t     time.Time
	score float64
	why   string
	id    string
}

// maxLinks bounds the cross-principal chains kept per incident.
const maxLinks = 8

func (s *state) addLink(ev Evidence) {
	if len(s.links) < maxLinks && !slices.ContainsFunc(s.links, func(x Evidence) bool { return x.Name == ev.Name }) {
		s.links = append(s.links, ev)
	}
}

// isIaC reports whether most of the incident's events came from IaC/CI.
func (s *state) isIaC() bool { return 2*s.iac > s.count }

func newState(p Principal, t time.Time) *state {
	return &state{
		p: p, first: t, last: t,
		apis: make(map[apiKey]*apiStat), sources: make(map[string]int),
		reasons: make(map[string]*reasonStat), techniques: make(map[string]time.Time),
	}
}

// accepts reports whether an event at t continues this incident: within Gap
// of its span (either side, to absorb small disorder) and keeping the span
// within Window.
func (s *state) accepts(t time.Time, cfg Config) bool {
	if t.After(s.last.Add(cfg.Gap)) || t.Before(s.first.Add(-cfg.Gap)) {
		return false
	}
	lo, hi := s.first, s.last
	if t.Before(lo) {
		lo = t
	}
	if t.After(hi) {
		hi = t
	}
	return hi.Sub(lo) <= cfg.Window
}

func isStage(tactic string) bool {
	return tactic != "" && tactic != features.None && tactic != features.Unknown
}

// sensitive reports whether a call counts as sensitive: an API of medium or
// high severity in the features tactic table, or an API outside the table
// that an upstream stage (ct_api_tactic) gave a tactic other than discovery.
// Low-severity APIs (GetObject, CreateRole, ListUsers, ...) are by the
// table's definition mostly benign and count only in bulk.
func sensitive(tactic string, sev int) bool {
	return sev >= features.SevMedium || sev == features.SevNone && isStage(tactic) && tactic != features.TacticDiscovery
}

// lowSevStageScore is the event score from which a low-severity call of a
// write tactic (GetObject as exfiltration, CreateRole as persistence) makes
// its tactic a stage: below it the scorer found nothing unusual and naming
// the session "exfiltration" for reading S3 objects would mislead.
const lowSevStageScore = 50

// stage returns the stage an aggregated API contributes, or "" for none.
func (a *apiStat) stage() string {
	if !isStage(a.tactic) {
		return ""
	}
	if a.sev == features.SevLow && writeTactics[a.tactic] && a.denied == 0 && a.maxScore < lowSevStageScore {
		return ""
	}
	return a.tactic
}

func (s *state) add(e Event, cfg Config) {
	if e.Time.Before(s.first) {
		s.first = e.Time
	}
	if e.Time.After(s.last) {
		s.last = e.Time
	}
	s.count++
	if e.IaC {
		s.iac++
	}
	tactic := e.Tactic
	if !isStage(tactic) {
		tactic = features.None
	}
	_, sev := features.Tactic(e.Name)
	k := apiKey{e.Name, tactic}
	a := s.apis[k]
	if a == nil {
		a = &apiStat{name: e.Name, tactic: tactic, sev: sev, first: e.Time, readOnly: true, maxScore: -1}
		s.apis[k] = a
	}
	if e.Time.Before(a.first) {
		a.first = e.Time
	}
	a.count++
	a.readOnly = a.readOnly && e.ReadOnly
	if e.Denied {
		a.denied++
		s.denied++
	} else if e.AuthFail {
		a.failed++
	} else {
		if a.okFirst.IsZero() || e.Time.Before(a.okFirst) {
			a.okFirst = e.Time
		}
		if e.Time.After(a.okLast) {
			a.okLast = e.Time
		}
		if e.Target != "" && (s.p.Kind != KindIAMUser || e.Target != s.p.Object) {
			a.otherUser = true
		}
		if tg, ok := chainTarget(e); ok {
			switch {
			case tg == "":
			case a.targets == nil:
				a.targets = map[string]span{tg: {e.Time, e.Time}}
			default:
				if sp, ok := a.targets[tg]; ok {
					a.targets[tg] = span{minTime(sp.first, e.Time), maxTime(sp.last, e.Time)}
				} else if len(a.targets) < maxTargets {
					a.targets[tg] = span{e.Time, e.Time}
				}
			}
		}
	}
	// Ties keep the smaller event id so the result does not depend on order.
	if e.Score > a.maxScore || e.Score == a.maxScore && e.ID < a.maxID {
		a.maxScore, a.maxID = e.Score, e.ID
		a.maxCauses = nil
		if cs, led := noveltyCauses(e.Reasons); led {
			a.maxCauses = cs
		}
	}
	if sensitive(tactic, sev) {
		s.sensitive++
	}
	if e.SourceIP != "" {
		if _, ok := s.sources[e.SourceIP]; ok || len(s.sources) < maxTrackedSources {
			s.sources[e.SourceIP]++
		}
	}
	for _, r := range e.Reasons {
		if r == "" {
			continue
		}
		rs := s.reasons[r]
		if rs == nil {
			if len(s.reasons) >= maxTrackedReasons {
				continue
			}
			rs = &reasonStat{}
			s.reasons[r] = rs
		}
		rs.weight += e.Score
		rs.count++
	}
	if e.Technique != "" && e.Technique != features.None {
		if t, ok := s.techniques[e.Technique]; !ok || e.Time.Before(t) {
			s.techniques[e.Technique] = e.Time
		}
	}
	if s.p.Kind == KindSource && (s.users[e.Principal.Object] || len(s.users) < maxTargets) {
		if s.users == nil {
			s.users = map[string]bool{}
		}
		s.users[e.Principal.Object] = true
	}
	switch {
	case e.AuthFail:
		s.authFails++
		if s.firstFail.IsZero() || e.Time.Before(s.firstFail) {
			s.firstFail = e.Time
		}
	case e.Name == "ConsoleLogin" && !e.Denied && !s.firstFail.IsZero() && e.Time.After(s.firstFail):
		s.okAfterFail = true
	}
	if e.Name == "GetSecretValue" && !e.Denied {
		s.trackSecret(e.Time, cfg)
	}
	s.noteModelNovelty(e)
	if !e.Denied && !e.AuthFail {
		if e.Name == "ConsoleLogin" && len(s.signIns) < maxLinks {
			if why := signInAnomaly(e, s.p); why != "" {
				s.signIns = append(s.signIns, signIn{e.Time, e.Score, why, e.ID})
			}
		}
		if bit := userActOf(e.Name); bit != 0 && e.Target != "" && (s.p.Kind != KindIAMUser || e.Target != s.p.Object) {
			if _, ok := s.userActs[e.Target]; ok || len(s.userActs) < maxTargets {
				if s.userActs == nil {
					s.userActs = map[string]userAct{}
				}
				s.userActs[e.Target] |= bit
			}
		}
		if what := rootAct(e, s.p); what != "" && !slices.ContainsFunc(s.rootActs, func(x Evidence) bool { return x.Name == what }) {
			s.rootActs = append(s.rootActs, Evidence{Boost: "root", Name: what, Score: cfg.RootScore, EventID: e.ID, single: true})
		}
	}
	s.keepID(e, cfg.MaxEventIDs)
}

// trackSecret keeps the successful GetSecretValue times of the last
// SecretWindow, sorted, to detect SecretBurst of them within the window.
func (s *state) trackSecret(t time.Time, cfg Config) {
	i, _ := slices.BinarySearchFunc(s.secretTimes, t, time.Time.Compare)
	s.secretTimes = slices.Insert(s.secretTimes, i, t)
	latest := s.secretTimes[len(s.secretTimes)-1]
	drop := 0
	for drop < len(s.secretTimes) && latest.Sub(s.secretTimes[drop]) > cfg.SecretWindow {
		drop++
	}
	s.secretTimes = slices.Delete(s.secretTimes, 0, drop)
	if len(s.secretTimes) > 4*cfg.SecretBurst { // bound memory on a flood
		s.secretTimes = slices.Delete(s.secretTimes, 0, len(s.secretTimes)-4*cfg.SecretBurst)
	}
	s.secretBurst = max(s.secretBurst, len(s.secretTimes))
}

// keepID keeps the MaxEventIDs earliest event ids, ordered by (time, id).
func (s *state) keepID(e Event, n int) {
	if e.ID == "" {
		return
	}
	x := idAt{e.Time, e.ID}
	less := func(a, b idAt) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	}
	i, _ := slices.BinarySearchFunc(s.ids, x, less)
	if i >= n {
		return
	}
	s.ids = slices.Insert(s.ids, i, x)
	if len(s.ids) > n {
		s.ids = s.ids[:n]
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
