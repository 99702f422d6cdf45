package scorer

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"awsrisk/app"
	"awsrisk/app/table"
	"awsrisk/features"
	"awsrisk/models"
	"awsrisk/scorer/incident"
)

// Output field names written back to the events; saved searches, alerts and dashboards use them.
const (
	FieldRiskScore = "ai_risk_score"
	FieldCategory  = "ai_threat_category"
	FieldReasons   = "risk_reasons"
	FieldModels    = "ai_models"
	mvPrefix       = "__mv_"

	// Enterprise Security risk-based alerting fields (`score` only).
	FieldRiskObject     = "risk_object"
	FieldRiskObjectType = "risk_object_type"
	FieldRBAScore       = "risk_score"
	FieldRiskMessage    = "risk_message"
)

// Options are the apply-time settings.
type Options struct {
	Explain int  // number of risk_reasons; 0 = none
	RBA     bool // add ct_risk_object(_type) to every event and, at or above RBAFloor, risk_object, risk_object_type, risk_score, risk_message, threat_object, threat_object_type
	Scoped  bool // apply a supervised model only to its kind of event (scopeOfEvent)
	// RBAFloor is the lowest ai_risk_score with risk fields (DefaultRBAFloor in score and
	// pipeline); 0 puts them on every scored event.
	RBAFloor int
	CIM      bool // add the CIMFields the input does not already have
}

// Component is one model in a pipeline.
type Component struct {
	Name   string
	S      models.Scorer
	Scope  string // eventType the model applies to; "" = every event
	Weight float64
	Label  string // the model and its file, for messages (models.File.Label)
	// Novelty: a baseline whose verdict is "unusual for this principal" (first-seen, rare
	// sequence, odd hour). Its score is discounted in context (see [ContextFactor]).
	Novelty bool
}

// Context discounts of novelty: what is new for an IaC/CI pipeline or for someone browsing the
// console read-only is what such principals do every day (issue 11: first-seen logic flagged
// console browsing and IaC runs above attacker activity).
const (
	IaCFactor      = 0.3 // ct_iac = 1
	BrowsingFactor = 0.5 // ct_readonly = 1 from the console (ct_ua_family = console)
	ReadOnlyFactor = 0.5 // any other read-only call: something new that changes nothing
)

// ContextFactor is the multiplier of a novelty model's score for an event, and the words that
// say so ("" when 1).
func ContextFactor(get func(string) string) (float64, string) {
	switch {
	case get("ct_iac") == "1":
		return IaCFactor, "IaC/CI principal: novelty counted ×0.3"
	case get("ct_readonly") == "1" && get("ct_ua_family") == "console":
		return BrowsingFactor, "read-only console browsing: novelty counted ×0.5"
	case get("ct_readonly") == "1":
		return ReadOnlyFactor, "read-only call: novelty counted ×0.5"
	}
	return 1, ""
}

// Pipeline applies one or more models to each row and combines their verdicts:
//
//	ai_risk_score = 100 · (1 − Π_i (1 − w_i·s_i/100))
//
// a noisy-OR of the models' scores s_i (0..100) with weights w_i (default 1): independent pieces of
// evidence accumulate, no single model can push the score past 100, and a model that sees nothing
// unusual (s_i = 0) changes nothing. One model alone gives its own score. ai_threat_category is the
// category of the strongest model that names one, else the API's ATT&CK tactic
// (features.ThreatCategory of eventSource and eventName: never "none" for a sensitive API).
// risk_reasons are the strongest reasons of all models, largest first.
type Pipeline struct {
	comps      []Component
	appl       []models.Applier // per component: its scorer as the pipeline drives it
	opt        Options
	deriver    *features.Deriver
	deriverOpt features.Options
	derived    map[string]int          // derived field -> index in the deriver's output
	outputs    []string                // every field the pipeline writes, in order
	compOut    [][]string              // per component: scratch output values
	perComp    bool                    // write ai_score_<model> per component (several models)
	spare      []byte                  // the second worker's output buffer, reused across chunks
	floats     [2]*table.FloatCache    // per worker goroutine: texts of recent predictions, kept across chunks
	rtexts     [2]map[reasonKey]string // per worker goroutine: reason texts, kept across chunks (see reasonText)
	memos      [2]principalMemo        // per worker goroutine: the principals' memo, emptied for each chunk
	feedback   *incident.Feedback      // analysts' verdicts (SetFeedback), nil for none

	Counts Counts
}

// Counts is what a pipeline saw, reported to the job inspector at the end of the search.
type Counts struct {
	Rows         int64
	NoPrediction int64 // rows a supervised model could not score (a null feature)
	Unseen       int64 // categorical values never seen in training
}

