package all_test

import (
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/features"
	"awsrisk/features/synth"
	"awsrisk/models"
	_ "awsrisk/models/all"
	"awsrisk/models/modeltest"
)

// specs is a typical fit of every mergeable algorithm. A registered algorithm without one fails
// TestConformance: a new algorithm joins the suite by adding its line here.
var specs = map[string]models.Spec{
	"CategoricalOutlier": {Fields: []string{"sourceIPAddress", "awsRegion", "eventName"}, By: []string{"userIdentity.arn"}},
	"DensityFunction":    {Fields: []string{"ct_hour"}, By: []string{"userIdentity.arn"}},
	"SequenceModel":      {Fields: []string{"eventName"}, By: []string{"userIdentity.arn"}},
	"IdentityNovelty":    {Fields: []string{"ct_principal"}},
	"IncidentHistory":    {Fields: []string{"ct_risk_object"}},
}

// derived adds the ct_* fields to the synthetic events, as `features=all` does at fit.
func derived(evs []synth.Event) []synth.Event {
	d := features.NewDeriver(features.All, features.Options{})
	names := d.Names()
	out := make([]synth.Event, len(evs))
	for i, e := range evs {
		f := make(map[string]string, len(e.Fields)+len(names))
		for k, v := range e.Fields {
			f[k] = v
		}
		vals := d.Derive(func(k string) string { return e.Fields[k] }, nil)
		for j, n := range names {
			f[n] = vals[j]
		}
		e.Fields = f
		out[i] = e
	}
	return out
}

// TestConformance holds every registered mergeable algorithm to the contract of
// models.Unsupervised: the state does not depend on how the events were cut between map
// processes (partition by principal, so per-principal order is kept), a saved state loads back
// to the same state and the same scores (the codec round trip, and partial_fit's starting point),
// and the report and summary are well formed.
func TestConformance(t *testing.T) {
	evs := derived(modeltest.Small())
	for _, algo := range models.Algorithms() {
		if models.IsSupervised(algo) {
			continue // LinearRegression: its own map/reduce tests in models/linreg and commands
		}
		t.Run(algo, func(t *testing.T) {
			spec, ok := specs[algo]
			require.True(t, ok, "no conformance spec for %s: add one to specs", algo)
			spec.Params = map[string]string{}
			newModel := func() models.Unsupervised {
				u, err := models.NewUnsupervised(algo, spec)
				require.NoError(t, err)
				return u
			}
			whole := newModel()
			modeltest.NewestFirst(evs, whole.Add)
			want := modeltest.State(t, whole)

			rng := rand.New(rand.NewPCG(3, 3))
			for _, k := range []int{2, 5} {
				m := modeltest.MergedOf(t, newModel, evs, k, rng, func(i int) int { return principal(evs[i]) })
				require.Equal(t, want, modeltest.State(t, m), "%d map processes", k)
			}

			loaded, err := models.LoadUnsupervised(algo, spec, []byte(want))
			require.NoError(t, err)
			require.Equal(t, want, modeltest.State(t, loaded), "state round trip")
			require.Equal(t, scores(t, whole, evs), scores(t, loaded, evs), "a loaded model scores as the fitted one")

			_, err = models.LoadUnsupervised(algo, spec, []byte(`{"algorithm":"Other"}`))
			require.ErrorIs(t, err, models.ErrCorrupt, "another algorithm's state is refused")

			require.NotEmpty(t, whole.Report())
			header, rows := whole.Summary()
			require.NotEmpty(t, header)
			require.NotEmpty(t, rows)
			for _, r := range rows {
				require.Len(t, r, len(header), "summary row %q", r)
			}
		})
	}
}

func principal(e synth.Event) int {
	h := fnv.New32a()
	h.Write([]byte(e.Fields["userIdentity.arn"]))
	return int(h.Sum32())
}

// scores applies u to every 5th event, oldest first, and returns the risk scores.
func scores(t *testing.T, u models.Unsupervised, evs []synth.Event) []float64 {
	s, err := u.Scorer(nil)
	require.NoError(t, err)
	out := make([]string, len(s.Outputs()))
	var res []float64
	for i := 0; i < len(evs); i += 5 {
		res = append(res, s.Score(modeltest.Getter(evs[i]), out).Score)
	}
	return res
}
