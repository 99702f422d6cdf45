package linreg

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"awsrisk/models"
)

// Scorer applies a LinearRegression model as a models.Scorer: its one output is the
// prediction, its risk the prediction on Splunk's 0..100 scale, its reasons the largest
// contributions.
type Scorer struct {
	m        *Linear // nil until Prepare
	body     []byte  // the saved body, until Prepare decodes it
	target   string
	features []string
	out      string
	xs       []string
	contrib  []float64
	offset   []float64 // per feature: β·x̄ for numeric fields, 0 for categorical

	noPrediction, unseen int64
	missingBy            []int64 // per feature: events where it was null or non-numeric (see score)
	miss                 []bool  // scratch for ContributionsImputed
	explain              bool    // give Reasons (only when someone reads them: explain= or RBA)
	later                bool    // give them when Explain asks (ApplyOptions.ExplainLater)
	pending              bool    // the last row's reasons are left to Explain
	numeric              bool    // leave the prediction to Numeric instead of formatting it
	cols                 []int   // per feature, its position from Bind
	last                 float64
	lastOK               bool
	cache                map[float64]string
	cats                 []int32         // per feature: the value's index in its category table, -1 unseen
	catReasons           [][]string      // per categorical feature and category: its reason text, see catReason
	rbuf                 []models.Reason // the last event's reasons, reused
}

// catReason is models.FormatReason for the k-th category of categorical feature i, whose points
// are its coefficient whatever the event: the text is built once and kept per category, found by
// index with no hashing of the value ("" for tables of more than maxCatReasons categories: the
// pipeline builds those texts when it shows them).
func (s *Scorer) catReason(i, k int, value string, points float64) string {
	if s.catReasons == nil {
		s.catReasons = make([][]string, len(s.features))
	}
	t := s.catReasons[i]
	if t == nil {
		n := s.m.pred.cat[i].len()
		if n > maxCatReasons {
			return ""
		}
		t = make([]string, n)
		s.catReasons[i] = t
	}
	if t[k] == "" {
		t[k] = models.FormatReason(s.features[i], strings.Clone(value), points)
	}
	return t[k]
}

// maxCatReasons bounds the categories of a field whose reason texts are kept by index (a slot
// costs 16 bytes whether used or not).
const maxCatReasons = 1 << 16

// format renders a prediction. A model of categorical fields predicts one of few values, so the
// texts are cached (up to predCacheSize) instead of formatted and allocated for every event.
func (s *Scorer) format(y float64) string {
	if t, ok := s.cache[y]; ok {
		return t
	}
	t := strconv.FormatFloat(y, 'f', -1, 64)
	if len(s.cache) < predCacheSize {
		if s.cache == nil {
			s.cache = make(map[float64]string)
		}
		s.cache[y] = t
	}
	return t
}

// predCacheSize bounds the prediction-text cache of one scorer (about 100 KB).
const predCacheSize = 2048

// Clone implements models.Applier: the model is shared read-only, the scratch is new.
func (s *Scorer) Clone() models.Applier {
	_ = s.Prepare() // clones share the decoded model; an error shows in score
	c := *s
	c.xs = make([]string, len(s.xs))
	c.contrib = make([]float64, len(s.contrib))
	c.noPrediction, c.unseen = 0, 0
	c.missingBy, c.miss = nil, nil
	c.cache = nil // maps are not safe to share between goroutines
	c.rbuf, c.catReasons = nil, nil
	c.cats = make([]int32, len(s.cats))
	c.cols = nil
	return &c
}

// Merge implements models.Applier: it adds a clone's counters.
func (s *Scorer) Merge(o models.Applier) {
	if c, ok := o.(*Scorer); ok {
		s.noPrediction += c.noPrediction
		s.unseen += c.unseen
		for i, n := range c.missingBy {
			s.countMissing(i, n)
		}
	}
}

// Configure implements models.Applier.
func (s *Scorer) Configure(o models.ApplyOptions) {
	s.explain, s.later, s.numeric = o.Explain, o.ExplainLater && !o.Explain, o.NumericOutput
}

// Explain implements models.Applier: the reasons of the last ScoreRow, when left for later
// (s.contrib, s.cats and s.xs still hold that row's).
func (s *Scorer) Explain(r *models.Risk) {
	if s.pending {
		s.pending = false
		s.reasons(r)
	}
}