// New builds a pipeline. A deriver is made when any component reads ct_* fields.
func New(comps []Component, opt Options) (*Pipeline, error) {
	if len(comps) == 0 {
		return nil, fmt.Errorf("no model to apply")
	}
	if opt.Explain < 0 || opt.Explain > 20 {
		return nil, fmt.Errorf("explain must be a number of reasons from 0 to 20, got %d", opt.Explain)
	}
	p := &Pipeline{comps: comps, opt: opt, perComp: len(comps) > 1, deriverOpt: features.DefaultOptions()}
	for _, c := range comps {
		a := models.AsApplier(c.S)
		// Without explain= the reasons are read on risky events only (risk_message), and left
		// to Explain there; a novelty model's are read to discount it in context.
		now := opt.Explain > 0 || opt.RBA && c.Novelty
		a.Configure(models.ApplyOptions{Explain: now, ExplainLater: opt.RBA && !now, NumericOutput: true})
		p.appl = append(p.appl, a)
	}
	d := features.NewDeriver(features.All, features.DefaultOptions())
	names := d.Names()
	needs := false
	for _, c := range comps {
		needs = needs || c.Novelty // ContextFactor reads ct_iac, ct_readonly, ct_ua_family
		for _, f := range c.S.Fields() {
			if strings.HasPrefix(f, "ct_") {
				needs = true
			}
		}
	}
	if needs {
		p.deriver = d
		p.derived = make(map[string]int, len(names))
		for i, n := range names {
			p.derived[n] = i
		}
	}
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			p.outputs = append(p.outputs, f)
		}
	}
	for _, c := range comps {
		for _, o := range c.S.Outputs() {
			add(o)
		}
		if p.perComp {
			add("ai_score_" + c.Name)
		}
		p.compOut = append(p.compOut, make([]string, len(c.S.Outputs())))
	}
	add(FieldRiskScore)
	add(FieldCategory)
	if opt.Explain > 0 {
		add(FieldReasons)
		add(mvPrefix + FieldReasons)
	}
	if opt.RBA {
		for _, f := range rbaFields {
			add(f)
		}
	}
	if opt.CIM {
		for _, c := range CIMFields {
			add(c.Name)
		}
	}
	return p, nil
}

// SetDeriverOptions sets the business timezone and hours of the ct_* derivation.
func (p *Pipeline) SetDeriverOptions(o features.Options) {
	p.deriverOpt = o
	if p.deriver != nil {
		p.deriver = features.NewDeriver(features.All, o)
	}
}

// RequiredFields are the fields splunkd must send (getinfo required_fields).
func (p *Pipeline) RequiredFields() []string {
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, c := range p.comps {
		for _, f := range c.S.Fields() {
			if _, derived := p.derived[f]; !derived {
				add(f)
			}
		}
	}
	if p.deriver != nil {
		for _, f := range p.deriver.Inputs() {
			add(f)
		}
	}
	add("eventName") // for ai_threat_category
	add("eventSource")
	if p.opt.Scoped {
		add("eventType") // with eventName, for scopeOfEvent
	}
	if p.opt.RBA || p.opt.CIM {
		for _, f := range identityInputs {
			add(f)
		}
		add(FieldCTRiskObject)
		add(FieldCTRiskObjectType)
		add("sourceIPAddress")
	}
	if p.opt.CIM {
		for _, c := range CIMFields {
			add(c.Name) // sent so that a value the Add-on set is seen, and kept
			for _, f := range c.From {
				add(f)
			}
		}
		add("errorCode")
		add("responseElements.ConsoleLogin")
	}
	return out
}

// Outputs are the fields the pipeline adds or replaces.
func (p *Pipeline) Outputs() []string { return p.outputs }

type scored struct {
	risk models.Risk
	w    float64
	comp int // index in p.comps
}

// weighed is a reason of one event with its points weighted by its model's weight.
type weighed struct {
	r   *models.Reason // in its scorer's buffer: valid until the scorer's next row
	pts float64
}

// layout is where everything goes in one chunk's rows.
type layout struct {
	cols       map[string]int // input column of each name
	idx        map[string]int // i >= 0: input column; i < 0: derived field -1-i
	compPos    [][]int        // per component: output columns of its outputs
	compScore  []int          // per component: column of ai_score_<model> (several models)
	posScore   int
	posCat     int
	posReasons int
	posMV      int
	posRBA     [len(rbaFields)]int
	cim        []cimCol // per CIMFields entry: where it goes and where it comes from
	plain      []bool   // per new column (after the input's): its values never need quotes (see appendCells)
	fromRec    []bool   // per new column: its values are the record's cells, parts of them or constants without CSV special bytes (see appendCells)
	rba        rbaCols  // input columns of RBA, CIM and feedback
	eventCol   int
	sourceCol  int  // eventSource, for the prior's tactic in ai_threat_category; -1 if absent
	typeCol    int  // eventType, -1 if absent
	scoped     bool // some component is scoped to a kind of event (Options.Scoped)
	width      int
	inWidth    int  // columns of the input
	replaces   bool // some output replaces an input column (scorers must still read the input value)
}

// worker holds the per-goroutine scratch of the row loop.
type worker struct {
	scorers    []models.Applier
	compOut    [][]string
	rec        []string
	derived    []string
	results    []scored
	reasons    []weighed
	texts      []string
	nums       []table.Num
	rtexts     map[reasonKey]string // texts of reasons shown before, see reasonText
	risk       models.Risk          // the verdict of the model being scored, reused
	principals *principalMemo       // the chunk's principals (Pipeline.memos)
	need       []int                // input columns read, see scoreRows
	lazy       bool                 // applyRows fills only need; a column asked for later is filled at once
	cur        int                  // the row being scored, for lazy
	deriver    *features.Deriver
	floats     *table.FloatCache
	msg        strings.Builder // risk_message, see riskMessage
	m          message         // this row's risk_message, written by appendCells (see writeRBA)
	cells      []cellMemo      // per new column, see appendCells
	cats       categoryMemo    // the categories of the last few APIs
	rows       int64
}

// floatCache returns worker goroutine i's cache of prediction texts, made on first use.
func (p *Pipeline) floatCache(i int) *table.FloatCache {
	if p.floats[i] == nil {
		p.floats[i] = new(table.FloatCache)
	}
	return p.floats[i]
}

// reasonTexts returns worker goroutine i's reason texts, made on first use.
func (p *Pipeline) reasonTexts(i int) map[reasonKey]string {
	if p.rtexts[i] == nil {
		p.rtexts[i] = make(map[reasonKey]string)
	}
	return p.rtexts[i]
}

