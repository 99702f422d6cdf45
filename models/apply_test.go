package models

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// reader is a plain Scorer that writes back the fields it reads by name.
type reader struct{ fields []string }

func (r reader) Fields() []string  { return r.fields }
func (r reader) Outputs() []string { return []string{"got"} }
func (r reader) Score(get func(string) string, out []string) Risk {
	out[0] = ""
	for _, f := range r.fields {
		out[0] += f + "=" + get(f) + ";"
	}
	return Risk{Score: 7, Reasons: []Reason{{Field: "a", Value: get("a"), Points: 7}}}
}

// TestAsApplier: a plain Scorer behind the adapter reads a row's columns and derived values by
// the positions Bind gave, "" for a field the chunk lacks; it has no clone, number or notes; an
// Applier is returned as it is.
func TestAsApplier(t *testing.T) {
	a := AsApplier(reader{[]string{"a", "ct_x", "missing"}})
	require.Same(t, a, AsApplier(a))
	pos := map[string]int{"a": 1, "ct_x": -1 - 0}
	a.Bind(func(f string) (int, bool) { i, ok := pos[f]; return i, ok })
	out := make([]string, 1)
	var r Risk
	for _, tc := range []struct {
		row, derived []string
		want         string
	}{
		{[]string{"q", "A1"}, []string{"X1"}, "a=A1;ct_x=X1;missing=;"},
		{[]string{"q", ""}, []string{"X2"}, "a=;ct_x=X2;missing=;"},
	} {
		a.ScoreRow(tc.row, tc.derived, out, &r)
		require.Equal(t, tc.want, out[0])
		require.Equal(t, 7.0, r.Score)
		require.Equal(t, "a="+tc.row[1]+" +7", r.Reasons[0].String(), "a lazy field=value reason")
	}
	require.Nil(t, a.Clone(), "a plain scorer may keep state: no clone")
	_, ok := a.Numeric()
	require.False(t, ok)
	require.Empty(t, a.Notes(10))
}
