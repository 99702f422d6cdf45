package incident

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"awsrisk/features"
)

// Incident is one principal's session of activity, the output row of the
// incidents command.
type Incident struct {
	ID              string
	RiskObject      string
	RiskObjectType  string
	PrincipalKind   string
	Account         string
	First, Last     time.Time
	EventCount      int
	Score           int      // 0..100, see Score in the package doc
	Stages          []Stage  // ATT&CK tactics in order of first appearance
	Techniques      []string // ATT&CK techniques in order of first appearance
	DeniedCount     int
	SensitiveCount  int
	DistinctAPIs    int
	Sources         []string // most frequent source addresses, at most MaxSources
	SourceCount     int      // distinct source addresses (up to an internal cap)
	TopReasons      []string // reasons by summed event score, at most MaxReasons
	EventIDs        []string // earliest event ids, at most MaxEventIDs
	Evidence        []Evidence
	Top             Evidence // the highest-scoring event (Boost is empty)
	DeniedAPIs      []string // sensitive APIs that were denied, most denied first
	DeniedSensitive int
	FailedSignIns   int
	// Held is true when the evidence alone would pass SoloCap but lacks
	// corroboration, so the score was held at SoloCap (see Score in the doc).
	Held      bool
	Narrative string
}

// Stage is one ATT&CK tactic of an incident with the APIs that reached it.
type Stage struct {
	Tactic string
	First  time.Time
	APIs   []string // successful APIs in order of first call
	Denied int      // denied calls in this stage
}

// Evidence is one input of the incident score: the strongest event of one
// (tactic, eventName) pair, or a boost (Boost names it).
type Evidence struct {
	Boost   string // "" for an event; else "denied-burst", "recon-then-write", "chain:<name>"
	Name    string // eventName, or the boost's description
	Tactic  string
	Score   float64 // after the read-only weight
	EventID string
	// single marks a boost that one call makes (a console password set for
	// another user): it replaces that call's evidence rather than adding to
	// it, and needs corroboration like any single event.
	single bool
	// Novelty marks an event whose strongest reason is a baseline novelty
	// (new address, unusual hour, new principal): it stands for every event
	// of the incident sharing its cause (see noveltyCauses).
	Novelty bool
	acts    int // novelty: the sensitive writes and denied sensitive calls it stands for
}

// Duration is Last − First.
func (in Incident) Duration() time.Duration { return in.Last.Sub(in.First) }

// StageNames returns the stage tactics in order.
func (in Incident) StageNames() []string {
	out := make([]string, len(in.Stages))
	for i, s := range in.Stages {
		out[i] = s.Tactic
	}
	return out
}

// stageImpact ranks tactics by the harm done when an attacker reaches them;
// the event category of an incident is its highest-ranked stage. Discovery
// ranks low because every console user and pipeline performs it.
var stageImpact = map[string]int{
	features.TacticImpact:          9,
	features.TacticExfiltration:    8,
	features.TacticDefenseEvasion:  7,
	features.TacticPrivEsc:         6,
	features.TacticPersistence:     5,
	features.TacticCredentialAcc:   4,
	features.TacticLateralMovement: 3,
	features.TacticInitialAccess:   2,
	features.TacticDiscovery:       1,
}

// Category returns the incident's highest-impact stage, "none" without
// stages. It is the ai_threat_category of every event of the incident (see
// EventCategory).
func (in Incident) Category() string { return HighestStage(in.StageNames()) }

// HighestStage returns the highest-impact tactic of stages by the ranking
// impact > exfiltration > defense-evasion > privilege-escalation >
// persistence > credential-access > lateral-movement > initial-access >
// discovery > other tactics; "none" for no stage. Ties keep the first.
func HighestStage(stages []string) string {
	best, rank := features.None, -1
	for _, s := range stages {
		if !isStage(s) {
			continue
		}
		if r := stageImpact[s]; r > rank {
			best, rank = s, r
		}
	}
	return best
}