func (p *Pipeline) newWorker(scorers []models.Applier, width int) *worker {
	w := &worker{scorers: scorers, rec: make([]string, width), deriver: p.deriver, floats: p.floatCache(0), rtexts: p.reasonTexts(0), principals: &p.memos[0]}
	for _, s := range scorers {
		w.compOut = append(w.compOut, make([]string, len(s.Outputs())))
	}
	return w
}

// reasonKey identifies the text of a field=value reason: FormatReason shows the points rounded,
// with their sign.
type reasonKey struct {
	field, value string
	points       float64
	neg          bool
}

// maxReasonTexts bounds the reason texts a worker keeps (a category's reason is the same on
// every event, a number's varies with its value).
const maxReasonTexts = 8192

// reasonText is r.String(), remembered for field=value reasons: formatting one costs more than
// scoring an event. Kept values are cloned, since r.Value points into the chunk.
func (w *worker) reasonText(r models.Reason) string {
	if r.Text != "" || r.Field == "" {
		return r.Text
	}
	k := reasonKey{r.Field, r.Value, math.Round(r.Points), r.Points < 0}
	if t, ok := w.rtexts[k]; ok {
		return t
	}
	t := r.String()
	if len(w.rtexts) < maxReasonTexts {
		k.value = strings.Clone(k.value)
		w.rtexts[k] = t
	}
	return t
}

// minParallelRows is the chunk size from which scoring is split across two goroutines; below it
// the goroutine hand-off costs more than it saves.
const minParallelRows = 2048

// Score writes every input row to out with the pipeline's fields added. Existing columns of the
// same name are replaced in place (MLTK drops and re-adds them); rows are never dropped or
// reordered, so `_chunked_idx` is echoed unchanged and splunkd can merge the fields back
// (scp-v2.md §4.3). Large chunks are scored on two goroutines when every model allows it; the
// output is the same, in the same order.
func (p *Pipeline) Score(in *table.Table, out *app.Output) error {
	return p.score(in.Header, in.Col, tableRows{in}, out)
}

// ScoreView is Score reading the chunk in place (see app.View): the apply hot path.
func (p *Pipeline) ScoreView(in *table.View, out *app.Output) error {
	return p.score(in.Header, in.Col, in, out)
}

func (c Component) label() string {
	if c.Label != "" {
		return c.Label
	}
	return fmt.Sprintf("model %q", c.Name)
}

// prepare readies every component for scoring, once per chunk (cheap after the first).
func (p *Pipeline) prepare() error {
	for i, a := range p.appl {
		if err := a.Prepare(); err != nil {
			return fmt.Errorf("%s: %w", p.comps[i].label(), err)
		}
	}
	return nil
}

// rowSource is a chunk's records, a Table's or a View's: Row fills dst with record i.
type rowSource interface {
	Len() int
	Row(i int, dst []string) []string
	Cell(i, c int) string
}

// rawRecords is a rowSource that can hand out a record's CSV bytes as they came (table.View).
type rawRecords interface{ Record(i int) string }

type tableRows struct{ t *table.Table }

func (s tableRows) Len() int                         { return len(s.t.Rows) }
func (s tableRows) Row(i int, dst []string) []string { return dst[:copy(dst, s.t.Rows[i])] }
func (s tableRows) Cell(i, c int) string             { return s.t.Rows[i][c] }

