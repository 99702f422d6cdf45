package linreg

import (
	"awsrisk/models/fit"
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Partial rows written by a map phase and read back give the same aggregates: same groups, same
// target drops, in both parts.
func TestPartialRowsRoundTrip(t *testing.T) {
	features := []string{"eventName", "bytes"}
	train, test := NewAggregate("y", features), NewAggregate("y", features)
	for i := range 300 {
		agg := train
		if i%4 == 0 {
			agg = test
		}
		y := strconv.Itoa(i % 13)
		if i%50 == 7 {
			y = "not a number"
		}
		agg.AddEvent(y, []string{[]string{"GetObject", "a,b \"q\"", ""}[i%3], strconv.Itoa(i % 5)})
	}
	var header []string
	var rows [][]string
	writeLegacyPartials(train, test, features, func(h []string) { header = h }, func(rec []string) { rows = append(rows, slices.Clone(rec)) })

	col := func(name string) int { return slices.Index(header, name) }
	r := NewPartialReader(col, features)
	train2, test2 := NewAggregate("y", features), NewAggregate("y", features)
	for i, row := range rows {
		require.True(t, r.IsPartial(row))
		require.NoError(t, r.Add(i, row, train2, test2, NewMoments("y", features), nil))
	}
	require.Equal(t, groupsOf(train), groupsOf(train2))
	require.Equal(t, groupsOf(test), groupsOf(test2))
	require.Equal(t, train.TargetDrops(), train2.TargetDrops())
	require.Equal(t, test.TargetDrops(), test2.TargetDrops())
	require.NotZero(t, train.TargetDrops().Total, "the data has bad targets to carry")
}

func TestPartialRowsBad(t *testing.T) {
	features := []string{"x"}
	header := append(append([]string{}, legacyColumns...), features...)
	col := func(name string) int { return slices.Index(header, name) }
	r := NewPartialReader(col, features)
	a, b := NewAggregate("y", features), NewAggregate("y", features)
	for _, row := range [][]string{
		{"bogus", "train", "1", "1", "1", "", "v"},
		{"group", "train", "0", "1", "1", "", "v"}, // n must be positive
		{"group", "train", "x", "1", "1", "", "v"},
		{"dropped", "train", "", "", "", "{", ""},
	} {
		require.ErrorContains(t, r.Add(0, row, a, b, NewMoments("y", features), nil), "partial row 1", row)
	}
}

func groupsOf(a *Aggregate) []string {
	var out []string
	a.EachGroup(func(xs []string, n int64, sy, sy2 float64) {
		out = append(out, strconv.Quote(xs[0])+xs[1]+"|"+strconv.FormatInt(n, 10)+"|"+strconv.FormatFloat(sy, 'g', -1, 64)+"|"+strconv.FormatFloat(sy2, 'g', -1, 64))
	})
	slices.Sort(out)
	return out
}

// writeLegacyPartials writes the rows of the map phase before issue 14 (tests check they are
// still read).
func writeLegacyPartials(train, test *Aggregate, features []string, header func([]string), row func(rec []string)) {
	h := append(append([]string{}, legacyColumns...), features...)
	header(h)
	rec := make([]string, len(h))
	for _, p := range []struct {
		name string
		agg  *Aggregate
	}{{"train", train}, {"test", test}} {
		p.agg.EachGroup(func(xs []string, n int64, sy, sy2 float64) {
			rec[0], rec[1] = fit.KindGroup, p.name
			rec[2] = strconv.FormatInt(n, 10)
			rec[3] = strconv.FormatFloat(sy, 'g', -1, 64)
			rec[4] = strconv.FormatFloat(sy2, 'g', -1, 64)
			rec[5] = ""
			copy(rec[len(legacyColumns):], xs)
			row(rec)
		})
		if d := p.agg.TargetDrops(); d.Total > 0 {
			js, _ := json.Marshal(d) // a plain struct of counts: cannot fail
			for i := range rec {
				rec[i] = ""
			}
			rec[0], rec[1], rec[5] = fit.KindDropped, p.name, string(js)
			row(rec)
		}
	}
}