// EventCategory returns the ai_threat_category of an event of in: the
// incident's highest-impact stage, so a ListUsers that preceded StopLogging
// is labelled defense-evasion like the session it belongs to, and a GetObject
// in a session without stages is "none". An event that belongs to no
// incident (nil) keeps its own tactic.
func EventCategory(in *Incident, own string) string {
	if in == nil {
		if isStage(own) {
			return own
		}
		return features.None
	}
	return in.Category()
}

// writeTactics are the stages that change the account or move data; a
// sensitive write after reconnaissance is one of these.
var writeTactics = map[string]bool{
	features.TacticPrivEsc: true, features.TacticPersistence: true, features.TacticDefenseEvasion: true,
	features.TacticExfiltration: true, features.TacticImpact: true,
}

// chain is a known escalation pattern: a successful call of From followed
// (not necessarily directly) by a successful call of To.
type chain struct {
	name     string
	from, to []string
	linked   bool // both ends must act on the same user or role, when the records name it
}

const chainNewUserKey = "new IAM user given an access key"

var chains = []chain{
	{chainNewUserKey, []string{"CreateUser"}, []string{"CreateAccessKey"}, true},
	{"role created or its trust changed, then assumed",
		[]string{"CreateRole", "UpdateAssumeRolePolicy"}, []string{"AssumeRole"}, true},
	{"logging disabled after a policy grant",
		[]string{"AttachUserPolicy", "PutUserPolicy", "AttachRolePolicy", "PutRolePolicy", "AttachGroupPolicy",
			"PutGroupPolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion", "AddUserToGroup"},
		// Only actions that switch logging off: UpdateTrail and
		// PutEventSelectors are routine trail administration.
		[]string{"StopLogging", "DeleteTrail", "DeleteDetector", "DeleteFlowLogs", "StopConfigurationRecorder",
			"DeleteConfigurationRecorder"}, false},
	// LLMjacking (Sysdig, Permiso 2024): stolen keys check whether prompts
	// are logged before running models on the victim's bill. Applications
	// invoke models; they do not read the account's logging configuration.
	// Administrators do, and test a model in the same console session: the
	// chain counts only when the model use is not the identity's own (see
	// modelUseUnusual).
	{chainLLMjacking, []string{modelLoggingCheck}, modelInvocations, false},
}

const (
	chainLLMjacking   = "model invocation logging checked, then models invoked"
	modelLoggingCheck = "GetModelInvocationLoggingConfiguration"
)

// modelInvocations are the four spellings of one act, running a foundation
// model: a session that uses several of them did one thing.
var modelInvocations = []string{"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"}

// bedrockAPIs are the Bedrock calls that make an identity a Bedrock user:
// it invoked models, looked at the model catalogue or administered model
// invocation logging.
var bedrockAPIs = append([]string{
	"ListFoundationModels", "GetFoundationModel", "GetFoundationModelAvailability", "ListInferenceProfiles",
	modelLoggingCheck, "PutModelInvocationLoggingConfiguration",
}, modelInvocations...)

// modelUseUnusual reports whether the LLMjacking chain applies to this
// incident's model use: the identity has no Bedrock history (no successful
// Bedrock call on a day before the incident's), or its logging check or
// model calls came from an address or an agent new to it (s.modelNovel). A
// platform admin reading the logging configuration and trying a model from
// the usual desk is routine; a stolen key doing it is not, because the thief
// is new to Bedrock, to the address or to the tool.
func (s *state) modelUseUnusual(habits map[string]*habit) bool {
	if s.modelNovel {
		return true
	}
	today := Day(s.first)
	for _, n := range bedrockAPIs {
		if h := habits[n]; h != nil && h.Days() > 0 && h.First() < today {
			return false
		}
	}
	return true
}

