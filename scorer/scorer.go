package scorer

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"awsrisk/app"
	"awsrisk/features"
	"awsrisk/models"
)

// Output field names written back to the events; saved searches, alerts and dashboards use them.
const (
	FieldRiskScore = "ai_risk_score"
	FieldCategory  = "ai_threat_category"
	FieldReasons   = "risk_reasons"
	mvPrefix       = "__mv_"
)

// Options are the apply-time settings (`apply <model> [as <out>] [explain=N]`).
type Options struct {
	Output  string // prediction field; default "predicted(<target>)"
	Explain int    // number of risk_reasons; 0 = none
}

// Counts is what one Scorer saw, reported to the job inspector at the end of the search.
type Counts struct {
	Rows         int64 // rows scored or passed through
	NoPrediction int64 // rows kept with an empty prediction (a null or non-numeric feature)
	Unseen       int64 // categorical values never seen in training (contribute 0)
}

// Scorer applies one LinearRegression model. It is not safe for concurrent use: it reuses its
// buffers across rows.
type Scorer struct {
	file    *models.File
	m       *models.Linear
	deriver *features.Deriver // nil unless the model was fit with features=...
	opt     Options

	derivedIdx map[string]int // derived field -> position in the deriver's output
	newFields  []string       // fields this scorer writes, in order

	// Reused per row.
	xs      []string
	contrib []float64
	derived []string
	order   []int
	offset  []float64 // per feature: β·x̄ for numeric fields, 0 for categorical

	Counts Counts
}

// New builds a scorer for a saved LinearRegression model.
func New(f *models.File, opt Options) (*Scorer, error) {
	if f.Algorithm != "LinearRegression" {
		return nil, fmt.Errorf("model %q is a %s model; this apply path scores LinearRegression models", f.Name, f.Algorithm)
	}
	var m models.Linear
	if err := json.Unmarshal(f.Body, &m); err != nil {
		return nil, fmt.Errorf("model %q: %w (%v)", f.Name, models.ErrCorrupt, err)
	}
	if opt.Explain < 0 {
		return nil, fmt.Errorf("explain must be 0 or more, got %d", opt.Explain)
	}
	s := &Scorer{file: f, m: &m, opt: opt}
	if s.opt.Output == "" {
		s.opt.Output = f.OutputName
	}
	if s.opt.Output == "" {
		s.opt.Output = "predicted(" + m.Target + ")"
	}
	if set := f.Options["features"]; set != "" {
		fs, err := features.ParseSet(set)
		if err != nil {
			return nil, fmt.Errorf("model %q: %w", f.Name, err)
		}
		fo, err := features.OptionsFromParams(f.Options)
		if err != nil {
			return nil, fmt.Errorf("model %q: %w", f.Name, err)
		}
		s.deriver = features.NewDeriver(fs, fo)
		s.derivedIdx = map[string]int{}
		for i, n := range s.deriver.Names() {
			s.derivedIdx[n] = i
		}
	}
	s.newFields = []string{s.opt.Output, FieldRiskScore, FieldCategory}
	if opt.Explain > 0 {
		s.newFields = append(s.newFields, FieldReasons, mvPrefix+FieldReasons)
	}
	// A numeric field's reason is its move away from the training mean, β·(x − x̄); the
	// prediction itself uses β·x, so the reason subtracts β·x̄.
	s.offset = make([]float64, len(m.Features))
	for i, f := range m.Features {
		if c, ok := m.Numeric[f]; ok {
			s.offset[i] = c * m.Means[f]
		}
	}
	s.xs = make([]string, len(m.Features))
	s.contrib = make([]float64, len(m.Features))
	s.order = make([]int, len(m.Features))
	return s, nil
}

// Model returns the fitted model being applied.
func (s *Scorer) Model() *models.Linear { return s.m }

// RequiredFields are the fields splunkd must send (getinfo required_fields): the model's raw
// features, the inputs of the feature derivation, and eventName for the threat category.
func (s *Scorer) RequiredFields() []string {
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, f := range s.m.Features {
		if _, derived := s.derivedIdx[f]; !derived {
			add(f)
		}
	}
	if s.deriver != nil {
		for _, f := range s.deriver.Inputs() {
			add(f)
		}
	}
	add("eventName")
	return out
}

// OutputFields are the fields Score adds or replaces.
func (s *Scorer) OutputFields() []string { return s.newFields }