// Numeric implements models.Applier: the prediction of the last Score, if it made one.
func (s *Scorer) Numeric() (float64, bool) { return s.last, s.lastOK }

// Notes implements models.Applier: rows without a prediction, per missing field, and unseen
// categories, once per search.
func (s *Scorer) Notes(rows int64) []models.Note {
	var notes []models.Note
	if s.noPrediction > 0 {
		var per []string
		for _, m := range s.MissingByField() {
			per = append(per, fmt.Sprintf("%s %d", m.Field, m.Events))
		}
		notes = append(notes, models.Note{Warn: true, Text: fmt.Sprintf("%d of %d rows have a null or non-numeric feature (%s): their prediction is empty, as in MLTK, and their ai_risk_score counts each missing feature at its average",
			s.noPrediction, rows, strings.Join(per, ", "))})
	}
	if s.unseen > 0 {
		notes = append(notes, models.Note{Text: fmt.Sprintf("%d categorical values were not seen in training and contributed 0 (the average level)", s.unseen)})
	}
	return notes
}

// NewScorer decodes a saved LinearRegression body. output is the prediction field, "" for
// predicted(<target>).
func NewScorer(body []byte, output string) (*Scorer, error) {
	s := &Scorer{body: body}
	if err := s.Prepare(); err != nil {
		return nil, err
	}
	s.setOutput(output)
	return s, nil
}

// NewLazyScorer is NewScorer deferring the decoding of body to Prepare, the first execute chunk:
// getinfo needs only the target and features, which the model file's header has, and a model
// with a million categories takes tens of milliseconds to decode and index, which splunkd's
// getinfo probes (several per search) would otherwise pay for nothing.
//
// Only a body cut short is found here (it must be one JSON object, '{' to '}'); anything else
// wrong with it is found by Prepare and reported on the first chunk.
func NewLazyScorer(body []byte, target string, fields []string, output string) (*Scorer, error) {
	b := bytes.TrimSpace(body)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("%w: LinearRegression body is not one JSON object (%d bytes)", models.ErrCorrupt, len(body))
	}
	s := &Scorer{body: body, target: target, features: fields,
		xs: make([]string, len(fields)), contrib: make([]float64, len(fields)), offset: make([]float64, len(fields))}
	s.setOutput(output)
	return s, nil
}

func (s *Scorer) setOutput(output string) {
	if output == "" {
		output = "predicted(" + s.target + ")"
	}
	s.out = output
}

// Prepare decodes and indexes the model if that has not been done yet. The pipeline calls it
// before scoring a chunk; errors wrap models.ErrCorrupt.
func (s *Scorer) Prepare() error {
	if s.m != nil {
		return nil
	}
	m, err := DecodeLinear(s.body) // errors wrap models.ErrCorrupt
	if err != nil {
		return err
	}
	if s.features != nil && (!slices.Equal(s.features, m.Features) || s.target != m.Target) {
		return fmt.Errorf("%w: the file header names target %q and features %q, the model %q and %q",
			models.ErrCorrupt, s.target, s.features, m.Target, m.Features)
	}
	m.Prepare() // build the lookup tables now: clones share them read-only
	s.m, s.target, s.features, s.body = m, m.Target, m.Features, nil
	s.xs, s.contrib, s.offset = make([]string, len(m.Features)), make([]float64, len(m.Features)), make([]float64, len(m.Features))
	s.cats = make([]int32, len(m.Features))
	for i, f := range m.Features {
		if c, ok := m.Numeric[f]; ok {
			s.offset[i] = c * m.Means[f]
		}
	}
	return nil
}

func (s *Scorer) Fields() []string  { return s.features }
func (s *Scorer) Outputs() []string { return []string{s.out} }

func (s *Scorer) Score(get func(string) string, out []string) models.Risk {
	for i, f := range s.features {
		s.xs[i] = get(f)
	}
	var r models.Risk
	s.score(out, &r)
	return r
}

// Bind implements models.Applier: it resolves the model's fields to positions once per chunk.
func (s *Scorer) Bind(pos func(field string) (int, bool)) {
	s.cols = s.cols[:0]
	for _, f := range s.features {
		i, ok := pos(f)
		if !ok {
			i = absent
		}
		s.cols = append(s.cols, i)
	}
}