// modelNoveltyFields are the novelty causes (F=V) that make a Bedrock call's
// origin new to its identity: the address and the agent.
var modelNoveltyFields = []string{"sourceIPAddress=", "userAgent=", "ct_ua_family=", "ct_ip_class="}

// noteModelNovelty latches s.modelNovel when a successful logging check or
// model call names a novel address or agent, or a principal never seen, in
// any of its reasons (leading or not: the supervised score may lead).
func (s *state) noteModelNovelty(e Event) {
	if s.modelNovel || e.Denied || e.Name != modelLoggingCheck && !slices.Contains(modelInvocations, e.Name) {
		return
	}
	cs, _ := noveltyCauses(e.Reasons)
	for _, c := range cs {
		if c == "new principal" || slices.ContainsFunc(modelNoveltyFields, func(f string) bool { return strings.HasPrefix(c, f) }) {
			s.modelNovel = true
			return
		}
	}
}

// boosts returns the evidence that only the session as a whole shows.
func (s *state) boosts(cfg Config, habits map[string]*habit) []Evidence {
	var out []Evidence
	byName := map[string][]*apiStat{}
	for _, a := range s.apis {
		byName[a.name] = append(byName[a.name], a)
	}
	// Denied burst: several denied sensitive calls on at least two APIs. One
	// API denied in a retry loop is a misconfigured job, not a probe.
	// Pipelines enumerate, write and retry into denials by design, so their
	// bursts and recon-then-write count at IaCWeight.
	iacW, iacNote := 1.0, ""
	if s.isIaC() {
		iacW, iacNote = cfg.IaCWeight, ", discounted: an IaC/CI pipeline"
	}
	deniedAPIs, n := s.deniedSensitive()
	if n >= cfg.DeniedMin && len(deniedAPIs) >= 2 {
		sc := math.Min(90, cfg.DeniedScore+2*float64(n-cfg.DeniedMin))
		out = append(out, Evidence{Boost: "denied-burst", Score: iacW * sc,
			Name: fmt.Sprintf("denied %d times on sensitive APIs (%s)%s", n, listNames(deniedAPIs, 3), iacNote)})
	}
	// Failed sign-ins: guessing passwords. One success after failures is
	// the brute force that worked.
	if s.authFails >= cfg.AuthFailMin {
		sc := math.Min(90, cfg.DeniedScore+2*float64(s.authFails-cfg.AuthFailMin))
		out = append(out, Evidence{Boost: "signin-burst", Score: sc, Name: fmt.Sprintf("%d failed sign-ins", s.authFails)})
	}
	if s.p.Kind == KindSource && len(s.users) >= cfg.SprayMin {
		out = append(out, Evidence{Boost: "chain", Score: cfg.ChainScore,
			Name: fmt.Sprintf("password spray: failed sign-ins for %d principals from one address", len(s.users))})
	}
	if s.authFails >= cfg.AuthFailMin && s.okAfterFail {
		out = append(out, Evidence{Boost: "chain", Score: cfg.ChainScore,
			Name: fmt.Sprintf("sign-in succeeded after %d failures", s.authFails)})
	}
	// Reconnaissance then a sensitive write: ReconMin distinct discovery APIs,
	// then a successful medium/high-severity write whose last call follows
	// the moment the ReconMin-th discovery API was first used.
	var recon []time.Time
	for _, a := range s.apis {
		if a.tactic == features.TacticDiscovery {
			recon = append(recon, a.first)
		}
	}
	if len(recon) >= cfg.ReconMin {
		slices.SortFunc(recon, time.Time.Compare)
		tr := recon[cfg.ReconMin-1]
		var writes []string
		writeCauses := map[string]bool{}
		for _, a := range s.apis {
			if writeTactics[a.tactic] && a.sev >= features.SevMedium && a.ok() && !a.okLast.Before(tr) {
				writes = append(writes, a.name)
				for _, c := range a.maxCauses {
					writeCauses[c] = true
				}
			}
		}
		// The reconnaissance counts by how unusual the event scorer found it,
		// but not for the novelty the write already stands for: a session at
		// an odd hour or from a new address shows that one cause on every
		// call, and counting it again through the browsing before the write
		// would make one piece of evidence two. Such discovery calls count 0.
		var reconScores []float64
		for _, a := range s.apis {
			if a.tactic != features.TacticDiscovery {
				continue
			}
			sc := a.maxScore
			if slices.ContainsFunc(a.maxCauses, func(c string) bool { return writeCauses[c] }) {
				sc = 0
			}
			reconScores = append(reconScores, sc)
		}
		if sc := iacW * reconWeight(reconScores, cfg.ReconMin, cfg.ReconRef) * cfg.ReconScore; len(writes) > 0 && sc > 0 {
			slices.Sort(writes)
			out = append(out, Evidence{Boost: "recon-then-write", Score: sc,
				Name: "sensitive write after reconnaissance (" + listNames(writes, 3) + ")" + iacNote})
		}
	}
	okSpan := func(names []string) (first, last time.Time, ok bool) {
		for _, nm := range names {
			for _, a := range byName[nm] {
				if !a.ok() {
					continue
				}
				if !ok || a.okFirst.Before(first) {
					first = a.okFirst
				}
				if !ok || a.okLast.After(last) {
					last = a.okLast
				}
				ok = true
			}
		}
		return first, last, ok
	}
	// Onboarding: a colleague's user created, placed in a group and given a
	// password or key is the textbook way to add a person (CIS 1.15:
	// permissions through groups); the user-credential chains then count at
	// OnboardWeight.
	onbW, onbNote := 1.0, ""
	if s.onboarding() {
		onbW, onbNote = cfg.OnboardWeight, ", discounted: a new user placed in a group (onboarding)"
	}
	for _, c := range chains {
		f, _, ok1 := okSpan(c.from)
		_, l, ok2 := okSpan(c.to)
		if !ok1 || !ok2 || l.Before(f) {
			continue
		}
		if c.linked && !s.linked(byName, c) {
			continue
		}
		if c.name == chainLLMjacking && !s.modelUseUnusual(habits) {
			continue
		}
		w, note := 1.0, ""
		if c.name == chainNewUserKey {
			w, note = onbW, onbNote
		}
		out = append(out, Evidence{Boost: "chain", Name: c.name + note, Score: w * cfg.ChainScore})
	}
	for _, nm := range []string{"CreateLoginProfile", "UpdateLoginProfile"} {
		for _, a := range byName[nm] {
			if a.otherUser || a.ok() && s.p.Kind != KindIAMUser && s.p.Kind != KindUnknown {
				out = append(out, Evidence{Boost: "chain", Name: "console password set for another user (" + nm + ")" + onbNote,
					Score: onbW * max(cfg.ChainScore, a.maxScore), EventID: a.maxID, single: true})
				break
			}
		}
	}
	if s.secretBurst >= cfg.SecretBurst {
		out = append(out, Evidence{Boost: "chain", Score: cfg.ChainScore,
			Name: fmt.Sprintf("burst of %d secret reads within %v", s.secretBurst, cfg.SecretWindow)})
	}
	return append(out, s.links...)
}