func (p *Pipeline) score(inHeader []string, col func(string) int, in rowSource, out *app.Output) error {
	if len(inHeader) == 0 {
		return nil // a 0-length body: nothing to score, empty reply
	}
	if err := p.prepare(); err != nil {
		return err
	}
	header := append([]string(nil), inHeader...)
	pos := make(map[string]int, len(p.outputs))
	for _, f := range p.outputs {
		c := col(f)
		if c < 0 {
			c = len(header)
			header = append(header, f)
		}
		pos[f] = c
	}
	replaces := len(header) < len(inHeader)+len(p.outputs)
	out.SetHeader(header)
	l := &layout{cols: make(map[string]int, len(inHeader)), width: len(header), eventCol: -1, sourceCol: -1, inWidth: len(inHeader), replaces: replaces}
	for i, h := range inHeader {
		if _, dup := l.cols[h]; !dup {
			l.cols[h] = i
		}
	}
	// One map for every name a model may ask for, so each lookup costs one hash.
	l.idx = make(map[string]int, len(l.cols)+len(p.derived))
	for f, i := range p.derived {
		l.idx[f] = -1 - i
	}
	for f, i := range l.cols {
		l.idx[f] = i
	}
	l.posScore, l.posCat = pos[FieldRiskScore], pos[FieldCategory]
	l.posReasons, l.posMV = pos[FieldReasons], pos[mvPrefix+FieldReasons] // used only with explain=
	for k, f := range rbaFields {
		l.posRBA[k] = pos[f]
	}
	l.rba = bindRBA(l.cols)
	if p.opt.CIM {
		for k, c := range CIMFields {
			var from []int // the From columns the chunk has
			for _, i := range l.rba.cimFrom[k] {
				if i >= 0 {
					from = append(from, i)
				}
			}
			l.cim = append(l.cim, cimCol{at: pos[c.Name], input: pos[c.Name] < len(inHeader), action: c.Name == "action", user: c.Name == "user", from: from})
		}
	}
	if c, ok := l.cols["eventName"]; ok {
		l.eventCol = c
	}
	if c, ok := l.cols["eventSource"]; ok {
		l.sourceCol = c
	}
	l.typeCol = -1
	if c, ok := l.cols["eventType"]; ok {
		l.typeCol = c
	}
	for _, c := range p.comps {
		l.scoped = l.scoped || p.opt.Scoped && c.Scope != ""
	}
	// The columns written only from scoreText and constants: appendCells copies them unchecked.
	l.plain = make([]bool, len(header)-len(inHeader))
	safe := func(c int) {
		if c >= len(inHeader) {
			l.plain[c-len(inHeader)] = true
		}
	}
	safe(l.posScore)
	if p.perComp {
		for _, c := range p.comps {
			safe(pos["ai_score_"+c.Name])
		}
	}
	if p.opt.RBA {
		safe(l.posRBA[4]) // risk_score
		safe(l.posRBA[7]) // threat_object_type
	}
	for _, c := range l.cim {
		if c.action && !c.input {
			safe(c.at)
		}
	}
	// The principal (principalRow: cells, their substrings, "root@" and an account, or a
	// features constant), its type, the IP and the CIM fields copied from the input.
	l.fromRec = make([]bool, len(l.plain))
	fromRec := func(c int) {
		if c >= len(inHeader) {
			l.fromRec[c-len(inHeader)] = true
		}
	}
	if p.opt.RBA {
		for _, k := range []int{0, 1, 2, 3, 6} { // ct_risk_object(_type), risk_object(_type), threat_object
			fromRec(l.posRBA[k])
		}
	}
	for _, c := range l.cim {
		if !c.action {
			fromRec(c.at)
		}
	}
	l.compScore = make([]int, len(p.comps))
	l.compPos = make([][]int, len(p.comps))
	for i, c := range p.comps {
		for _, o := range c.S.Outputs() {
			l.compPos[i] = append(l.compPos[i], pos[o])
		}
		l.compScore[i] = pos["ai_score_"+c.Name]
	}

	// Size the reply from a sample of rows: the input values, separators and quotes, plus room
	// for the new fields.
	nrows := in.Len()
	sample := min(nrows, 64)
	bytes := 0
	buf := make([]string, len(inHeader))
	for i := range sample {
		for _, v := range in.Row(i, buf) {
			bytes += len(v) + 3
		}
	}
	if sample > 0 {
		out.Grow(nrows * (bytes/sample + 16*len(p.outputs) + 16))
	}

	scorers := p.appl
	var clones []models.Applier
	if nrows >= minParallelRows && runtime.GOMAXPROCS(0) > 1 {
		for _, a := range p.appl {
			cl := a.Clone()
			if cl == nil {
				clones = nil
				break
			}
			clones = append(clones, cl)
		}
	}
	if clones == nil {
		w := p.newWorker(scorers, l.width)
		out.AppendRecords(func(b []byte) []byte { return p.scoreRows(w, l, in, 0, nrows, b) }, nrows)
		p.Counts.Rows += w.rows
		return nil
	}
	half := nrows / 2
	w1, w2 := p.newWorker(scorers, l.width), p.newWorker(clones, l.width)
	w2.floats, w2.rtexts, w2.principals = p.floatCache(1), p.reasonTexts(1), &p.memos[1]
	w2.deriver = p.deriverCopy()
	done := make(chan struct{})
	go func() {
		// The second half goes to a buffer kept across chunks, so it stops growing after the first.
		p.spare = p.scoreRows(w2, l, in, half, nrows, p.spare[:0])
		close(done)
	}()
	out.AppendRecords(func(b []byte) []byte { return p.scoreRows(w1, l, in, 0, half, b) }, half)
	<-done
	out.WriteRaw(p.spare, nrows-half)
	p.Counts.Rows += w1.rows + w2.rows
	for i, a := range p.appl {
		a.Merge(clones[i])
	}
	return nil
}

// deriverCopy returns a Deriver for another goroutine (a Deriver is not safe for concurrent use).
func (p *Pipeline) deriverCopy() *features.Deriver {
	if p.deriver == nil {
		return nil
	}
	return features.NewDeriver(features.All, p.deriverOpt)
}