// ScoreRow implements models.Applier: Score with the positions from Bind (i >= 0 a column of row,
// i < 0 the derived value -1-i).
func (s *Scorer) ScoreRow(row, derived []string, out []string, r *models.Risk) {
	for i, c := range s.cols {
		switch {
		case c == absent:
			s.xs[i] = ""
		case c >= 0:
			s.xs[i] = row[c]
		default:
			s.xs[i] = derived[-1-c]
		}
	}
	s.score(out, r)
}

// absent marks a field the chunk does not have.
const absent = math.MinInt

// score scores s.xs into out and *r (written whole: the caller's r is reused across events).
func (s *Scorer) score(out []string, r *models.Risk) {
	s.pending = false
	if s.m == nil && s.Prepare() != nil {
		// Not prepared by a pipeline, and corrupt: no prediction (a pipeline reports the error).
		s.noPrediction++
		out[0] = ""
		*r = models.Risk{Score: math.NaN()}
		return
	}
	y, ok, unseen := s.m.contributions(s.xs, s.contrib, s.cats)
	s.lastOK = false
	if !ok {
		// MLTK parity for the prediction field: a null feature leaves predicted(<target>) empty.
		// The risk is still scored, with each missing feature at its average term, so that no
		// event goes without ai_risk_score for lacking, say, userAgent (issue 10, item 3).
		if len(s.miss) != len(s.features) {
			s.miss = make([]bool, len(s.features))
		}
		y, _, unseen = s.m.ContributionsImputed(s.xs, s.contrib, s.miss)
		for i, m := range s.miss {
			if m {
				s.countMissing(i, 1)
			}
		}
		s.unseen += int64(unseen)
		s.noPrediction++
		out[0] = ""
		s.risk(y, r)
		return
	}
	s.unseen += int64(unseen)
	if s.numeric {
		// The pipeline writes the value itself (Numeric), without a string per event.
		out[0], s.last, s.lastOK = "", y, true
	} else {
		out[0] = s.format(y)
	}
	s.risk(y, r)
}

// risk sets *r to the event's Risk for prediction y, with reasons from s.contrib when
// explaining.
func (s *Scorer) risk(y float64, r *models.Risk) {
	r.Score, r.Category, r.Reasons = float64(models.RiskScore(y)), "", nil
	s.pending = s.later
	if !s.explain {
		return
	}
	s.reasons(r)
}

// reasons fills r.Reasons from s.contrib. They live until the pipeline has read this event's
// verdicts, so one buffer serves.
func (s *Scorer) reasons(r *models.Risk) {
	rs := s.rbuf[:0]
	for i := range s.contrib {
		s.contrib[i] -= s.offset[i]
	}
	for i, c := range s.contrib {
		if c < 0.5 { // under half a point is not a reason
			continue
		}
		// A category's text is kept by its index; a number's is built only if the reason is
		// shown (models.Reason.String), since it varies with the value.
		text := ""
		if k := s.cats[i]; s.m.pred.kind[i] == kindCategorical && k >= 0 {
			text = s.catReason(i, int(k), s.xs[i], c)
		}
		// Field by field into the slot: a composite literal is built on the stack and copied,
		// which costs a stall reading back what was just written there (a third of this loop).
		if len(rs) == cap(rs) {
			rs = slices.Grow(rs, len(s.contrib))
		}
		rs = rs[:len(rs)+1]
		r := &rs[len(rs)-1]
		r.Text, r.Points, r.Field, r.Value = text, c, s.features[i], s.xs[i]
	}
	r.Reasons, s.rbuf = rs, rs
}

// Counts are what the job inspector is told after apply: rows without a prediction (a null or
// non-numeric feature; they still have a risk, see score) and categorical values not seen in
// training.
func (s *Scorer) Counts() (noPrediction, unseen int64) { return s.noPrediction, s.unseen }

// FieldCount is a feature and a number of events.
type FieldCount struct {
	Field  string
	Events int64
}

// MissingByField lists, in the model's feature order, the features that were null or
// non-numeric in some event and in how many: the fields that the job inspector's one message
// per search names.
func (s *Scorer) MissingByField() []FieldCount {
	var fc []FieldCount
	for i, n := range s.missingBy {
		if n > 0 {
			fc = append(fc, FieldCount{s.features[i], n})
		}
	}
	return fc
}

func (s *Scorer) countMissing(i int, n int64) {
	if len(s.missingBy) != len(s.features) {
		s.missingBy = make([]int64, len(s.features))
	}
	s.missingBy[i] += n
}

var _ models.Applier = (*Scorer)(nil)