// onboarding reports whether every IAM user given a console password or an
// access key in this incident (other than the caller) was also created in
// it, added to a group and given no policy of its own: an administrator
// adding a colleague. A backdoor user gets AdministratorAccess attached
// directly (or no group at all); an existing user's new password or key is
// a takeover, never onboarding.
func (s *state) onboarding() bool {
	n := 0
	for _, act := range s.userActs {
		if act&userCredentialed == 0 {
			continue
		}
		if act&(userCreated|userGrouped) != userCreated|userGrouped || act&userDirectPolicy != 0 {
			return false
		}
		n++
	}
	return n > 0
}

// reconWeight is how much a reconnaissance stage counts, from the event
// scores of its discovery APIs: the mean m of the k strongest over ref,
// capped at 1. Browsing the event scorer found routine (m ≪ ref) makes a
// later write no more suspicious; unusual enumeration counts fully.
func reconWeight(scores []float64, k int, ref float64) float64 {
	if len(scores) == 0 || k <= 0 || ref <= 0 {
		return 0
	}
	top := slices.Clone(scores)
	slices.SortFunc(top, func(a, b float64) int { return cmp.Compare(b, a) })
	top = top[:min(k, len(top))]
	m := 0.0
	for _, x := range top {
		m += max(x, 0)
	}
	return clamp(m/float64(len(top))/ref, 0, 1)
}

