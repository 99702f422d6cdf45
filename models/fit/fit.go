// Package fit is what every `fit` shares, whatever the algorithm: the map phase's partial rows,
// the fit-level parameters (phase=map, partial_fit=, holdout= and seed=) with one rule each, and
// the holdout split.
//
// In a distributed search splunkd runs `fit ... phase=map` on every indexer (the streaming_preop)
// and the plain `fit` on the search head over what they send. A map process sends partial rows,
// never events: an unsupervised algorithm one [ColPartial]=[KindState] row carrying its mergeable
// state in [ColState]; LinearRegression one [KindStats] row per flush with its statistics in
// [ColState] (package linreg: distinct rows or cross-products). Splunk may skip the
// map phase, so the reduce side accepts raw events as well.
package fit

import (
	"awsrisk/models/number"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"

	"awsrisk/models"
)

// Columns and kinds of the partial rows.
const (
	ColPartial = "__awsrisk_partial" // the row's kind; "" or absent on a raw event
	ColState   = "__awsrisk_state"   // an unsupervised model's State() as JSON

	KindState   = "state"   // one per map process of an unsupervised algorithm
	KindStats   = "stats"   // LinearRegression's partial statistics, one record in ColState
	KindGroup   = "group"   // a LinearRegression feature group (before issue 14; still read)
	KindDropped = "dropped" // a LinearRegression dropped-row report
)

// ParamError is a bad fit-level parameter: Token is what the user wrote.
type ParamError struct {
	Token string
	Msg   string
}

func (e *ParamError) Error() string { return fmt.Sprintf("%s: %s", e.Token, e.Msg) }

// Params are the fit-level parameters every algorithm shares, read once by [ParseParams].
type Params struct {
	MapPhase bool    // phase=map: this process is a map phase on an indexer
	Partial  bool    // partial_fit=true: continue the model named by into
	Holdout  Holdout // holdout= and seed= (LinearRegression only; other algorithms refuse them)
}

// ParseParams reads phase=, partial_fit= and holdout=/seed= from a fit's parameters; model is
// its into <model>. Errors are [*ParamError]s.
func ParseParams(params map[string]string, model string) (Params, error) {
	var p Params
	var err error
	if p.MapPhase, err = Phase(params); err != nil {
		return p, err
	}
	if p.Partial, err = PartialFit(params, model); err != nil {
		return p, err
	}
	p.Holdout, err = ParseHoldout(params)
	return p, err
}

// Phase reads phase=: only awsrisk itself sets it, in the streaming_preop, and only to "map".
func Phase(params map[string]string) (mapPhase bool, err error) {
	v, ok := params["phase"]
	if !ok {
		return false, nil
	}
	if v != "map" {
		return false, &ParamError{Token: "phase=" + v, Msg: `phase is set by awsrisk itself and can only be "map"`}
	}
	return true, nil
}

// PartialFit reads partial_fit=: a boolean, and true only with into <model> (the model to
// continue). The same rule holds for every algorithm; one that cannot continue a model says so
// itself.
func PartialFit(params map[string]string, model string) (bool, error) {
	v, ok := params["partial_fit"]
	if !ok {
		return false, nil
	}
	b, err := models.ParseBool(v)
	if err != nil {
		return false, &ParamError{Token: "partial_fit=" + v, Msg: err.Error()}
	}
	if b && model == "" {
		return false, &ParamError{Token: "partial_fit=" + v, Msg: "partial_fit needs into <model>: the model to continue"}
	}
	return b, nil
}

// Holdout splits events into a training and a test set by hashing each event's own values.
type Holdout struct {
	Fraction float64 // of events in the test set, 0..0.9
	Seed     uint64
}

// ParseHoldout reads holdout= and seed=.
func ParseHoldout(params map[string]string) (Holdout, error) {
	var h Holdout
	var err error
	if v, ok := params["holdout"]; ok {
		h.Fraction, err = number.Parse(v)
		if err != nil || !(h.Fraction >= 0 && h.Fraction <= 0.9) { // NaN fails both comparisons
			return h, &ParamError{Token: "holdout=" + v, Msg: "holdout must be a fraction between 0 and 0.9, e.g. holdout=0.3 for a 70/30 split"}
		}
	}
	if v, ok := params["seed"]; ok {
		if h.Seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			return h, &ParamError{Token: "seed=" + v, Msg: "seed must be a non-negative integer"}
		}
	}
	return h, nil
}

// Test puts an event in the test set when FNV-1a(seed, y, 0, x₁, 0, x₂, …) < Fraction·2⁶⁴.
// Hashing the event's own values instead of drawing random numbers gives the same split however
// splunkd cuts the events into chunks and indexers, so 1, 3 or 8 indexers train the same model.
func (h Holdout) Test(y string, xs []string) bool {
	if h.Fraction <= 0 {
		return false
	}
	f := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(h.Seed >> (8 * i))
	}
	f.Write(b[:])
	f.Write([]byte(y))
	for _, x := range xs {
		f.Write([]byte{0})
		f.Write([]byte(x))
	}
	return float64(f.Sum64()) < h.Fraction*math.Exp2(64)
}
