package linreg

import (
	"math"

	"awsrisk/models"
)

// The holdout's test part can travel as moments too, but evaluating a model on it needs, per row,
// whether it gets a prediction: a null in a used feature voids it (a whole null pattern, which
// the moments keep apart), and so does a value of a numeric feature that does not parse, which
// pairwise counts cannot take out of the other sums. So the test part is sent as moments only
// when every field's values are all numbers or all not (its kind signature), and moments are
// merged only with moments of the same signature: then a numeric model field either parses in
// every row of a set or voids every row that has it.

// Kind signature bytes, one per feature.
const (
	sigNone    = '0' // no value
	sigNumeric = 'n' // every value parses as a number (ParseNumber, bools included)
	sigText    = 't' // no value does
)

// kindSignature returns a's signature and false when a field mixes numbers and text.
func kindSignature(a *Aggregate) (string, bool) {
	sig := make([]byte, len(a.Features))
	for i, vs := range a.vals {
		sig[i] = sigNone
		for _, v := range vs {
			_, _, ok := models.ParseNumber(v)
			kind := byte(sigText)
			if ok {
				kind = sigNumeric
			}
			if sig[i] != sigNone && sig[i] != kind {
				return "", false
			}
			sig[i] = kind
		}
	}
	return string(sig), true
}

// HoldoutMoments gathers the test parts that map phases sent as moments, one merged set per kind
// signature.
type HoldoutMoments struct {
	Target   string
	Features []string
	bySig    map[string]*Moments
}

// NewHoldoutMoments returns an empty set for target and features.
func NewHoldoutMoments(target string, features []string) *HoldoutMoments {
	return &HoldoutMoments{Target: target, Features: features, bySig: map[string]*Moments{}}
}

func (h *HoldoutMoments) merge(sig string, m *Moments) error {
	dst := h.bySig[sig]
	if dst == nil {
		dst = newMoments(h.Target, h.Features)
		h.bySig[sig] = dst
	}
	return dst.Merge(m)
}

// evalAcc accumulates holdout figures exactly.
type evalAcc struct {
	n, noPred          int64
	ssRes, sumY, sumY2 xsum
}

func (acc *evalAcc) stats() EvalStats {
	ev := EvalStats{N: acc.n, NoPrediction: acc.noPred, R2: math.NaN(), RMSE: math.NaN()}
	if acc.n == 0 {
		return ev
	}
	n := float64(acc.n)
	res := math.Max(acc.ssRes.Float64(), 0)
	ybar := acc.sumY.Float64() / n
	var tot xsum
	tot.AddSum(&acc.sumY2)
	for _, f := range acc.sumY.Expansion() {
		tot.AddProd(-2*ybar, f)
	}
	tot.AddProdInt(ybar, ybar, acc.n)
	if ssTot := tot.Float64(); ssTot > 0 {
		ev.R2 = 1 - res/ssTot
	}
	ev.RMSE = math.Sqrt(res / n)
	return ev
}

// EvaluateAll is Evaluate over the holdout's distinct rows (a) and its moments (hm, may be nil):
// the figures of the whole test part, exact and independent of how it was split.
func EvaluateAll(m *Linear, a *Aggregate, hm *HoldoutMoments) EvalStats {
	var acc evalAcc
	evalGroups(&acc, m, a)
	if hm != nil {
		for sig, mo := range hm.bySig {
			evalMoments(&acc, m, mo, sig)
		}
	}
	return acc.stats()
}

// evalMoments adds the rows of mo (all of kind signature sig) to acc.
func evalMoments(acc *evalAcc, m *Linear, mo *Moments, sig string) {
	if m.pred == nil {
		m.Prepare()
	}
	p := m.pred
	k := len(mo.Features)
	for _, pt := range mo.pats {
		if pt.n == 0 {
			continue
		}
		void := false
		for i := range k {
			switch {
			case p.kind[i] == kindDropped:
			case pt.null[i]:
				void = true // MLTK: a null feature, no prediction
			case p.kind[i] == kindNumeric && sig[i] != sigNumeric:
				void = true // every value of the field fails to parse
			}
		}
		if void {
			acc.noPred += pt.n
			continue
		}
		acc.n += pt.n
		acc.sumY.Add(pt.sum.hi)
		acc.sumY.Add(pt.sum.lo)
		acc.sumY2.AddSum(&pt.sq)
		term := func(f int, id int32) (float64, float64) {
			x := mo.vals[f][id]
			switch p.kind[f] {
			case kindNumeric:
				v, _, _ := models.ParseNumber(x)
				return twoProd(p.coef[f], v)
			case kindCategorical:
				c, _ := p.cat[f].lookup(x)
				return c, 0
			}
			return 0, 0
		}
		addResidualSS(&acc.ssRes, pt, k, m.Intercept, term)
	}
}
