package linreg

import (
	"encoding/json"
	"testing"

	"awsrisk/models"

	"github.com/stretchr/testify/require"
)

// imputeModel: y = 10 + β(api) + 0.5·impact, impact's training mean 20, so a missing impact adds 0.5·20 = 10.
func imputeModel() *Linear {
	m := &Linear{Target: "risk_score", Features: []string{"api", "impact"}, FitIntercept: true, Intercept: 10,
		Numeric: map[string]float64{"impact": 0.5}, Means: map[string]float64{"impact": 20},
		Categorical: map[string]map[string]float64{"api": {"StopLogging": 6, "ListBuckets": -6}}}
	m.Prepare()
	return m
}

func TestContributionsImputed(t *testing.T) {
	tests := []struct {
		name        string
		xs          []string
		want        float64
		wantMissing []bool
		wantUnseen  int
	}{
		{"complete event: as Contributions", []string{"StopLogging", "90"}, 10 + 6 + 45, []bool{false, false}, 0},
		{"null numeric: its mean term", []string{"StopLogging", ""}, 10 + 6 + 10, []bool{false, true}, 0},
		{"non-numeric numeric: its mean term", []string{"ListBuckets", "n/a"}, 10 - 6 + 10, []bool{false, true}, 0},
		{"null categorical: the average level, 0", []string{" ", "90"}, 10 + 45, []bool{true, false}, 0},
		{"both missing: the average event", []string{"", ""}, 10 + 10, []bool{true, true}, 0},
		{"unseen value is not missing", []string{"DeleteTrail", "90"}, 10 + 45, []bool{false, false}, 1},
	}
	m := imputeModel()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst, miss := make([]float64, 2), make([]bool, 2)
			y, n, unseen := m.ContributionsImputed(tc.xs, dst, miss)
			require.InDelta(t, tc.want, y, 1e-12)
			require.Equal(t, tc.wantMissing, miss)
			require.Equal(t, tc.wantUnseen, unseen)
			wantN := 0
			for _, b := range tc.wantMissing {
				if b {
					wantN++
				}
			}
			require.Equal(t, wantN, n)
			require.InDelta(t, y-m.Intercept, dst[0]+dst[1], 1e-12, "the terms add up to the prediction")
			if y0, ok, _ := m.Predict(tc.xs); ok {
				require.InDelta(t, y0, y, 1e-12, "equal to Predict when nothing is missing")
			} else {
				require.Positive(t, n, "Predict fails only for a missing feature")
			}
		})
	}
}

// TestScorerMissingFeature: the prediction field stays empty (MLTK), the risk is scored, and the
// missing fields are counted per field, also across clones merged back.
func TestScorerMissingFeature(t *testing.T) {
	body, err := json.Marshal(imputeModel())
	require.NoError(t, err)
	s, err := NewScorer(body, "")
	require.NoError(t, err)
	c := s.Clone()
	out := make([]string, 1)
	events := []map[string]string{
		{"api": "StopLogging", "impact": "90"},
		{"api": "StopLogging"},
		{"impact": "40"},
		{},
	}
	for i, ev := range events {
		sc := s
		if i%2 == 1 {
			sc = c.(*Scorer)
		}
		r := sc.Score(func(f string) string { return ev[f] }, out)
		require.False(t, r.Score != r.Score, "event %d has a risk score", i) // not NaN
		if len(ev) < 2 {
			require.Empty(t, out[0], "event %d: no prediction, as in MLTK", i)
		} else {
			require.Equal(t, "61", out[0])
		}
	}
	s.Merge(c)
	noPred, _ := s.Counts()
	require.EqualValues(t, 3, noPred)
	require.Equal(t, []FieldCount{{"api", 2}, {"impact", 2}}, s.MissingByField())
}

// TestExplainLater: a scorer configured with ExplainLater gives no reasons in ScoreRow and,
// asked by Explain before the next row, the reasons an eagerly explaining scorer gives for that
// row (missing features included); a second Explain adds nothing.
func TestExplainLater(t *testing.T) {
	body, err := json.Marshal(imputeModel())
	require.NoError(t, err)
	eager, err := NewScorer(body, "")
	require.NoError(t, err)
	later, err := NewScorer(body, "")
	require.NoError(t, err)
	eager.Configure(models.ApplyOptions{Explain: true})
	later.Configure(models.ApplyOptions{ExplainLater: true})
	pos := func(f string) (int, bool) { return map[string]int{"api": 0, "impact": 1}[f], true }
	eager.Bind(pos)
	later.Bind(pos)
	out := make([]string, 1)
	rows := [][]string{{"StopLogging", "90"}, {"StopLogging", ""}, {"DeleteTrail", "30"}, {"StopLogging", "100"}}
	for _, row := range rows {
		var want, got models.Risk
		eager.ScoreRow(row, nil, out, &want)
		later.ScoreRow(row, nil, out, &got)
		require.Nil(t, got.Reasons, "%q: left to Explain", row)
		require.Equal(t, want.Score, got.Score)
		later.Explain(&got)
		require.Equal(t, want.Reasons, got.Reasons, "%q", row)
		require.NotEmpty(t, got.Reasons, "%q: the rows have reasons", row)
		again := got
		again.Reasons = nil
		later.Explain(&again)
		require.Nil(t, again.Reasons, "%q: a second Explain does nothing", row)
	}
}