// corroborated reports whether sorted evidence may put an incident at the
// alert: a second piece scoring at least CorroborateMin, a chain or burst
// (several events by definition), or a single event of a high-severity API
// scoring at least SoloMin. One routine admin's one unusual call should not
// page; a lone DeleteTrail far off the baseline should.
func corroborated(ev []Evidence, top Evidence, cfg Config) bool {
	if len(ev) == 0 {
		return true
	}
	// A novelty piece standing for several sensitive calls (one new address
	// that creates a key pair, opens a port and runs instances) is many
	// calls, not one admin's one unusual call.
	if ev[0].Boost != "" && !ev[0].single || ev[0].Novelty && ev[0].acts >= 2 ||
		len(ev) > 1 && ev[1].Score >= cfg.CorroborateMin {
		return true
	}
	_, sev := features.Tactic(top.Name)
	return !ev[0].Novelty && sev >= features.SevHigh && max(top.Score, ev[0].Score) >= cfg.SoloMin
}

// substantive reports whether the incident holds evidence of what was done,
// beyond where or when: a chain or burst, a denied sensitive call, a
// successful sensitive write, or an event at CorroborateMin or more whose
// leading reason is not a novelty. A session that is only new (a new
// principal's first day, a new address, an unusual hour) does not page
// however many APIs it touches; a new address that also deletes a trail does.
func (s *state) substantive(ev []Evidence, cfg Config) bool {
	for _, e := range ev {
		if e.Boost != "" || !e.Novelty && e.Score >= cfg.CorroborateMin {
			return true
		}
	}
	for _, a := range s.apis {
		if a.acted() {
			return true
		}
	}
	return false
}

// acted reports whether the API was a sensitive write that succeeded or a
// sensitive call that was denied: evidence of what was done or tried.
func (a *apiStat) acted() bool {
	return sensitive(a.tactic, a.sev) && (a.denied > 0 || a.ok() && !a.readOnly)
}

// linked reports whether chain c joins the same user or role: a name acted
// on successfully by a From API no later than by a To API. Admins create
// roles and assume others all day; only the same role is the pattern. When
// neither end names any target (requestParameters not extracted) the order
// alone decides; when only one end names them (CreateAccessKey without
// userName is a key for the caller itself) they are not linked.
func (s *state) linked(byName map[string][]*apiStat, c chain) bool {
	collect := func(names []string) map[string]span {
		m := map[string]span{}
		for _, n := range names {
			for _, a := range byName[n] {
				if !a.ok() {
					continue
				}
				for t, sp := range a.targets {
					if old, ok := m[t]; ok {
						sp = span{minTime(old.first, sp.first), maxTime(old.last, sp.last)}
					}
					m[t] = sp
				}
			}
		}
		return m
	}
	from, to := collect(c.from), collect(c.to)
	if len(from) == 0 && len(to) == 0 {
		return true
	}
	for t, f := range from {
		if l, ok := to[t]; ok && !l.last.Before(f.first) {
			return true
		}
	}
	return false
}