// Score writes every input row to out with the model's fields added. Existing columns of the same
// name are replaced in place (MLTK drops and re-adds them); rows are never dropped or reordered, so
// `_chunked_idx` is echoed unchanged and splunkd can merge the fields back (scp-v2.md §4.3).
func (s *Scorer) Score(in *app.Table, out *app.Output) error {
	if len(in.Header) == 0 {
		return nil // a 0-length body: nothing to score, empty reply
	}
	header := append([]string(nil), in.Header...)
	pos := make([]int, len(s.newFields))
	for i, f := range s.newFields {
		pos[i] = in.Col(f)
		if pos[i] < 0 {
			pos[i] = len(header)
			header = append(header, f)
		}
	}
	out.SetHeader(header)

	featCol := make([]int, len(s.m.Features))
	for i, f := range s.m.Features {
		featCol[i] = -1
		if _, derived := s.derivedIdx[f]; !derived {
			featCol[i] = in.Col(f)
		}
	}
	var get func(string) string
	var row []string
	if s.deriver != nil {
		cols := map[string]int{}
		for _, f := range s.deriver.Inputs() {
			if c := in.Col(f); c >= 0 {
				cols[f] = c
			}
		}
		get = func(f string) string {
			if c, ok := cols[f]; ok {
				return row[c]
			}
			return ""
		}
	}
	eventCol := in.Col("eventName")
	rec := make([]string, len(header))
	var reasons []string
	for _, row = range in.Rows {
		copy(rec, row)
		if s.deriver != nil {
			s.derived = s.deriver.Derive(get, s.derived[:0])
		}
		for i, f := range s.m.Features {
			switch {
			case featCol[i] >= 0:
				s.xs[i] = row[featCol[i]]
			case s.deriver != nil:
				if j, ok := s.derivedIdx[f]; ok {
					s.xs[i] = s.derived[j]
				} else {
					s.xs[i] = ""
				}
			default:
				s.xs[i] = ""
			}
		}
		y, ok, unseen := s.m.Contributions(s.xs, s.contrib)
		for i, o := range s.offset {
			s.contrib[i] -= o
		}
		s.Counts.Rows++
		s.Counts.Unseen += int64(unseen)
		event := ""
		if eventCol >= 0 {
			event = row[eventCol]
		}
		category, _ := features.Tactic(event)
		if !ok {
			s.Counts.NoPrediction++
			rec[pos[0]], rec[pos[1]] = "", ""
		} else {
			rec[pos[0]] = strconv.FormatFloat(y, 'f', -1, 64)
			rec[pos[1]] = scoreText[RiskScore(y)]
		}
		rec[pos[2]] = category
		if s.opt.Explain > 0 {
			reasons = reasons[:0]
			if ok {
				reasons = s.reasons(reasons)
			}
			rec[pos[3]] = strings.Join(reasons, "\n")
			rec[pos[4]] = ""
			if len(reasons) > 1 {
				rec[pos[4]] = app.EncodeMV(reasons)
			}
		}
		out.WriteRow(rec)
	}
	return nil
}

// scoreText holds "0".."100" so that writing a score allocates nothing.
var scoreText = func() (t [101]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// RiskScore maps a prediction to Splunk's 0..100 risk scale: round(clamp(y, 0, 100)).
func RiskScore(y float64) int {
	switch {
	case math.IsNaN(y) || y <= 0:
		return 0
	case y >= 100:
		return 100
	}
	return int(math.Round(y))
}

// reasons appends the top-N positive contributions of the current row, largest first, in plain
// words: "<field>=<value> +<points>". Contributions under half a point are not reasons.
func (s *Scorer) reasons(dst []string) []string {
	for i := range s.order {
		s.order[i] = i
	}
	sort.SliceStable(s.order, func(a, b int) bool { return s.contrib[s.order[a]] > s.contrib[s.order[b]] })
	for _, i := range s.order {
		if len(dst) == s.opt.Explain || s.contrib[i] < 0.5 {
			break
		}
		dst = append(dst, Reason(s.m.Features[i], s.xs[i], s.contrib[i]))
	}
	return dst
}

// Reason renders one contribution: `eventName=StopLogging +38`. Long values (user agents) are
// shortened so a dashboard cell stays readable.
func Reason(field, value string, points float64) string {
	const maxValue = 60 // characters of a value shown in a reason
	if r := []rune(value); len(r) > maxValue {
		value = string(r[:maxValue]) + "…"
	}
	sign := "+"
	if points < 0 {
		sign = "-"
		points = -points
	}
	return fmt.Sprintf("%s=%s %s%s", field, value, sign, strconv.FormatFloat(math.Round(points), 'f', -1, 64))
}

// Report summarises the counts for the job inspector, once per search.
func (s *Scorer) Report(out *app.Output) {
	if s.Counts.NoPrediction > 0 {
		out.Warn("awsrisk apply %s: %d of %d rows have a null or non-numeric feature and got no prediction (rows kept)",
			s.file.Name, s.Counts.NoPrediction, s.Counts.Rows)
	}
	if s.Counts.Unseen > 0 {
		out.Info("awsrisk apply %s: %d categorical values were not seen in training and contributed 0 (the average level)",
			s.file.Name, s.Counts.Unseen)
	}
}
