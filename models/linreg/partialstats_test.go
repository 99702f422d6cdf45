package linreg

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// splitEvents makes events over a categorical field with nulls, a high-cardinality one, a
// numeric one and a target with three decimals.
func splitEvents(n int, seed uint64) [][]string {
	r := rand.New(rand.NewPCG(seed, 9))
	out := make([][]string, n)
	for i := range out {
		api := []string{"GetObject", "PutObject", "AssumeRole", "ConsoleLogin", ""}[r.IntN(5)]
		ip := "10.0." + strconv.Itoa(r.IntN(40)) + "." + strconv.Itoa(r.IntN(3))
		kb := strconv.Itoa(r.IntN(7))
		y := 3*float64(len(api)) + float64(r.IntN(7)) + r.NormFloat64()
		if i%97 == 5 {
			out[i] = []string{"", api, ip, kb}
			continue
		}
		out[i] = []string{strconv.FormatFloat(y, 'f', 3, 64), api, ip, kb}
	}
	return out
}

// TestPartialStatsSameModel: the map phase's statistics, in either form, merged from any split of
// the events, give the model a single fit gives, bit for bit.
func TestPartialStatsSameModel(t *testing.T) {
	features := []string{"eventName", "sourceIPAddress", "kb"}
	events := splitEvents(5000, 1)
	one := NewAggregate("y", features)
	for _, e := range events {
		one.AddEvent(e[0], e[1:])
	}
	ref, err := FitLinear(one, LinearOptions{FitIntercept: true})
	require.NoError(t, err)
	require.False(t, MomentsOf(one).Inexact())
	for _, shards := range []int{1, 3, 8} {
		for _, forced := range []byte{0, formRows, formMoment} {
			train := NewAggregate("y", features)
			test := NewAggregate("y", features)
			mom := NewMoments("y", features)
			for s := range shards {
				a := NewAggregate("y", features)
				// Reverse order in odd shards: the sums must not depend on it.
				lo, hi := s*len(events)/shards, (s+1)*len(events)/shards
				for i := lo; i < hi; i++ {
					e := events[i]
					if s%2 == 1 {
						e = events[hi-1-(i-lo)]
					}
					a.AddEvent(e[0], e[1:])
				}
				blob, form := EncodePartial(a, NewAggregate("y", features))
				if forced != 0 && form != forced {
					blob = forceForm(a, forced)
				}
				require.NoError(t, DecodePartial(blob, train, test, mom, nil))
			}
			all := MomentsOf(train)
			if !mom.Empty() {
				require.NoError(t, all.Merge(mom))
			}
			got, err := FitMoments(all, LinearOptions{FitIntercept: true})
			require.NoError(t, err)
			require.Equal(t, ref.Intercept, got.Intercept, "shards=%d form=%c", shards, forced)
			require.Equal(t, ref.Columns(), got.Columns())
			require.Equal(t, ref.Stats.R2, got.Stats.R2)
			require.Equal(t, ref.Stats.RMSE, got.Stats.RMSE)
			require.Equal(t, ref.Stats.Dropped, got.Stats.Dropped)
		}
	}
}

// forceForm encodes a's train part in the given form.
func forceForm(a *Aggregate, form byte) string {
	var e enc
	e.WriteString(statsMagic)
	e.uv(uint64(len(a.Features)))
	e.uv(1)
	e.WriteByte(partTrain)
	if form == formRows {
		e.Write(encodeRows(a))
	} else {
		e.Write(encodeMoments(MomentsOf(a)))
	}
	return b64(e.Bytes())
}

func TestPartialStatsCorrupt(t *testing.T) {
	features := []string{"eventName", "sourceIPAddress", "kb"}
	a := NewAggregate("y", features)
	for _, e := range splitEvents(300, 2) {
		a.AddEvent(e[0], e[1:])
	}
	for _, form := range []byte{formRows, formMoment} {
		blob := forceForm(a, form)
		for _, cut := range []int{0, 5, len(blob) / 2, len(blob) - 1} {
			err := DecodePartial(blob[:cut], NewAggregate("y", features), NewAggregate("y", features), NewMoments("y", features), NewHoldoutMoments("y", features))
			require.Error(t, err, "form %c cut at %d", form, cut)
		}
		require.Error(t, DecodePartial(blob, NewAggregate("y", features[:2]), NewAggregate("y", features[:2]), NewMoments("y", features[:2]), NewHoldoutMoments("y", features[:2])))
	}
}