// scoreRows appends the CSV records of rows lo..hi-1 of in, scored, to buf.
func (p *Pipeline) scoreRows(w *worker, l *layout, in rowSource, lo, hi int, buf []byte) []byte {
	var row []string
	raw := func(f string) string {
		if c, ok := l.cols[f]; ok {
			return row[c]
		}
		return ""
	}
	get := func(f string) string {
		i, ok := l.idx[f]
		switch {
		case !ok:
			return ""
		case i >= 0:
			return row[i]
		}
		return w.derived[-1-i]
	}
	// pos also notes the input columns the scorers read (need), for applyRows, which fills only
	// those; a column first asked for while scoring (a scorer that reads by name) is filled then
	// and on every later row.
	asked := make([]bool, l.inWidth)
	var inRow []string
	pos := func(f string) (int, bool) {
		i, ok := l.idx[f]
		if ok && i >= 0 && !asked[i] {
			asked[i] = true
			w.need = append(w.need, i)
			if w.lazy {
				inRow[i] = in.Cell(w.cur, i)
			}
		}
		return i, ok
	}
	for _, s := range w.scorers {
		s.Bind(pos)
	}
	note := func(c int) {
		if c >= 0 && !asked[c] {
			asked[c] = true
			w.need = append(w.need, c)
		}
	}
	note(l.eventCol)
	note(l.sourceCol)
	rec := w.rec
	inRow = make([]string, l.inWidth)
	// When no output replaces an input column, the record's first inWidth cells are the input
	// row itself: read the row straight into them instead of reading it and copying it over.
	direct := !l.replaces
	if direct {
		inRow = rec[:l.inWidth]
	}
	// With every output appended after the input columns, a reply record is the input record's
	// bytes as they came plus the new cells: copy them rather than re-encode every input value.
	// nums then index the new cells (base = the input's width).
	rr, echo := in.(rawRecords)
	echo = echo && direct
	base := 0
	if echo {
		base = l.inWidth
		if p.plain(l) {
			return p.applyRows(w, l, rr, in, lo, hi, buf, inRow, raw, &row)
		}
	}
	// As in applyRows, only the columns read are filled when nothing reads one by name (the
	// deriver, the feedback): the scorers', the scope's, and those of the risk and CIM fields.
	w.lazy = echo && w.deriver == nil && p.feedback == nil
	defer func() { w.lazy = false }()
	if w.lazy {
		note(l.typeCol)
		for _, c := range l.rba.present {
			note(c)
		}
		for _, c := range []int{l.rba.ip, l.rba.name, l.rba.errCode, l.rba.login} {
			note(c)
		}
		for _, from := range l.rba.cimFrom {
			for _, c := range from {
				note(c)
			}
		}
	}
	if p.opt.RBA || p.opt.CIM || p.feedback != nil {
		w.principals.sized(len(l.rba.present), hi-lo)
	}
	for i := lo; i < hi; i++ {
		if w.lazy {
			w.cur = i
			for _, c := range w.need {
				inRow[c] = in.Cell(i, c)
			}
			row = inRow
		} else {
			row = in.Row(i, inRow)
		}
		if !direct {
			copy(rec, row)
		}
		if w.deriver != nil {
			w.derived = w.deriver.Derive(raw, w.derived[:0])
		}
		w.results = w.results[:0]
		eventType := ""
		if l.scoped {
			eventType = scopeOfEvent(cell(row, l.typeCol), cell(row, l.eventCol))
		}
		w.nums = w.nums[:0]
		for i, c := range p.comps {
			vals := w.compOut[i]
			if c.Scope != "" && l.scoped && eventType != c.Scope {
				for j := range vals {
					rec[l.compPos[i][j]] = ""
				}
				if p.perComp {
					rec[l.compScore[i]] = ""
				}
				continue
			}
			wt := c.Weight
			if wt == 0 {
				wt = 1
			}
			// The verdict is written straight into its slot of w.results (no copy of the Risk, and
			// no zeroing of it: ScoreRow writes it whole).
			if len(w.results) == cap(w.results) {
				w.results = slices.Grow(w.results, len(p.comps))
			}
			w.results = w.results[:len(w.results)+1]
			res := &w.results[len(w.results)-1]
			res.w, res.comp = wt, i
			r := &res.risk
			w.scorers[i].ScoreRow(row, w.derived, vals, r)
			if c.Novelty && r.Score > 0 && w.deriver != nil {
				if f, why := ContextFactor(get); f < 1 {
					*r = discount(*r, f, why)
				}
			}
			for j, v := range vals {
				rec[l.compPos[i][j]] = v
			}
			if v, ok := w.scorers[i].Numeric(); ok {
				w.nums = append(w.nums, table.Num{Col: l.compPos[i][0] - base, V: v})
			}
			if p.perComp {
				rec[l.compScore[i]] = ""
				if !math.IsNaN(r.Score) {
					rec[l.compScore[i]] = scoreText[models.RiskScore(r.Score)]
				}
			}
		}
		w.rows++
		score, ok := combine(w.results)
		category := ""
		best := -1.0
		for _, s := range w.results {
			if s.risk.Category != "" && s.risk.Score > best {
				category, best = s.risk.Category, s.risk.Score
			}
		}
		if category == "" && l.eventCol >= 0 {
			// The curated table, then the API prior's tactic for every API of impact >= 35, so a
			// sensitive API is never "none" (issue 10).
			source := ""
			if l.sourceCol >= 0 {
				source = row[l.sourceCol]
			}
			category = w.cats.category(source, row[l.eventCol])
		}
		if category == "" {
			category = features.None
		}
		rec[l.posCat] = category
		principal, objType, discounted := "", "", ""
		if p.opt.RBA || p.opt.CIM || p.feedback != nil {
			principal, objType = w.principals.principal(row, &l.rba)
		}
		if ok && p.feedback != nil {
			score, discounted = p.discount(raw, principal, category, score)
		}
		rec[l.posScore] = ""
		rs := models.RiskScore(score)
		if ok {
			rec[l.posScore] = scoreText[rs]
		}
		risky := p.opt.RBA && ok && rs >= p.opt.RBAFloor
		texts, top := w.texts[:0], w.reasons[:0]
		if p.opt.Explain > 0 || risky { // the reasons are read only by risk_reasons and risk_message
			n := p.opt.Explain
			if n == 0 {
				n = 3
			}
			if discounted != "" {
				texts = append(texts, discounted)
			}
			// The strongest n reasons in the order a stable sort, largest first, gives them.
			for k := range w.results {
				s := &w.results[k]
				if math.IsNaN(s.risk.Score) {
					continue
				}
				w.scorers[s.comp].Explain(&s.risk) // the reasons left for later, if any
				for j := range s.risk.Reasons {
					r := &s.risk.Reasons[j]
					top = insertTop(top, weighed{r, r.Points * s.w}, n-len(texts))
				}
			}
			if p.opt.Explain > 0 {
				for _, r := range top {
					texts = append(texts, w.reasonText(*r.r)) // built only for the reasons shown
				}
				top = top[:0] // in texts now
			}
		}
		w.texts, w.reasons = texts, top
		if p.opt.Explain > 0 {
			rec[l.posReasons] = strings.Join(texts, "\n")
			rec[l.posMV] = ""
			if len(texts) > 1 {
				rec[l.posMV] = table.EncodeMV(texts)
			}
		}
		if p.opt.RBA {
			p.writeRBA(rec, l, row, principal, objType, category, texts, top, risky, w, echo)
		}
		if p.opt.CIM {
			writeCIM(rec, l, row, principal)
		}
		if len(w.nums) > 1 && !numsSorted(w.nums) { // the components' columns usually ascend
			slices.SortFunc(w.nums, func(a, b table.Num) int { return a.Col - b.Col })
		}
		if echo {
			line := rr.Record(i)
			var fromRec []bool
			if cleanRecord(line) {
				fromRec = l.fromRec
			}
			buf = w.appendCells(append(buf, line...), rec[l.inWidth:], w.nums, l.plain, fromRec)
		} else {
			buf = table.AppendRecordNumsCached(buf, rec, w.nums, w.floats)
		}
	}
	return buf
}