// deniedSensitive returns the sensitive APIs that were denied (most denied
// first, then by name) and the number of such denials. Discovery APIs count:
// a stolen key probing ListUsers is the classic denied burst.
func (s *state) deniedSensitive() ([]string, int) {
	type dn struct {
		name string
		n    int
	}
	var ds []dn
	total := 0
	for _, a := range s.apis {
		if a.denied > 0 && (isStage(a.tactic) || a.sev > features.SevNone) {
			ds = append(ds, dn{a.name, a.denied})
			total += a.denied
		}
	}
	slices.SortFunc(ds, func(a, b dn) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
	})
	names := make([]string, 0, len(ds))
	for _, d := range ds {
		if !slices.Contains(names, d.name) {
			names = append(names, d.name)
		}
	}
	return names, total
}

// combine is the noisy-or of the top-k evidence with geometric weights:
//
//	score = 100 · (1 − Π_{j<k} (1 − Decay^j · s_j/100)),  s_0 ≥ s_1 ≥ …
//
// The strongest evidence counts fully, so a single high event keeps its
// score; each further distinct piece closes part of the remaining gap to 100,
// at half the weight of the one before (Decay = 0.5), so ten medium signals
// add up to far more than one, yet never to 100 on their own.
func combine(ev []Evidence, k int, decay float64) float64 {
	keep := 1.0
	w := 1.0
	for j := 0; j < len(ev) && j < k; j++ {
		keep *= 1 - w*clamp(ev[j].Score, 0, 100)/100
		w *= decay
	}
	return 100 * (1 - keep)
}