// FuzzDecodePartial: any blob either decodes into statistics a fit can use, or is refused; it
// never panics, and what it accepts fits or fails with an error.
func FuzzDecodePartial(f *testing.F) {
	features := []string{"eventName", "sourceIPAddress", "kb"}
	a := NewAggregate("y", features)
	for _, e := range splitEvents(60, 3) {
		a.AddEvent(e[0], e[1:])
	}
	f.Add(forceForm(a, formRows))
	f.Add(forceForm(a, formMoment))
	blob, _ := EncodePartial(a, a)
	f.Add(blob)
	f.Fuzz(func(t *testing.T, blob string) {
		train, test, mom := NewAggregate("y", features), NewAggregate("y", features), NewMoments("y", features)
		hm := NewHoldoutMoments("y", features)
		if DecodePartial(blob, train, test, mom, hm) != nil {
			return
		}
		all := MomentsOf(train)
		if !mom.Empty() {
			require.NoError(t, all.Merge(mom))
		}
		if m, err := FitMoments(all, LinearOptions{FitIntercept: true}); err == nil {
			_ = EvaluateAll(m, test, hm)
		}
	})
}

// encodeWithTest encodes train as rows and test in the given form (moments with its signature).
func encodeWithTest(t *testing.T, train, test *Aggregate, form byte) string {
	var e enc
	e.WriteString(statsMagic)
	e.uv(uint64(len(train.Features)))
	e.uv(2)
	e.WriteByte(partTrain)
	e.Write(encodeRows(train))
	e.WriteByte(partTest)
	if form == formRows {
		e.str("")
		e.Write(encodeRows(test))
	} else {
		sig, ok := kindSignature(test)
		require.True(t, ok)
		e.str(sig)
		e.Write(encodeMoments(MomentsOf(test)))
	}
	return b64(e.Bytes())
}

// TestHoldoutPartsSameFigures: the holdout figures are the same bit for bit whether the test part
// is one aggregate, or shards sent as distinct rows or as moments; rows with a null feature count
// as no prediction in both forms.
func TestHoldoutPartsSameFigures(t *testing.T) {
	features := []string{"eventName", "sourceIPAddress", "kb"}
	events := splitEvents(4000, 5)
	train, test := NewAggregate("y", features), NewAggregate("y", features)
	for i, e := range events {
		if i%3 == 0 {
			test.AddEvent(e[0], e[1:])
		} else {
			train.AddEvent(e[0], e[1:])
		}
	}
	m, err := FitLinear(train, LinearOptions{FitIntercept: true})
	require.NoError(t, err)
	ref := Evaluate(m, test)
	require.Positive(t, ref.NoPrediction, "null eventName rows")
	require.Greater(t, ref.R2, 0.5)
	for _, shards := range []int{1, 4} {
		for _, form := range []byte{formRows, formMoment} {
			tr, te := NewAggregate("y", features), NewAggregate("y", features)
			mom, hm := NewMoments("y", features), NewHoldoutMoments("y", features)
			for s := range shards {
				a, b := NewAggregate("y", features), NewAggregate("y", features)
				for i := s; i < len(events); i += shards {
					if e := events[i]; i%3 == 0 {
						b.AddEvent(e[0], e[1:])
					} else {
						a.AddEvent(e[0], e[1:])
					}
				}
				require.NoError(t, DecodePartial(encodeWithTest(t, a, b, form), tr, te, mom, hm))
			}
			got := EvaluateAll(m, te, hm)
			require.Equal(t, ref, got, "shards=%d form=%c", shards, form)
		}
	}
	// A field mixing numbers and text has no signature: its test part stays rows.
	mixed := NewAggregate("y", features)
	mixed.AddEvent("1", []string{"a", "b", "3"})
	mixed.AddEvent("2", []string{"a", "b", "x"})
	_, ok := kindSignature(mixed)
	require.False(t, ok)
}
