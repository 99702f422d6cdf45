package table

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendFloat holds AppendFloat to strconv's bytes on edge values and on random values of
// every magnitude the fast path takes, and of random bit patterns (most go to strconv).
func TestAppendFloat(t *testing.T) {
	check := func(v float64) {
		t.Helper()
		want := strconv.FormatFloat(v, 'f', -1, 64)
		if got := string(AppendFloat(nil, v)); got != want {
			t.Fatalf("AppendFloat(%v) [bits %#x] = %q, want %q", v, math.Float64bits(v), got, want)
		}
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 5, 0.5, 0.1, 0.2, 0.3, 1.5, 2.5, 10, 100, 123.456,
		1e-3, 0.0009765625, 0.000976562500001, 1.0 / 3, 2.0 / 3, 1e15, 1e15 + 0.5, 4503599627370495.5,
		1 << 52, 1<<52 - 1, 1<<53 + 2, 9007199254740993, 61.00000000000001, 60.99999999999999, 37.5,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 1e22, 1e23, 5e-324} {
		check(v)
		check(-v)
		check(math.Nextafter(v, math.Inf(1)))
		check(math.Nextafter(v, math.Inf(-1)))
	}
	r := rand.New(rand.NewPCG(7, 7))
	for range 300000 {
		check(math.Float64frombits(r.Uint64()))
		e := r.IntN(66) - 12 // 2^-12 .. 2^54: every shift the fast path takes, and both edges
		v := math.Ldexp(1+r.Float64(), e)
		check(v)
		check(-v)
		// Values with few digits (k/10^j), where ties and trailing zeros are likeliest.
		check(float64(r.IntN(1000000)) / float64(pow10[r.IntN(8)]))
		// Sums like a prediction: intercept + coefficient + coefficient·x.
		check(12.345678 + 0.0123456789*float64(r.IntN(5000)))
	}
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{1, 0.1, 123.456, 1e-3, 4503599627370495.5, 61.00000000000001} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, b uint64) {
		v := math.Float64frombits(b)
		if got, want := string(AppendFloat(nil, v)), strconv.FormatFloat(v, 'f', -1, 64); got != want {
			t.Fatalf("AppendFloat(%v) = %q, want %q", v, got, want)
		}
	})
}

func BenchmarkAppendFloat(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	vs := make([]float64, 1024)
	for i := range vs {
		vs[i] = 5 + 0.01*r.Float64()*5000
	}
	var buf []byte
	b.Run("fast", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			buf = AppendFloat(buf[:0], vs[i&1023])
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			buf = strconv.AppendFloat(buf[:0], vs[i&1023], 'f', -1, 64)
		}
	})
}
