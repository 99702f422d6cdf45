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
	var acc evalAcc
	evalGroups(&acc, m, a)
	return acc.stats()
}

// evalGroups adds the groups of a to acc.
func evalGroups(acc *evalAcc, m *Linear, a *Aggregate) {
	k := len(a.Features)
	xs := make([]string, k)
	predicted := map[string]bool{} // null pattern -> its rows can get a prediction
	var buf [64]byte
	var ts []float64
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
		_, ok, _ := m.Predict(xs)
		key := string(patternKey(ids, buf[:0]))
		if !ok {
			acc.noPred += n
			if !m.usesNull(xs) { // a value that does not parse: its rows leave the pattern's Σy²
				predicted[key] = true
				s := a.sum[g] + a.lo[g]
				sq := a.m2[g] + s*s/float64(n)
				acc.sumY2.Add(-sq)
				acc.ssRes.Add(-sq)
			}
			continue
		}
		predicted[key] = true
		acc.n += n
		acc.sumY.Add(a.sum[g])
		acc.sumY.Add(a.lo[g])
		// ŷ = b₀ + Σ_f t_f with each term exact (t = β·x as p + e): the same exact figure the
		// moments of the same rows give (evalMoments), whatever form each indexer chose.
		ts = append(ts[:0], m.Intercept)
		for i, x := range xs {
			switch m.pred.kind[i] {
			case kindNumeric:
				v, _, _ := models.ParseNumber(x)
				p, e := twoProd(m.pred.coef[i], v)
				ts = append(ts, p, e)
			case kindCategorical:
				c, _ := m.pred.cat[i].lookup(x)
				ts = append(ts, c)
			}
		}
		for i, t := range ts {
			if t == 0 {
				continue
			}
			acc.ssRes.AddProd(-2*t, a.sum[g])
			acc.ssRes.AddProd(-2*t, a.lo[g])
			acc.ssRes.AddProdInt(t, t, n)
			for _, u := range ts[i+1:] {
				if u != 0 {
					acc.ssRes.AddProdInt(2*t, u, n)
				}
			}
		}
	}
	for key, ok := range predicted {
		if ok && a.sq[key] != nil {
			acc.sumY2.AddSum(a.sq[key])
			acc.ssRes.AddSum(a.sq[key])
		}
	}
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