// numsSorted reports whether nums ascend by Col.
func numsSorted(nums []table.Num) bool {
	for k := 1; k < len(nums); k++ {
		if nums[k].Col < nums[k-1].Col {
			return false
		}
	}
	return true
}

// cellMemo is a column's last value and whether it needed quotes.
type cellMemo struct {
	v      string
	quoted bool
}

// appendCells is table.AppendRawRecordNums after the record's bytes (the new cells, each after
// a ',', nums from the float cache, then '\n'), remembering per column whether its last value
// needed quotes (a plain column never does; see layout.plain): most of score's two dozen cells (the principal, its type, the CIM fields, the
// category) repeat from one event to the next, and comparing a string with the one before costs
// less than scanning it for the bytes that need quotes (a risk_message four times). fromRec
// (layout.fromRec, nil unless the record is clean) marks the cells made of the record's bytes:
// those of a clean record hold no ',', '"', '\n' or '\r' (see cleanRecord), so only a blank at
// either end needs quotes.
func (w *worker) appendCells(dst []byte, fields []string, nums []table.Num, plain, fromRec []bool) []byte {
	if len(w.cells) != len(fields) {
		w.cells = make([]cellMemo, len(fields))
	}
	cells := w.cells[:len(fields)]
	mcol := -1
	if w.m.on {
		mcol = w.m.col
	}
	for k, f := range fields {
		dst = append(dst, ',')
		switch {
		case len(nums) > 0 && nums[0].Col == k:
			dst = w.floats.Append(dst, nums[0].V)
			nums = nums[1:]
		case k == mcol:
			dst = w.m.append(dst)
		case f == "":
		case plain[k]:
			dst = append(dst, f...)
		case fromRec != nil && fromRec[k]:
			if b, e := f[0], f[len(f)-1]; b == ' ' || b == '\t' || e == ' ' || e == '\t' {
				dst = table.AppendField(dst, f)
			} else {
				dst = append(dst, f...)
			}
		default:
			c := &cells[k]
			if f != c.v {
				c.v, c.quoted = f, table.NeedsQuotes(f)
			}
			if c.quoted {
				dst = table.AppendField(dst, f)
			} else {
				dst = append(dst, f...)
			}
		}
	}
	return append(dst, '\n')
}

// cleanRecord reports whether a record's bytes, as they came, hold no '"' and no '\r': every
// field is then unquoted, and an unquoted field holds no ',' or '\n' (they end it) and no '"'
// (table.View rejects a bare quote), so no cell of it holds a byte that needs quotes. Two
// vectorised scans of the record cost less than scanning the dozen cells score copies from it.
func cleanRecord(line string) bool {
	return !noCleanRecords && strings.IndexByte(line, '"') < 0 && strings.IndexByte(line, '\r') < 0
}

// noCleanRecords turns cleanRecord off, for the test that holds appendCells' shortcut to
// table.NeedsQuotes.
var noCleanRecords = false

// plain reports whether a chunk takes applyRows: one model, its outputs then ai_risk_score and
// ai_threat_category appended after the input columns, and nothing else written (no explain=,
// risk or CIM fields, scope, feedback or novelty discount): `apply` of one model.
func (p *Pipeline) plain(l *layout) bool {
	if noApplyRows || len(p.comps) != 1 || p.opt.Scoped || p.opt.RBA || p.opt.CIM || p.opt.Explain > 0 || p.feedback != nil || p.comps[0].Novelty {
		return false
	}
	at := l.inWidth
	for _, c := range l.compPos[0] {
		if c != at {
			return false
		}
		at++
	}
	return l.posScore == at && l.posCat == at+1 && l.width == at+2
}

// noApplyRows turns applyRows off, for the test that holds it to the general loop's bytes.
var noApplyRows = false

// applyRows is scoreRows for a plain chunk (see plain): each reply record is the input
// record's bytes, the model's outputs, the score and the category, appended straight to buf
// without the per-model results, the combination of several models or the record of strings.
// The bytes are those scoreRows writes.
func (p *Pipeline) applyRows(w *worker, l *layout, rr rawRecords, in rowSource, lo, hi int, buf []byte, inRow []string, raw func(string) string, row *[]string) []byte {
	s, vals := w.scorers[0], w.compOut[0]
	wt := p.comps[0].Weight
	if wt == 0 {
		wt = 1
	}
	var cats categoryMemo
	// Without a deriver (which reads any column by name) only the columns someone reads are
	// filled (see need in scoreRows): a selected-fields chunk has a __mv_ twin of every field.
	w.lazy = w.deriver == nil
	defer func() { w.lazy = false }()
	*row = inRow
	for i := lo; i < hi; i++ {
		if w.lazy {
			w.cur = i
			for _, c := range w.need {
				inRow[c] = in.Cell(i, c)
			}
		} else {
			*row = in.Row(i, inRow)
		}
		if w.deriver != nil {
			w.derived = w.deriver.Derive(raw, w.derived[:0])
		}
		r := &w.risk
		s.ScoreRow(*row, w.derived, vals, r)
		w.rows++
		buf = append(buf, rr.Record(i)...)
		v, num := s.Numeric()
		for j, t := range vals {
			buf = append(buf, ',')
			if j == 0 && num {
				buf = w.floats.Append(buf, v)
			} else {
				buf = table.AppendField(buf, t)
			}
		}
		buf = append(buf, ',')
		if !math.IsNaN(r.Score) {
			v := r.Score // RiskScore clamps to 0..100 as combineOne(v, 1) does
			if wt != 1 {
				v = combineOne(v, wt)
			}
			buf = append(buf, scoreText[models.RiskScore(v)]...)
		}
		buf = append(buf, ',')
		if r.Category != "" {
			buf = table.AppendField(buf, r.Category)
		} else {
			source, name := "", ""
			if l.eventCol >= 0 {
				name = (*row)[l.eventCol]
			}
			if l.sourceCol >= 0 {
				source = (*row)[l.sourceCol]
			}
			buf = append(buf, cats.cell(source, name, l.eventCol >= 0)...)
		}
		buf = append(buf, '\n')
	}
	return buf
}

