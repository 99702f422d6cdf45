package models

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Unsupervised is an algorithm whose whole state is mergeable counts, so that
//
//   - the map phase on each indexer can learn from its share of the events and ship its State,
//   - the reduce phase Merges those states (the result does not depend on how the events were cut),
//   - the saved model body is the same State, so `partial_fit=true` is Merge(saved) then Add(new).
//
// Implementations: CategoricalOutlier, DensityFunction, SequenceModel. LinearRegression is a
// [Supervised] algorithm: its partial rows are feature combinations (package linreg).
type Unsupervised interface {
	// Algorithm is the name used in SPL: `fit <Algorithm> ...`.
	Algorithm() string
	// Fields are the input fields fit reads (features, by-fields, _time when used), for
	// getinfo required_fields.
	Fields() []string
	// Add learns from one event; get returns a field's value, "" when absent. Events arrive in
	// search order (newest first in Splunk); an algorithm that needs time order reads _time.
	Add(get func(field string) string)
	// Merge adds a State of the same algorithm and options (from a map phase, or the saved
	// model for partial_fit). It fails with a clear error if the options differ.
	Merge(state []byte) error
	// State is the mergeable state as JSON; it is both the map phase's output and the model body.
	State() ([]byte, error)
	// Report is the fit's one-row report, as ordered key/value pairs (rows, entities, ...).
	Report() [][2]string
	// Summary is what `| awsrisk summary <model>` shows: a header and rows.
	Summary() (header []string, rows [][]string)
	// Scorer freezes the model for apply. params are apply-time options (e.g. threshold=),
	// already checked against ApplyParams.
	Scorer(params map[string]string) (Scorer, error)
}

// Scorer applies a fitted model to one event at a time. It is used by one goroutine; it may
// keep state across events (SequenceModel remembers each principal's previous call).
type Scorer interface {
	// Fields are the input fields apply needs (getinfo required_fields).
	Fields() []string
	// Outputs are the fields Score writes, in order: MLTK-compatible names where MLTK has them
	// (IsOutlier(<f>), BoundaryRanges, log_event_prob, probable_cause...).
	Outputs() []string
	// Score writes len(Outputs()) values into out (empty string for "no value") and returns the
	// event's risk according to this model.
	Score(get func(field string) string, out []string) Risk
}

// Risk is one model's verdict on one event, combined with other models' verdicts into
// ai_risk_score (see package scorer).
type Risk struct {
	Score    float64  // 0..100 on Splunk's risk scale; 0 = nothing unusual
	Reasons  []Reason // why, largest first; plain words
	Category string   // ATT&CK tactic when the model knows one, else ""
}

// Reason is one plain-words explanation with the points it adds to the score. A scorer gives
// its Text, or for the common "field=value +points" form only Field and Value: that text is then
// built by String when the reason is shown (the top few of an event above the risk floor), not
// for every event (FormatReason costs more than scoring an event).
type Reason struct {
	Text   string  // e.g. "first time arn:…/alice used sourceIPAddress=203.0.113.9"; "" = FormatReason(Field, Value, Points)
	Points float64 // contribution to Risk.Score
	Field  string  // with Text "": the field and its value; Value may point into the chunk, valid for the event only
	Value  string
}

// String is the reason's text.
func (r Reason) String() string {
	if r.Text == "" && r.Field != "" {
		return FormatReason(r.Field, r.Value, r.Points)
	}
	return r.Text
}

// Spec is a parsed `fit <Algorithm> <field>... [by <field>...] [key=value...]`.
type Spec struct {
	Fields []string          // positional fields
	By     []string          // by-clause fields
	Params map[string]string // algorithm parameters (fit-level ones like into/features removed)
}

// unsupervised describes one registered algorithm.
type unsupervised struct {
	fitParams   []string
	applyParams []string
	new         func(spec Spec) (Unsupervised, error)
}

var registry = map[string]unsupervised{}

// Register is called from each algorithm package's init.
func Register(name string, fitParams, applyParams []string, fn func(Spec) (Unsupervised, error)) {
	registry[name] = unsupervised{fitParams: fitParams, applyParams: applyParams, new: fn}
}

// Supervised is a registered algorithm whose model is not a mergeable state: LinearRegression,
// whose map phase ships feature combinations and whose fit is the commands' fit handler. The
// registry loads its saved models for apply and summary like any other.
type Supervised struct {
	// Scorer builds the scorer of a saved model; output renames the prediction field ("" = the
	// file's own, else predicted(<target>)).
	Scorer func(f *File, output string) (Scorer, error)
	// Summary is what `| awsrisk summary <model>` shows.
	Summary func(f *File) (header []string, rows [][]string, err error)
}

