package linreg

import (
	"awsrisk/models"
	"encoding/json"
	"math"
)

// EvalStats are a model's figures on rows it was not trained on (the holdout).
type EvalStats struct {
	N            int64   `json:"n"`             // holdout rows with a prediction
	NoPrediction int64   `json:"no_prediction"` // holdout rows with a null feature (MLTK: no prediction)
	R2           float64 `json:"r2"`            // 1 − SSres/SStot over the N rows; NaN when SStot = 0 or N = 0
	RMSE         float64 `json:"rmse"`          // sqrt(SSres/N); NaN when N = 0
}

// Evaluate scores m on the groups of a (typically the 30% holdout of `fit ... holdout=0.3`),
// exactly from the aggregates: for a group g with n_g rows, Σy and Σy², and prediction ŷ_g,
//
//	SSres = Σ_g (Σy²_g − 2ŷ_g·Σy_g + n_g·ŷ_g²),   SStot = Σ_g Σy²_g − 2ȳΣ_g Σy_g + Nȳ²,
//
// which is the same sum over the individual rows. Unseen categories contribute 0, as in apply.
// The sums are exact (xsum) and Σy² is the exact total of the null patterns that get predictions
// (less the rows whose numeric value does not parse, rare, from their groups' rounded sums), so
// the figures do not depend on how the rows were ordered or split over indexers.
func Evaluate(m *Linear, a *Aggregate) EvalStats {
	var ev EvalStats
	var ssRes, sumY, sumY2 xsum
	k := len(a.Features)
	xs := make([]string, k)
	predicted := map[string]bool{} // null pattern -> its rows can get a prediction
	var buf [64]byte
	for g, n := range a.n {
		if n == 0 {
			continue
		}
		ids := a.ids[g*k : (g+1)*k]
		for i, id := range ids {
			xs[i] = ""
			if id != nullID {
				xs[i] = a.vals[i][id]
			}
		}
		yhat, ok, _ := m.Predict(xs)
		key := string(patternKey(ids, buf[:0]))
		if !ok {
			ev.NoPrediction += n
			if !m.usesNull(xs) { // a value that does not parse: its rows leave the pattern's Σy²
				predicted[key] = true
				s := a.sum[g] + a.lo[g]
				sumY2.Add(-(a.m2[g] + s*s/float64(n)))
			}
			continue
		}
		predicted[key] = true
		ev.N += n
		sumY.Add(a.sum[g])
		sumY.Add(a.lo[g])
		ssRes.AddProd(-2*yhat, a.sum[g])
		ssRes.AddProd(-2*yhat, a.lo[g])
		ssRes.AddProdInt(yhat, yhat, n)
	}
	for key, ok := range predicted {
		if ok && a.sq[key] != nil {
			sumY2.AddSum(a.sq[key])
		}
	}
	ev.R2, ev.RMSE = math.NaN(), math.NaN()
	if ev.N == 0 {
		return ev
	}
	n := float64(ev.N)
	ssRes.AddSum(&sumY2)
	res := math.Max(ssRes.Float64(), 0)
	ybar := sumY.Float64() / n
	var tot xsum
	tot.AddSum(&sumY2)
	for _, f := range sumY.Expansion() {
		tot.AddProd(-2*ybar, f)
	}
	tot.AddProdInt(ybar, ybar, ev.N)
	if ssTot := tot.Float64(); ssTot > 0 {
		ev.R2 = 1 - res/ssTot
	}
	ev.RMSE = math.Sqrt(res / n)
	return ev
}

// usesNull reports whether a feature the model uses is null in xs (no prediction, as in MLTK).
func (m *Linear) usesNull(xs []string) bool {
	if m.pred == nil {
		m.Prepare()
	}
	for i, x := range xs {
		if m.pred.kind[i] != kindDropped && models.IsNull(x) {
			return true
		}
	}
	return false
}

// evalJSON is EvalStats on the wire: JSON has no NaN, so an undefined R² or RMSE is null.
type evalJSON struct {
	N            int64    `json:"n"`
	NoPrediction int64    `json:"no_prediction"`
	R2           *float64 `json:"r2"`
	RMSE         *float64 `json:"rmse"`
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON implements json.Marshaler.
func (e EvalStats) MarshalJSON() ([]byte, error) {
	return json.Marshal(evalJSON{e.N, e.NoPrediction, finite(e.R2), finite(e.RMSE)})
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *EvalStats) UnmarshalJSON(b []byte) error {
	var w evalJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = EvalStats{w.N, w.NoPrediction, orNaN(w.R2), orNaN(w.RMSE)}
	return nil
}
