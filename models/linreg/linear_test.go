package linreg

import (
	"awsrisk/models/modeltest"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// mltkVector is the verified MLTK/sklearn example of mltk-parity.md §2.3
// (fields mfa, eventName, fails; target risk), with the two rows MLTK drops
// for a null value.
func mltkVector() *Aggregate {
	a := NewAggregate("risk", []string{"mfa", "eventName", "fails"})
	for _, r := range [][4]string{
		{"10", "No", "ConsoleLogin", "3"},
		{"2", "Yes", "ConsoleLogin", "0"},
		{"7", "No", "CreateAccessKey", "1"},
		{"", "No", "ConsoleLogin", "2"}, // null target
		{"3", "Yes", "AssumeRole", "0"},
		{"8", "No", "AssumeRole", "2"},
		{"5", "Yes", "", "4"}, // null feature
		{"6", "Yes", "CreateAccessKey", "5"},
	} {
		a.AddEvent(r[0], r[1:])
	}
	return a
}

func TestMLTKVector(t *testing.T) {
	// Coefficients and predictions are printed by MLTK to 6 decimals, hence 1e-6.
	const tol = 1e-6
	want := []Coef{
		{"eventName=AssumeRole", 0.236434},
		{"eventName=ConsoleLogin", 0.294574},
		{"eventName=CreateAccessKey", -0.531008},
		{"fails", 0.883721},
		{"mfa=No", 2.186047},
		{"mfa=Yes", -2.186047},
	}
	for _, solver := range []string{SolverAuto, SolverDense, SolverPCG} {
		t.Run("solver="+solver, func(t *testing.T) {
			m, err := FitLinear(mltkVector(), LinearOptions{FitIntercept: true, Solver: solver})
			require.NoError(t, err)
			got := m.Columns()
			require.Len(t, got, len(want))
			for i := range want {
				require.Equal(t, want[i].Feature, got[i].Feature)
				require.InDelta(t, want[i].Coefficient, got[i].Coefficient, tol, "column %s", want[i].Feature)
			}
			require.InDelta(t, 4.379845, m.Intercept, tol)
			require.Equal(t, int64(6), m.Stats.N)
			require.Equal(t, int64(2), m.Stats.Dropped.Total)
			require.Equal(t, int64(1), m.Stats.Dropped.NullTarget)
			require.Equal(t, map[string]int64{"eventName": 1}, m.Stats.Dropped.NullFeature)
			require.Equal(t, 6, m.Stats.Groups, "the distinct rows used, not the one with a null")

			for _, c := range []struct {
				xs     []string
				y      float64
				ok     bool
				unseen int
			}{
				{[]string{"No", "DeleteTrail", "4"}, 10.100775, true, 1},
				{[]string{"maybe", "ConsoleLogin", "1"}, 5.558140, true, 1},
				{[]string{"Yes", "ConsoleLogin", ""}, 0, false, 0},
			} {
				y, ok, unseen := m.Predict(c.xs)
				require.Equal(t, c.ok, ok, "input %q", c.xs)
				require.Equal(t, c.unseen, unseen, "input %q", c.xs)
				require.InDelta(t, c.y, y, tol, "input %q", c.xs)
			}
		})
	}
}

// mergeFields is a design without collinearity beyond one-hot coding (so the
// minimum-norm coefficients are unique and the PCG path returns them).
var mergeFields = []synthField{
	{"eventName", 200, -1},
	{"sourceIPAddress", 1000, -1},
	{"awsRegion", 17, -1},
	{"bytes", 0, -1},
}

func TestMerge(t *testing.T) {
	// PCG stops at a relative residual of 1e-12; different group orders only
	// change rounding, so 1e-9 relative is a safe statement of "equal".
	const tol = 1e-9
	rng := rand.New(rand.NewPCG(1, 1))
	events := synthEvents(rng, 20000, mergeFields)
	// Some nulls and bad targets to check the counters survive merging.
	for i := 0; i < len(events); i += 97 {
		events[i][1+i%len(mergeFields)] = ""
	}
	for i := 5; i < len(events); i += 211 {
		events[i][0] = "oops"
	}
	names := fieldNames(mergeFields)

	fit := func(a *Aggregate) *Linear {
		m, err := FitLinear(a, LinearOptions{FitIntercept: true})
		require.NoError(t, err)
		return m
	}
	one := NewAggregate("risk", names)
	for _, e := range events {
		one.AddEvent(e[0], e[1:])
	}
	want := fit(one)
	require.Equal(t, SolverPCG, want.Stats.Solver)

	for _, parts := range []int{1, 3, 8} {
		for _, via := range []string{"Merge", "EachGroup"} {
			t.Run(via+"/"+strconv.Itoa(parts), func(t *testing.T) {
				aggs := make([]*Aggregate, parts)
				for i := range aggs {
					aggs[i] = NewAggregate("risk", names)
				}
				for i, e := range events {
					aggs[(i*7+i/13)%parts].AddEvent(e[0], e[1:]) // uneven split
				}
				total := NewAggregate("risk", names)
				for _, a := range aggs {
					if via == "Merge" {
						require.NoError(t, total.Merge(a))
						continue
					}
					a.EachGroup(func(xs []string, n int64, sumY, sumY2 float64) {
						total.AddGroup(xs, n, sumY, sumY2)
					})
				}
				require.Equal(t, one.Rows(), total.Rows())
				require.Equal(t, one.Groups(), total.Groups())
				if via == "Merge" {
					require.Equal(t, one.Dropped(), total.Dropped())
				} else { // the map output carries groups, not target drop counts
					require.Equal(t, one.Dropped().NullFeature, total.Dropped().NullFeature)
				}
				got := fit(total)
				wc, gc := want.Columns(), got.Columns()
				require.Len(t, gc, len(wc))
				for i := range wc {
					require.Equal(t, wc[i].Feature, gc[i].Feature)
					require.True(t, modeltest.Near(gc[i].Coefficient, wc[i].Coefficient, tol),
						"%s: %.15g vs %.15g", wc[i].Feature, gc[i].Coefficient, wc[i].Coefficient)
				}
				require.True(t, modeltest.Near(got.Intercept, want.Intercept, tol))
				require.InDelta(t, want.Stats.R2, got.Stats.R2, tol)
				require.InDelta(t, want.Stats.RMSE, got.Stats.RMSE, tol)
			})
		}
	}
}

func TestEachGroupOrder(t *testing.T) {
	a := NewAggregate("y", []string{"f", "g"})
	a.AddEvent("1", []string{"b", "2"})
	a.AddEvent("2", []string{"a", "10"})
	a.AddEvent("3", []string{"b", ""})
	a.AddEvent("4", []string{"a", "10"})
	a.AddEvent("5", []string{"a", "2"})
	type grp struct {
		xs          [2]string
		n           int64
		sumY, sumY2 float64
	}
	var got []grp
	a.EachGroup(func(xs []string, n int64, sumY, sumY2 float64) {
		got = append(got, grp{[2]string{xs[0], xs[1]}, n, sumY, sumY2})
	})
	// Byte order of values, nulls first within a field.
	require.Equal(t, []grp{
		{[2]string{"a", "10"}, 2, 6, 20},
		{[2]string{"a", "2"}, 1, 5, 25},
		{[2]string{"b", ""}, 1, 3, 9},
		{[2]string{"b", "2"}, 1, 1, 1},
	}, got)
	require.Error(t, a.Merge(NewAggregate("y", []string{"g", "f"})))
	require.Error(t, a.Merge(NewAggregate("z", []string{"f", "g"})))
}

func TestDropped(t *testing.T) {
	a := NewAggregate("y", []string{"ev", "n", "gone"})
	for _, r := range [][4]string{
		{"1", "A", "1", ""},
		{"2", "B", "2", " "},  // white space is null
		{"", "A", "3", ""},    // null target
		{"  ", "A", "3", ""},  // null target
		{"abc", "A", "3", ""}, // bad target, first
		{"true", "A", "3", ""},
		{"NaN", "A", "3", ""},
		{"Inf", "A", "3", ""},
		{"3", "", "4", ""},  // null ev
		{"4", "", "", ""},   // null ev and n
		{"5", "C", "", ""},  // null n
		{"6", "C", "7", ""}, // kept
	} {
		a.AddEvent(r[0], r[1:])
	}
	want := DropReport{
		NullTarget:     2,
		BadTarget:      4,
		NullFeature:    map[string]int64{"ev": 2, "n": 2},
		Total:          9,
		FirstBadTarget: "abc",
	}
	require.Equal(t, want, a.Dropped())
	require.Equal(t, int64(3), a.Rows())
	require.Equal(t, 3, a.Groups())

	m, err := FitLinear(a, LinearOptions{FitIntercept: true})
	require.NoError(t, err)
	require.Equal(t, want, m.Stats.Dropped)
	require.Equal(t, []string{"gone"}, m.Stats.DroppedFields) // null everywhere, as MLTK drops it
	require.Equal(t, map[string]int{"ev": 3}, m.Stats.Categories)
	require.Equal(t, int64(3), m.Stats.N)
	// 3 rows, 4 columns (ev=A, ev=B, ev=C, n): an exact fit.
	require.InDelta(t, 1, m.Stats.R2, 1e-12)
	// The dropped field is ignored by Predict, null or not.
	_, ok, _ := m.Predict([]string{"A", "1", ""})
	require.True(t, ok)
	_, ok, _ = m.Predict([]string{"A", "1", "x"})
	require.True(t, ok)
	_, ok, _ = m.Predict([]string{"A", "x", "x"}) // numeric does not parse
	require.False(t, ok)
}

func TestFitErrors(t *testing.T) {
	a := NewAggregate("y", []string{"f"})
	_, err := FitLinear(a, LinearOptions{FitIntercept: true})
	require.ErrorIs(t, err, ErrNoRows)

	a.AddEvent("", []string{"x"})
	a.AddEvent("1", []string{""})
	_, err = FitLinear(a, LinearOptions{FitIntercept: true})
	// The only non-null value of f is in a null-target row, which is not
	// stored, so f counts as null everywhere and is dropped: no columns.
	// (MLTK would keep f and then drop every row: "No valid events".)
	require.ErrorIs(t, err, ErrNoColumns)

	_, err = FitLinear(mltkVector(), LinearOptions{FitIntercept: true, Solver: "qr"})
	require.Error(t, err)
}

func TestSmallCases(t *testing.T) {
	// Tolerance 1e-12: every case is exact in a few floating-point operations.
	const tol = 1e-12
	type row = []string // target, then features
	for _, c := range []struct {
		name      string
		features  []string
		rows      []row
		intercept bool
		want      map[string]float64 // columns, plus "_intercept"
		solver    string
	}{
		{"single row", []string{"ev", "x"}, []row{{"7", "A", "3"}}, true,
			map[string]float64{"ev=A": 0, "x": 0, "_intercept": 7}, SolverNone},
		{"constant target", []string{"ev"}, []row{{"2", "A"}, {"2", "B"}}, true,
			map[string]float64{"ev=A": 0, "ev=B": 0, "_intercept": 2}, SolverNone},
		{"constant numeric column", []string{"c", "x"}, []row{{"1", "0.1", "1"}, {"3", "0.1", "2"}, {"5", "0.1", "3"}}, true,
			map[string]float64{"c": 0, "x": 2, "_intercept": -1}, SolverDense},
		{"constant categorical field", []string{"c", "x"}, []row{{"1", "k", "1"}, {"3", "k", "2"}, {"5", "k", "3"}}, true,
			map[string]float64{"c=k": 0, "x": 2, "_intercept": -1}, SolverDense},
		{"no intercept", []string{"x"}, []row{{"2", "1"}, {"4", "2"}, {"7", "3"}}, false,
			// β = Σxy/Σx² = (2+8+21)/14
			map[string]float64{"x": 31.0 / 14, "_intercept": 0}, SolverDense},
		{"no intercept one-hot", []string{"a", "b"}, []row{{"1", "p", "u"}, {"3", "q", "u"}, {"5", "p", "v"}, {"7", "q", "v"}}, false,
			// y = 1 + 2[a=q] + 4[b=v], exactly; the solutions are
			// (β_p, β_q, β_u, β_v) = (1−t, 3−t, t, 4+t) and the minimum norm
			// has t = 0 (d‖β‖²/dt = 8t).
			map[string]float64{"a=p": 1, "a=q": 3, "b=u": 0, "b=v": 4, "_intercept": 0}, SolverDense},
		{"bool is numeric", []string{"mfa"}, []row{{"1", "true"}, {"3", "FALSE"}, {"1", "True"}}, true,
			map[string]float64{"mfa": -2, "_intercept": 3}, SolverDense},
		{"bool mixed with numbers is categorical", []string{"m"}, []row{{"1", "true"}, {"3", "0"}}, true,
			map[string]float64{"m=0": 1, "m=true": -1, "_intercept": 2}, SolverDense},
		{"numbers with a string are categories", []string{"s"}, []row{{"1", "200"}, {"3", "abc"}}, true,
			map[string]float64{"s=200": -1, "s=abc": 1, "_intercept": 2}, SolverDense},
	} {
		for _, solver := range []string{SolverDense, SolverPCG} {
			t.Run(c.name+"/"+solver, func(t *testing.T) {
				a := NewAggregate("y", c.features)
				for _, r := range c.rows {
					a.AddEvent(r[0], r[1:])
				}
				m, err := FitLinear(a, LinearOptions{FitIntercept: c.intercept, Solver: solver})
				require.NoError(t, err)
				got := map[string]float64{"_intercept": m.Intercept}
				for _, col := range m.Columns() {
					got[col.Feature] = col.Coefficient
				}
				require.Len(t, got, len(c.want))
				for k, v := range c.want {
					require.InDelta(t, v, got[k], tol, "column %s: %v", k, got)
				}
				if c.solver == SolverNone {
					require.Equal(t, SolverNone, m.Stats.Solver)
					require.Equal(t, 0.0, m.Stats.RMSE)
					require.Equal(t, 1.0, m.Stats.R2)
				}
			})
		}
	}
}

func TestStats(t *testing.T) {
	// R² and RMSE from the aggregates equal the row-by-row formulas to
	// rounding (1e-12 on values of order 1).
	rng := rand.New(rand.NewPCG(1, 1))
	events := synthEvents(rng, 3000, []synthField{{"a", 30, -1}, {"b", 8, -1}, {"x", 0, -1}})
	a := NewAggregate("y", []string{"a", "b", "x"})
	for _, e := range events {
		a.AddEvent(e[0], e[1:])
	}
	m, err := FitLinear(a, LinearOptions{FitIntercept: true})
	require.NoError(t, err)
	var ys, res []float64
	for _, e := range events {
		y, _ := strconv.ParseFloat(e[0], 64)
		p, ok, _ := m.Predict(e[1:])
		require.True(t, ok)
		ys = append(ys, y)
		res = append(res, y-p)
	}
	var mean, ssTot, ssRes float64
	for _, y := range ys {
		mean += y / float64(len(ys))
	}
	for i, y := range ys {
		ssTot += (y - mean) * (y - mean)
		ssRes += res[i] * res[i]
	}
	require.InDelta(t, 1-ssRes/ssTot, m.Stats.R2, 1e-12)
	require.InDelta(t, math.Sqrt(ssRes/float64(len(ys))), m.Stats.RMSE, 1e-12)
	require.InDelta(t, mean, m.Stats.YMean, 1e-12)
	require.Equal(t, int64(3000), m.Stats.N)
}

func TestJSONAndContributions(t *testing.T) {
	m, err := FitLinear(mltkVector(), LinearOptions{FitIntercept: true})
	require.NoError(t, err)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var back Linear
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, m.Columns(), back.Columns())
	require.Equal(t, m.Stats, back.Stats)

	xs := []string{"No", "CreateAccessKey", "2"}
	dst := make([]float64, 3)
	y, ok, unseen := back.Contributions(xs, dst)
	require.True(t, ok)
	require.Zero(t, unseen)
	want, _, _ := m.Predict(xs)
	require.InDelta(t, want, y, 1e-12)
	require.InDelta(t, y, back.Intercept+dst[0]+dst[1]+dst[2], 1e-12)
	require.Equal(t, back.Categorical["mfa"]["No"], dst[0])
	require.Equal(t, 2*back.Numeric["fails"], dst[2])
	require.Panics(t, func() { back.Contributions(xs, dst[:2]) })
	require.Panics(t, func() { back.Predict(xs[:2]) })

	allocs := testing.AllocsPerRun(100, func() { back.Predict(xs) })
	require.Zero(t, allocs)
}

