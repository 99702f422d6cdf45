package scorer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awsrisk/app"
	"awsrisk/models"
)

// fitFile trains a small model: risk = base(eventName) + 0.01·bytes_out, and wraps it as a saved file.
func fitFile(t testing.TB, opts map[string]string) *models.File {
	t.Helper()
	base := map[string]float64{"GetObject": 5, "StopLogging": 60, "CreateUser": 30, "ListBuckets": 2}
	a := models.NewAggregate("risk_score", []string{"eventName", "bytes_out"})
	r := rand.New(rand.NewPCG(1, 1))
	names := []string{"GetObject", "StopLogging", "CreateUser", "ListBuckets"}
	for i := 0; i < 400; i++ {
		n := names[r.IntN(len(names))]
		b := r.Float64() * 1000
		a.AddEvent(strconv.FormatFloat(base[n]+0.01*b, 'g', -1, 64), []string{n, strconv.FormatFloat(b, 'g', -1, 64)})
	}
	m, err := models.FitLinear(a, models.LinearOptions{FitIntercept: true})
	require.NoError(t, err)
	body, err := json.Marshal(m)
	require.NoError(t, err)
	return &models.File{Name: "t", Algorithm: "LinearRegression", Created: time.Unix(0, 0), Target: "risk_score",
		Features: m.Features, Options: opts, Body: body}
}

func TestScore(t *testing.T) {
	s, err := New(fitFile(t, nil), Options{Explain: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"eventName", "bytes_out"}, s.RequiredFields())
	in, err := app.ParseTable([]byte("eventName,bytes_out,ai_risk_score,_chunked_idx\n" +
		"StopLogging,100,old,0\n" + // existing ai_risk_score is replaced in place
		"GetObject,,old,1\n" + // null numeric: kept, no prediction
		"DeleteTrail,0,old,2\n")) // unseen category: 0 contribution
	require.NoError(t, err)
	var out app.Output
	require.NoError(t, s.Score(in, &out))
	got, err := app.ParseTable(out.Body())
	require.NoError(t, err)
	require.Equal(t, []string{"eventName", "bytes_out", "ai_risk_score", "_chunked_idx", "predicted(risk_score)",
		"ai_threat_category", "risk_reasons", "__mv_risk_reasons"}, got.Header)
	require.Len(t, got.Rows, 3)
	p := got.Col("predicted(risk_score)")
	y, err := strconv.ParseFloat(got.Rows[0][p], 64)
	require.NoError(t, err)
	require.InDelta(t, 61, y, 1e-6, "60 + 0.01·100")
	require.Equal(t, "61", got.Rows[0][2])
	require.Equal(t, "defense-evasion", got.Rows[0][got.Col("ai_threat_category")])
	require.Contains(t, got.Rows[0][got.Col("risk_reasons")], "eventName=StopLogging +")
	require.Equal(t, "", got.Rows[1][p])
	require.Equal(t, "", got.Rows[1][2])
	require.Equal(t, "2", got.Rows[2][3], "_chunked_idx echoed")
	require.EqualValues(t, 3, s.Counts.Rows)
	require.EqualValues(t, 1, s.Counts.NoPrediction)
	require.EqualValues(t, 1, s.Counts.Unseen)

	var rep app.Output
	s.Report(&rep)
	require.Len(t, rep.Messages(), 2)
	require.Equal(t, app.LevelWarn, rep.Messages()[0][0])
}

func TestScoreEmptyBody(t *testing.T) {
	s, err := New(fitFile(t, nil), Options{})
	require.NoError(t, err)
	var out app.Output
	require.NoError(t, s.Score(&app.Table{}, &out))
	require.Empty(t, out.Body())
	hdr, err := app.ParseTable([]byte("eventName,bytes_out\n"))
	require.NoError(t, err)
	require.NoError(t, s.Score(hdr, &out))
	require.Equal(t, "eventName,bytes_out,predicted(risk_score),ai_risk_score,ai_threat_category\n", string(out.Body()))
}

func TestNewErrors(t *testing.T) {
	f := fitFile(t, nil)
	f.Algorithm = "DensityFunction"
	_, err := New(f, Options{})
	require.ErrorContains(t, err, "DensityFunction")
	f = fitFile(t, nil)
	f.Body = []byte(`{"target":`)
	_, err = New(f, Options{})
	require.ErrorIs(t, err, models.ErrCorrupt)
	_, err = New(fitFile(t, map[string]string{"features": "network"}), Options{})
	require.ErrorContains(t, err, `"network"`)
}

func TestRiskScore(t *testing.T) {
	for _, c := range []struct {
		y    float64
		want int
	}{{-5, 0}, {0, 0}, {0.4, 0}, {0.5, 1}, {49.6, 50}, {100, 100}, {250, 100}} {
		require.Equal(t, c.want, RiskScore(c.y), "y=%v", c.y)
	}
}

func TestReason(t *testing.T) {
	require.Equal(t, "eventName=StopLogging +38", Reason("eventName", "StopLogging", 37.6))
	require.Equal(t, "ct_mfa=0 -4", Reason("ct_mfa", "0", -4.2))
	long := Reason("userAgent", fmt.Sprintf("%0100d", 0), 12)
	require.Contains(t, long, "…")
	require.Less(t, len([]rune(long)), 90)
}