// categoryMemo holds the ai_threat_category cells (quoted if need be) of the APIs seen in a
// chunk, two-way set-associative by a hash of the name: a chunk has few distinct APIs
// (tens, rarely hundreds), and comparing two short names costs less than the category's two table
// lookups and the quoting check. When both slots of an API are taken by others, the first is
// replaced. It lives for one chunk (its keys point into it).
type categoryMemo struct {
	e [categoryMemoSlots]categoryEntry
}

type categoryEntry struct{ source, name, cell, category string }

const categoryMemoSlots = 128 // a power of two; 8 KiB

// categorySeed seeds categoryMemo's hash.
var categorySeed = maphash.MakeSeed()

// slot is the first of the two memo entries of an API.
func (m *categoryMemo) slot(source, name string) int {
	h := maphash.String(categorySeed, name) + uint64(len(source))*0x9E3779B97F4A7C15
	return int(h>>(64-7)) &^ 1
}

// find returns the entry of (source, name) and true, or the entry to fill and false.
func (m *categoryMemo) find(source, name string) (*categoryEntry, bool) {
	i := m.slot(source, name)
	a, b := &m.e[i], &m.e[i+1]
	switch {
	case a.cell != "" && a.name == name && a.source == source:
		return a, true
	case b.cell != "" && b.name == name && b.source == source:
		return b, true
	case a.cell != "" && b.cell == "":
		return b, false
	}
	return a, false
}

// category is features.ThreatCategory(source, name), "" when it has none, remembered like cell.
func (m *categoryMemo) category(source, name string) string {
	e, ok := m.find(source, name)
	if !ok {
		e.fill(source, name, true)
	}
	return e.category
}

// cell is the category cell of an event of eventSource source and eventName name (known is
// false without an eventName column: none).
func (m *categoryMemo) cell(source, name string, known bool) string {
	e, ok := m.find(source, name)
	if !ok {
		e.fill(source, name, known)
	}
	return e.cell
}

// fill sets e to the category of (source, name); its cell is never "" (a category or
// features.None). Without an eventName column (known false) name is "" and the entry holds none.
func (e *categoryEntry) fill(source, name string, known bool) {
	category := ""
	if known {
		category, _ = features.ThreatCategory(source, name)
	}
	e.category = category
	if category == "" {
		category = features.None
	}
	e.source, e.name, e.cell = source, name, category
	if table.NeedsQuotes(category) {
		e.cell = string(table.AppendField(nil, category))
	}
}

// discount scales a risk and its reasons by f and says why in its top reason. The texts keep
// the points the model gave.
func discount(r models.Risk, f float64, why string) models.Risk {
	out := models.Risk{Score: r.Score * f, Category: r.Category, Reasons: make([]models.Reason, len(r.Reasons))}
	for i, x := range r.Reasons {
		out.Reasons[i] = models.Reason{Text: x.String(), Points: x.Points * f}
	}
	if len(out.Reasons) > 0 {
		out.Reasons[0].Text += " (" + why + ")"
	}
	return out
}

// message is the parts of a risk_message (see riskMessage) that appendCells writes straight
// into the reply: it is read once, so building it as a string first would only copy it.
type message struct {
	on                    bool
	col                   int // the cell's index among the new cells
	score, name, category string
	texts                 []string
	reasons               []weighed
	tmp                   []byte
}

// append appends the message's cell, quoted as table.AppendField quotes it.
func (m *message) append(dst []byte) []byte {
	start := len(dst)
	dst = append(dst, "AWS risk "...)
	dst = append(dst, m.score...)
	dst = append(dst, " for "...)
	dst = append(dst, m.name...)
	dst = append(dst, ' ')
	dst = append(dst, m.category...)
	for k, t := range m.texts {
		if k == 0 {
			dst = append(dst, ": "...)
		} else {
			dst = append(dst, "; "...)
		}
		dst = append(dst, t...)
	}
	for k, r := range m.reasons {
		if k+len(m.texts) == 0 {
			dst = append(dst, ": "...)
		} else {
			dst = append(dst, "; "...)
		}
		if r.r.Text != "" || r.r.Field == "" {
			dst = append(dst, r.r.Text...)
		} else {
			dst = models.AppendReason(dst, r.r.Field, r.r.Value, r.r.Points)
		}
	}
	if !needsQuotes(dst[start:]) {
		return dst
	}
	m.tmp = append(m.tmp[:0], dst[start:]...)
	return table.AppendField(dst[:start], string(m.tmp))
}

// needsQuotes is table.NeedsQuotes of a non-empty byte slice.
func needsQuotes(b []byte) bool {
	first, last := b[0], b[len(b)-1]
	return first == ' ' || first == '\t' || last == ' ' || last == '\t' || bytes.IndexByte(b, '"') >= 0 ||
		bytes.IndexByte(b, ',') >= 0 || bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0
}