// ExampleFitLinear fits the MLTK documentation example (mltk-parity.md §2.3).
func ExampleFitLinear() {
	a := NewAggregate("risk", []string{"mfa", "eventName", "fails"})
	a.AddEvent("10", []string{"No", "ConsoleLogin", "3"})
	a.AddEvent("2", []string{"Yes", "ConsoleLogin", "0"})
	a.AddEvent("7", []string{"No", "CreateAccessKey", "1"})
	a.AddEvent("3", []string{"Yes", "AssumeRole", "0"})
	a.AddEvent("8", []string{"No", "AssumeRole", "2"})
	a.AddEvent("6", []string{"Yes", "CreateAccessKey", "5"})
	m, err := FitLinear(a, LinearOptions{FitIntercept: true})
	if err != nil {
		panic(err)
	}
	for _, c := range m.Columns() {
		fmt.Printf("%-26s %9.6f\n", c.Feature, c.Coefficient)
	}
	fmt.Printf("%-26s %9.6f\n", "_intercept", m.Intercept)
	y, ok, unseen := m.Predict([]string{"No", "DeleteTrail", "4"})
	fmt.Printf("predicted(risk)=%.6f ok=%v unseen=%d\n", y, ok, unseen)
	// Output:
	// eventName=AssumeRole        0.236434
	// eventName=ConsoleLogin      0.294574
	// eventName=CreateAccessKey  -0.531008
	// fails                       0.883721
	// mfa=No                      2.186047
	// mfa=Yes                    -2.186047
	// _intercept                  4.379845
	// predicted(risk)=10.100775 ok=true unseen=1
}

// Benchmarks:
//
//	go test ./models -run '^$' -bench 'Fit|Predict' -benchmem -count 6
func BenchmarkFit(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	events := synthEvents(rng, 200000, cloudTrailFields)
	names := fieldNames(cloudTrailFields)
	b.ReportAllocs()
	for b.Loop() {
		a := NewAggregate("risk", names)
		for _, e := range events {
			a.AddEvent(e[0], e[1:])
		}
		m, err := FitLinear(a, LinearOptions{FitIntercept: true})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.Stats.Iterations), "iters")
		b.ReportMetric(float64(m.Stats.Columns), "columns")
	}
}

func BenchmarkPredict(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	events := synthEvents(rng, 20000, cloudTrailFields)
	names := fieldNames(cloudTrailFields)
	a := NewAggregate("risk", names)
	for _, e := range events {
		a.AddEvent(e[0], e[1:])
	}
	m, err := FitLinear(a, LinearOptions{FitIntercept: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(events[i%len(events)][1:])
		i++
	}
}
