package linreg

import (
	"awsrisk/models"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Solver names reported in [FitStats.Solver] and accepted by [LinearOptions.Solver].
const (
	SolverAuto  = ""      // dense for at most DenseMaxColumns columns, else PCG
	SolverDense = "dense" // eigendecomposition pseudo-inverse (exact min-norm)
	SolverPCG   = "pcg"   // Jacobi-preconditioned conjugate gradient
	SolverNone  = "none"  // nothing to solve: constant target
)

// DenseMaxColumns is the largest number of design columns the automatic solver
// choice hands to the dense solver: 200 columns is a 200×200 eigenproblem
// (a few milliseconds) while still covering typical small MLTK models exactly.
const DenseMaxColumns = 200

// LinearOptions are the parameters of [FitLinear].
type LinearOptions struct {
	// FitIntercept is MLTK's fit_intercept (default true there; the zero
	// value here is false, so callers set it explicitly).
	FitIntercept bool
	// Solver forces a solver (SolverDense or SolverPCG); empty chooses.
	Solver string
}

// FitStats describes a fit.
type FitStats struct {
	N             int64          `json:"n"`                        // rows used
	Groups        int            `json:"groups"`                   // distinct feature combinations used
	R2            float64        `json:"r2"`                       // 1 − SSres/SStot on the training rows
	RMSE          float64        `json:"rmse"`                     // sqrt(SSres/N)
	YMean         float64        `json:"y_mean"`                   // ȳ
	Dropped       DropReport     `json:"dropped"`                  // rows left out
	DroppedFields []string       `json:"dropped_fields,omitempty"` // features null in every row
	Categories    map[string]int `json:"categories,omitempty"`     // distinct values per categorical field
	Columns       int            `json:"columns"`                  // design columns (one-hot expanded)
	Iterations    int            `json:"iterations"`               // PCG iterations (0 for dense)
	Solver        string         `json:"solver"`                   // SolverDense, SolverPCG or SolverNone
	Holdout       *EvalStats     `json:"holdout,omitempty"`        // figures on the held-out rows (fit holdout=)
	Residual      float64        `json:"residual,omitempty"`       // PCG relative residual when it stalled above 1e-8 (fit warns)
}

// Linear is a fitted linear regression. It is JSON-serialisable and is the
// saved model body. Build it with [FitLinear], [DecodeLinear] or json.Unmarshal;
// [EncodeLinear] (or json.Marshal) writes the body, see linearcodec.go.
type Linear struct {
	Target       string                        `json:"target"`
	Features     []string                      `json:"features"`
	FitIntercept bool                          `json:"fit_intercept"`
	Intercept    float64                       `json:"intercept"`
	Numeric      map[string]float64            `json:"numeric"`
	Categorical  map[string]map[string]float64 `json:"categorical"`
	Stats        FitStats                      `json:"stats"`
	// Means are the training means x̄ of the numeric fields, so an explanation can say how far a
	// value moves the score from the average event: β·(x − x̄).
	Means map[string]float64 `json:"means,omitempty"`

	// tables hold the categorical coefficients of a model from DecodeLinear, whose Categorical
	// is nil (building a million-entry Go map costs more than the rest of loading together).
	tables map[string]*catTable
	pred   *predictor // per-feature lookup tables, see Prepare
}

// Coef is one design column of a model and its coefficient.
type Coef struct {
	Feature     string  `json:"feature"`
	Coefficient float64 `json:"coefficient"`
}

// Columns returns the model's columns (numeric fields by name, categorical as
// field=value) with their coefficients in byte-wise lexicographic order, as
// MLTK's summary lists them (without _intercept).
func (m *Linear) Columns() []Coef {
	out := make([]Coef, 0, len(m.Numeric))
	for f, c := range m.Numeric {
		out = append(out, Coef{f, c})
	}
	for f, vs := range m.Categorical {
		for v, c := range vs {
			out = append(out, Coef{f + "=" + v, c})
		}
	}
	if m.Categorical == nil {
		for f, t := range m.tables {
			for i := range t.pos {
				out = append(out, Coef{f + "=" + t.value(i), t.coef[i]})
			}
		}
	}
	slices.SortFunc(out, func(a, b Coef) int { return strings.Compare(a.Feature, b.Feature) })
	return out
}

type featureKind uint8

const (
	kindDropped featureKind = iota // not in the model (null in every training row)
	kindNumeric
	kindCategorical
)

type predictor struct {
	kind []featureKind
	coef []float64
	cat  []*catTable
	avg  []float64 // per feature: its average term, β·x̄ for a numeric field (0 without Means), 0 for a categorical one
}

// Prepare builds the lookup tables Predict uses. FitLinear, DecodeLinear and
// json.Unmarshal call it; call it again after changing the exported fields by
// hand (when Categorical is not nil it is the model's categorical coefficients,
// else the tables DecodeLinear read are). Predict and Contributions are safe
// for concurrent use once it has been called.
func (m *Linear) Prepare() {
	p := &predictor{
		kind: make([]featureKind, len(m.Features)),
		coef: make([]float64, len(m.Features)),
		cat:  make([]*catTable, len(m.Features)),
		avg:  make([]float64, len(m.Features)),
	}
	if m.Categorical != nil {
		m.tables = nil
	}
	for i, f := range m.Features {
		if c, ok := m.Numeric[f]; ok {
			p.kind[i], p.coef[i], p.avg[i] = kindNumeric, c, c*m.Means[f]
		} else if vs, ok := m.Categorical[f]; ok {
			p.kind[i], p.cat[i] = kindCategorical, tableFromMap(vs)
		} else if t, ok := m.tables[f]; ok {
			if t.slots == nil {
				t.index()
			}
			p.kind[i], p.cat[i] = kindCategorical, t
		}
	}
	m.pred = p
}

// UnmarshalJSON decodes a model body (either version, see DecodeLinear), with
// Categorical filled in, and prepares it for Predict.
func (m *Linear) UnmarshalJSON(b []byte) error {
	v, err := decodeLinear(b, false)
	if err != nil {
		return err
	}
	v.materialize()
	*m = *v
	m.Prepare()
	return nil
}

// MarshalJSON writes the body [EncodeLinear] does.
func (m Linear) MarshalJSON() ([]byte, error) { return EncodeLinear(&m) }

// Predict returns the prediction for feature values xs in Features order:
//
//	ŷ = intercept + Σ_numeric β_f·x_f + Σ_categorical β_{f=x_f}
//
// ok is false (no prediction, as MLTK leaves the field empty) when a feature
// the model uses is null or a numeric feature does not parse. unseen counts
// categorical values absent from training; they contribute 0, which is MLTK's
// behaviour (all of the field's dummies are 0). Predict does not allocate. It
// panics if len(xs) != len(Features).
func (m *Linear) Predict(xs []string) (y float64, ok bool, unseen int) {
	return m.contributions(xs, nil, nil)
}

// Contributions is Predict that also writes each feature's additive
// contribution into dst (len(Features)): β_{f=x_f} for a categorical feature
// (0 if unseen), β_f·x_f for a numeric one, 0 for a dropped one. The intercept
// is not included in dst. When ok is false dst is unspecified.
func (m *Linear) Contributions(xs []string, dst []float64) (y float64, ok bool, unseen int) {
	if len(dst) != len(m.Features) {
		panic(fmt.Sprintf("models: Contributions dst has length %d for %d features", len(dst), len(m.Features)))
	}
	return m.contributions(xs, dst, nil)
}

// contributions is Contributions that also sets cats[i], when cats is not nil, to the index of
// categorical feature i's value in its table (-1 unseen): the scorer keys a category's reason
// text by it instead of hashing the value a second time.
func (m *Linear) contributions(xs []string, dst []float64, cats []int32) (y float64, ok bool, unseen int) {
	if len(xs) != len(m.Features) {
		panic(fmt.Sprintf("models: Predict with %d values for %d features", len(xs), len(m.Features)))
	}
	p := m.pred
	if p == nil {
		m.Prepare()
		p = m.pred
	}
	y = m.Intercept
	for i, x := range xs {
		var c float64
		switch p.kind[i] {
		case kindNumeric:
			v, _, good := models.ParseNumber(x)
			if !good {
				return 0, false, unseen
			}
			c = p.coef[i] * v
		case kindCategorical:
			if models.IsNull(x) {
				return 0, false, unseen
			}
			t := p.cat[i]
			k := t.find(x)
			if k >= 0 {
				c = t.coef[k]
			} else {
				unseen++
			}
			if cats != nil {
				cats[i] = int32(k)
			}
		}
		if dst != nil {
			dst[i] = c
		}
		y += c
	}
	return y, true, unseen
}

// ContributionsImputed is Contributions for an event with null or non-numeric features: each
// such feature contributes its average term instead of voiding the prediction (β·x̄ for a
// numeric field, 0 for a categorical one, where the dummies of a fit with an intercept average
// 0, as for an unseen value). missing[i] is set for those features; it must have the length of
// Features. It is not MLTK's semantics (MLTK predicts nothing), so callers say when they use it.
//
//	y = intercept + Σ_present β_f x_f + Σ_missing β_f x̄_f
func (m *Linear) ContributionsImputed(xs []string, dst []float64, missing []bool) (y float64, nMissing, unseen int) {
	if len(dst) != len(m.Features) || len(missing) != len(m.Features) || len(xs) != len(m.Features) {
		panic(fmt.Sprintf("models: ContributionsImputed with %d values, %d dst, %d missing for %d features",
			len(xs), len(dst), len(missing), len(m.Features)))
	}
	p := m.pred
	if p == nil {
		m.Prepare()
		p = m.pred
	}
	y = m.Intercept
	for i, x := range xs {
		c, miss := p.avg[i], false
		switch p.kind[i] {
		case kindNumeric:
			if v, _, good := models.ParseNumber(x); good {
				c = p.coef[i] * v
			} else {
				miss = true
			}
		case kindCategorical:
			if models.IsNull(x) {
				miss = true
				break
			}
			var seen bool
			if c, seen = p.cat[i].lookup(x); !seen {
				unseen++
			}
		}
		missing[i] = miss
		if miss {
			nMissing++
		}
		dst[i] = c
		y += c
	}
	return y, nMissing, unseen
}

// errNoRows and friends are the data-dependent failures of FitLinear.
var (
	ErrNoRows    = errors.New("models: no valid events; check for null or non-numeric values in the target and features")
	ErrNoColumns = errors.New("models: no valid fields to fit the model to")
)

// FitLinear fits ordinary least squares of a.Target on a.Features with the
// exact semantics of MLTK's LinearRegression (sklearn), without its category
// cap or sampling. See the package documentation for the method.
func FitLinear(a *Aggregate, opt LinearOptions) (*Linear, error) {
	return FitMoments(MomentsOf(a), opt)
}

// FitMoments is FitLinear from cross-products: merged map-phase partials, or MomentsOf an
// Aggregate. FitLinear is exactly FitMoments(MomentsOf(a)), so a fit on one machine and a fit
// merged from any split of the same events over indexers give the same model bit for bit (as long
// as m is not Inexact).
func FitMoments(mo *Moments, opt LinearOptions) (*Linear, error) {
	d, err := newDesign(mo, opt.FitIntercept)
	if err != nil {
		return nil, err
	}
	solver := opt.Solver
	if solver == SolverAuto {
		solver = SolverPCG
		if d.p <= DenseMaxColumns {
			solver = SolverDense
		}
	}
	var (
		beta  []float64
		iters int
	)
	switch {
	case d.constantTarget():
		beta, solver = make([]float64, d.p), SolverNone
	case solver == SolverDense:
		beta, err = d.solveDense()
	case solver == SolverPCG:
		beta, iters, err = d.solvePCG()
		if err == nil {
			d.removeFieldNull(beta)
		}
	default:
		return nil, fmt.Errorf("models: unknown solver %q", opt.Solver)
	}
	if err != nil {
		return nil, err
	}
	m := d.model(beta)
	m.Stats.Iterations, m.Stats.Solver = iters, solver
	for _, c := range beta {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return nil, fmt.Errorf("models: fit produced a non-finite coefficient (solver %s)", solver)
		}
	}
	if math.IsNaN(m.Intercept) || math.IsInf(m.Intercept, 0) {
		return nil, fmt.Errorf("models: fit produced a non-finite intercept (solver %s)", solver)
	}
	m.Prepare()
	return m, nil
}