var supervised = map[string]Supervised{}

// RegisterSupervised is called from a supervised algorithm package's init.
func RegisterSupervised(name string, s Supervised) { supervised[name] = s }

// Algorithms lists the algorithm names `fit` accepts: the supervised ones first, each group sorted.
func Algorithms() []string {
	sup := slices.Sorted(maps.Keys(supervised))
	return append(sup, slices.Sorted(maps.Keys(registry))...)
}

// LookupAlgorithm returns the canonical name of algo (case-insensitive) and whether it is unsupervised.
func LookupAlgorithm(algo string) (name string, unsup bool, ok bool) {
	for n := range supervised {
		if strings.EqualFold(n, algo) {
			return n, false, true
		}
	}
	for n := range registry {
		if strings.EqualFold(n, algo) {
			return n, true, true
		}
	}
	return "", false, false
}

// FitParams and ApplyParams list the parameters an unsupervised algorithm accepts at fit and at apply.
func FitParams(algo string) []string   { return registry[algo].fitParams }
func ApplyParams(algo string) []string { return registry[algo].applyParams }

// NewUnsupervised builds an empty model of algo (a canonical name from LookupAlgorithm).
func NewUnsupervised(algo string, spec Spec) (Unsupervised, error) {
	r, ok := registry[algo]
	if !ok {
		return nil, fmt.Errorf("unknown algorithm %q; supported: %s", algo, strings.Join(Algorithms(), ", "))
	}
	return r.new(spec)
}

// LoadUnsupervised rebuilds a saved model: an empty model from the saved spec, then Merge(state).
func LoadUnsupervised(algo string, spec Spec, state []byte) (Unsupervised, error) {
	u, err := NewUnsupervised(algo, spec)
	if err != nil {
		return nil, err
	}
	if err := u.Merge(state); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return u, nil
}

// DecodeState unmarshals an algorithm's state into v after checking, from its "algorithm" key,
// that it is a state of algo: a state of another algorithm gives a clear error instead of a
// half-filled model.
func DecodeState(state []byte, algo string, v any) error {
	var head struct {
		Algorithm string `json:"algorithm"`
	}
	if err := json.Unmarshal(state, &head); err != nil {
		return fmt.Errorf("%s state: %w", algo, err)
	}
	if head.Algorithm != algo {
		return fmt.Errorf("state is for %q, not %s", head.Algorithm, algo)
	}
	if err := json.Unmarshal(state, v); err != nil {
		return fmt.Errorf("%s state: %w", algo, err)
	}
	return nil
}

// LoadFile rebuilds the unsupervised model saved in f, from the fields, by-fields and algorithm
// parameters the file records.
func LoadFile(f *File) (Unsupervised, error) {
	spec := Spec{Fields: f.Features, By: f.By, Params: map[string]string{}}
	for _, k := range FitParams(f.Algorithm) {
		if v, ok := f.Options[k]; ok {
			spec.Params[k] = v
		}
	}
	u, err := LoadUnsupervised(f.Algorithm, spec, f.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Label(), err)
	}
	return u, nil
}

// LoadScorer builds the scorer of a saved model of any algorithm. output renames a supervised
// model's prediction; params are apply-time options of an unsupervised one.
func LoadScorer(f *File, output string, params map[string]string) (Scorer, error) {
	if sup, ok := supervised[f.Algorithm]; ok {
		s, err := sup.Scorer(f, output)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Label(), err)
		}
		return s, nil
	}
	u, err := LoadFile(f)
	if err != nil {
		return nil, err
	}
	s, err := u.Scorer(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Label(), err)
	}
	return s, nil
}

// Validate decodes f's body with its algorithm's decoder and reports what apply would find wrong
// (a body such as {} that is no model of its algorithm), naming the model and its file.
func Validate(f *File) error {
	if sup, ok := supervised[f.Algorithm]; ok {
		if _, _, err := sup.Summary(f); err != nil {
			return fmt.Errorf("%s: %w", f.Label(), err)
		}
		return nil
	}
	_, err := LoadFile(f) // names the model already
	return err
}

// Summarize is the summary of a saved model of any algorithm: a header and rows.
func Summarize(f *File) (header []string, rows [][]string, err error) {
	if sup, ok := supervised[f.Algorithm]; ok {
		if header, rows, err = sup.Summary(f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.Label(), err)
		}
		return header, rows, nil
	}
	u, err := LoadFile(f)
	if err != nil {
		return nil, nil, err
	}
	header, rows = u.Summary()
	return header, rows, nil
}

// IsSupervised reports whether algo is a registered supervised algorithm.
func IsSupervised(algo string) bool {
	_, ok := supervised[algo]
	return ok
}