// insertTop inserts x into top, the strongest reasons so far (at most n), after those of equal
// points: the first n of a stable sort, largest first (NaN last, as cmp.Compare orders it),
// without sorting them all.
func insertTop(top []weighed, x weighed, n int) []weighed {
	j := len(top)
	for j > 0 && cmp.Compare(x.pts, top[j-1].pts) > 0 {
		j--
	}
	if j >= n {
		return top
	}
	if len(top) < n {
		top = append(top, weighed{})
	}
	copy(top[j+1:], top[j:len(top)-1])
	top[j] = x
	return top
}

// riskMessage is "AWS risk <score> for <eventName> <category>[: <reason>; <reason>...]", carved
// out of b: the messages of a chunk share 64 KiB blocks (fmt.Sprintf, or a concatenation and a
// strings.Join, cost several allocations per event). A message that does not fit in the block
// starts a new Builder instead of growing this one (which would copy the block); the strings
// handed out keep the old block. The reasons are texts, then reasons (written as their String
// without building it).
func riskMessage(b *strings.Builder, score, eventName, category string, texts []string, reasons []weighed) string {
	n := len("AWS risk  for  : ") + len(score) + len(eventName) + len(category)
	for _, t := range texts {
		n += len(t) + 2
	}
	for _, r := range reasons {
		n += len(r.r.Text) + len(r.r.Field) + len(r.r.Value) + 2 + 32 // "=", " +", the points
	}
	if b.Cap()-b.Len() < n {
		*b = strings.Builder{}
		b.Grow(max(n, 64<<10))
	}
	start := b.Len()
	b.WriteString("AWS risk ")
	b.WriteString(score)
	b.WriteString(" for ")
	b.WriteString(eventName)
	b.WriteString(" ")
	b.WriteString(category)
	for k, t := range texts {
		if k == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(t)
	}
	var tmp [128]byte
	for k, r := range reasons {
		if k+len(texts) == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		if r.r.Text != "" || r.r.Field == "" {
			b.WriteString(r.r.Text)
		} else {
			b.Write(models.AppendReason(tmp[:0], r.r.Field, r.r.Value, r.r.Points))
		}
	}
	return b.String()[start:]
}

// combine is the noisy-OR of the scores that are defined; ok is false when no model could score.
func combine(rs []scored) (float64, bool) {
	if len(rs) == 1 && rs[0].w == 1 { // one model: its own score
		v := rs[0].risk.Score
		return math.Min(math.Max(v, 0), 100), !math.IsNaN(v)
	}
	keep, ok := 1.0, false
	for _, s := range rs {
		if math.IsNaN(s.risk.Score) {
			continue
		}
		ok = true
		// min(max(v, 0), 1) without math's NaN and signed-zero handling (NaN was skipped; a -0
		// left as is gives the same 1 - v).
		v := s.w * s.risk.Score / 100
		if v < 0 {
			v = 0
		} else if v > 1 {
			v = 1
		}
		keep *= 1 - v
	}
	return 100 * (1 - keep), ok
}

// combineOne is combine of one defined score, to the last bit.
func combineOne(score, w float64) float64 {
	if w == 1 {
		return math.Min(math.Max(score, 0), 100)
	}
	return 100 * (1 - (1 - math.Min(math.Max(w*score/100, 0), 1)))
}

// scoreText holds "0".."100" so that writing a score allocates nothing.
var scoreText = func() (t [101]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// Report summarises the counts for the job inspector, once per search.
func (p *Pipeline) Report(out *app.Output) {
	for i, a := range p.appl {
		for _, n := range a.Notes(p.Counts.Rows) {
			if n.Warn {
				out.Warn("awsrisk: model %s: %s", p.comps[i].Name, n.Text)
			} else {
				out.Info("awsrisk: model %s: %s", p.comps[i].Name, n.Text)
			}
		}
	}
}

// LoadComponent builds the component for a saved model of any algorithm. output renames a supervised
// model's prediction field (`as`); params are apply-time options of unsupervised models.
func LoadComponent(f *models.File, output string, params map[string]string) (Component, error) {
	s, err := models.LoadScorer(f, output, params)
	if err != nil {
		return Component{Name: f.Name}, err
	}
	c := Component{Name: f.Name, S: s, Label: f.Label()}
	if models.IsSupervised(f.Algorithm) {
		c.Scope = scopeOf(f) // unsupervised models judge every event
	}
	switch f.Algorithm {
	case "CategoricalOutlier", "SequenceModel", "DensityFunction":
		c.Novelty = true // IdentityNovelty applies its own context discount
	}
	return c, nil
}

// scopeOfEvent is the scope of the supervised model that judges an event: the console model for
// sign-ins (ct_event_class console_login), the API-call model for everything else, so that every
// event gets a score: service events, VPC-endpoint events, console actions and records without
// eventType are API-shaped, and the API-call model's features (the API's prior, the kind of
// principal, which is aws_service for service events) describe them.
func scopeOfEvent(eventType, eventName string) string {
	if features.EventClass(eventType, eventName) == features.ClassConsoleLogin {
		return "AwsConsoleSignIn"
	}
	return "AwsApiCall"
}

// scopeOf is the eventType a supervised model was trained on, from its features= option:
// `score` applies a console-login model to AwsConsoleSignIn events only.
func scopeOf(f *models.File) string {
	switch features.Set(f.Options["features"]) {
	case features.Console:
		return "AwsConsoleSignIn"
	case features.APICall:
		return "AwsApiCall"
	}
	return ""
}