// close scores the incident; habits are the principal's APIs of earlier
// days (nil for none).
func (s *state) close(cfg Config, habits map[string]*habit, peerHabit func(api string) int) Incident {
	in := Incident{
		ID: ID(s.p, s.first), RiskObject: s.p.Object, RiskObjectType: s.p.Type, PrincipalKind: s.p.Kind,
		Account: s.p.Account, First: s.first, Last: s.last, EventCount: s.count,
		DeniedCount: s.denied, SensitiveCount: s.sensitive,
	}
	names := map[string]bool{}
	stages := map[string]*Stage{}
	var causes [][]string // parallel to in.Evidence until mergeNovelty
	var acts []bool       // likewise: the API was a sensitive write or a denied sensitive call
	apis := make([]*apiStat, 0, len(s.apis))
	for _, a := range s.apis {
		apis = append(apis, a)
	}
	slices.SortFunc(apis, func(a, b *apiStat) int {
		return cmp.Or(a.first.Compare(b.first), strings.Compare(a.name, b.name), strings.Compare(a.tactic, b.tactic))
	})
	// Running a model is one act whichever of its four APIs a session uses:
	// a person trying models from a new address is not a new address that
	// did several sensitive things.
	invoked := false
	for _, a := range apis {
		names[a.name] = true
		w := 1.0
		// Reads of secrets or data (credential access, exfiltration) are not
		// browsing, so only non-sensitive reads are weighted down.
		if a.readOnly && a.denied == 0 && (!isStage(a.tactic) || a.tactic == features.TacticDiscovery) {
			w = cfg.ReadOnlyWeight
		}
		// A steady habit (the same API on HabitDays earlier days) is what
		// this principal does; denied calls are never habitual, and a
		// sign-in is every user's habit: its risk lies in how (MFA, address),
		// which the event score already holds.
		if a.denied == 0 && a.tactic != features.TacticInitialAccess {
			if h := habits[a.name]; h != nil && h.Days() >= cfg.HabitDays ||
				peerHabit != nil && peerHabit(a.name) >= cfg.PeerHabitMin {
				w *= cfg.HabitWeight
			}
		}
		ev := Evidence{Name: a.name, Tactic: a.tactic, Score: w * a.maxScore, EventID: a.maxID}
		in.Evidence = append(in.Evidence, ev)
		causes = append(causes, a.maxCauses)
		act := a.acted()
		if act && a.maxCauses != nil && slices.Contains(modelInvocations, a.name) {
			act, invoked = !invoked, true
		}
		acts = append(acts, act)
		if a.maxScore > in.Top.Score || in.Top.Name == "" {
			in.Top = Evidence{Name: a.name, Tactic: a.tactic, Score: a.maxScore, EventID: a.maxID}
		}
		if a.stage() == "" {
			continue
		}
		st := stages[a.tactic]
		if st == nil {
			st = &Stage{Tactic: a.tactic, First: a.first}
			stages[a.tactic] = st
		}
		if a.first.Before(st.First) {
			st.First = a.first
		}
		if a.ok() && !slices.Contains(st.APIs, a.name) {
			st.APIs = append(st.APIs, a.name)
		}
		st.Denied += a.denied
	}
	in.DistinctAPIs = len(names)
	// One novelty cause (a new address, an unusual hour) is one piece of
	// evidence however many APIs it shows on: repeats count once.
	in.Evidence = mergeNovelty(in.Evidence, causes, acts)
	for _, st := range stages {
		in.Stages = append(in.Stages, *st)
	}
	slices.SortFunc(in.Stages, func(a, b Stage) int {
		return cmp.Or(a.First.Compare(b.First), strings.Compare(a.Tactic, b.Tactic))
	})
	// Pipelines change many resources by design: in an IaC/CI incident only
	// the strongest event counts fully, the breadth of the rest at IaCWeight.
	if s.isIaC() && len(in.Evidence) > 1 {
		slices.SortStableFunc(in.Evidence, func(a, b Evidence) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Name, b.Name))
		})
		for i := 1; i < len(in.Evidence); i++ {
			in.Evidence[i].Score *= cfg.IaCWeight
		}
	}
	boosts := append(s.boosts(cfg, habits), s.rootActs...)
	if c, ok := s.signInChain(cfg, habits); ok {
		boosts = append(boosts, c)
	}
	for _, b := range boosts {
		if b.single { // replaces its call's own evidence
			in.Evidence = slices.DeleteFunc(in.Evidence, func(e Evidence) bool { return e.Boost == "" && e.EventID == b.EventID })
		}
		in.Evidence = append(in.Evidence, b)
	}
	slices.SortStableFunc(in.Evidence, func(a, b Evidence) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Name, b.Name))
	})
	score := combine(in.Evidence, cfg.TopK, cfg.Decay)
	if score > cfg.SoloCap && (!corroborated(in.Evidence, in.Top, cfg) || !s.substantive(in.Evidence, cfg)) {
		score, in.Held = cfg.SoloCap, true
	}
	in.Score = int(math.Round(clamp(score, 0, 100)))
	in.DeniedAPIs, in.DeniedSensitive = s.deniedSensitive()
	in.FailedSignIns = s.authFails

	in.Techniques = sortedByTime(s.techniques)
	in.Sources, in.SourceCount = topSources(s.sources, cfg.MaxSources)
	in.TopReasons = topReasons(s.reasons, cfg.MaxReasons)
	for _, x := range s.ids {
		in.EventIDs = append(in.EventIDs, x.id)
	}
	if cfg.Feedback != nil {
		cfg.Feedback.DiscountIncident(&in)
	}
	in.Narrative = Narrative(in)
	return in
}

func sortedByTime(m map[string]time.Time) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(m[a].Compare(m[b]), strings.Compare(a, b)) })
	return keys
}

func topSources(m map[string]int, n int) ([]string, int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b)) })
	return keys[:min(n, len(keys))], len(keys)
}

// topReasons ranks reasons by the summed score of the events giving them, so
// a reason on many risky events outranks one on a single mild event.
func topReasons(m map[string]*reasonStat, n int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b].weight, m[a].weight), cmp.Compare(m[b].count, m[a].count), strings.Compare(a, b))
	})
	return keys[:min(n, len(keys))]
}

// listNames joins up to n names: "A, B, C and 2 more".
func listNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}
