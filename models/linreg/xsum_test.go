package linreg

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// exactRef sums with math/big at a precision that holds any float64 sum exactly.
func exactRef(xs []float64) float64 {
	s := new(big.Float).SetPrec(4000)
	for _, x := range xs {
		s.Add(s, new(big.Float).SetPrec(4000).SetFloat64(x))
	}
	v, _ := s.Float64()
	return v
}

func TestXsumExactAndOrderFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := map[string][]float64{
		"cancel":    {1e300, 1, -1e300, 1e-300, -1},
		"subnormal": {5e-324, 5e-324, -1e-310, 2e-308},
		"sticky":    {1, math.Ldexp(1, -53), math.Ldexp(1, -105)},
		"tie even":  {1, math.Ldexp(1, -53)},
		"tie odd":   {1 + math.Ldexp(1, -52), math.Ldexp(1, -53)},
		"negative":  {-1, -math.Ldexp(1, -53), -math.Ldexp(1, -300)},
		"huge":      {math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64, 1e-300},
		"overflow":  {math.MaxFloat64, math.MaxFloat64},
		"tiny":      {math.Ldexp(1, -1074), math.Ldexp(3, -1074), -math.Ldexp(1, -1073)},
	}
	var wide []float64
	for range 5000 {
		wide = append(wide, (rng.Float64()-0.5)*math.Ldexp(1, rng.IntN(200)-100))
	}
	cases["wide"] = wide
	for name, xs := range cases {
		t.Run(name, func(t *testing.T) {
			var a, b xsum
			for _, x := range xs {
				a.Add(x)
			}
			for i := len(xs) - 1; i >= 0; i-- {
				b.Add(xs[i])
			}
			require.Equal(t, exactRef(xs), a.Float64())
			require.Equal(t, a.Float64(), b.Float64())
			if math.IsInf(a.Float64(), 0) {
				return // no float expansion beyond float64
			}
			var c xsum
			for _, f := range a.Expansion() {
				c.Add(f)
			}
			c.Add(-a.Float64())
			b.Add(-a.Float64())
			require.Equal(t, b.Float64(), c.Float64(), "the expansion is the exact value")
		})
	}
}

func TestXsumProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s xsum
	ref := new(big.Float).SetPrec(4000)
	for range 2000 {
		x, y, k := rng.NormFloat64()*1e5, rng.NormFloat64()*1e-3, int64(rng.IntN(1<<40))-1<<39
		s.AddProdInt(x, y, k)
		s.AddMulInt(x, k)
		p := new(big.Float).SetPrec(4000).SetFloat64(x)
		p.Mul(p, new(big.Float).SetPrec(4000).SetFloat64(y))
		p.Mul(p, new(big.Float).SetPrec(4000).SetInt64(k))
		ref.Add(ref, p)
		q := new(big.Float).SetPrec(4000).SetFloat64(x)
		ref.Add(ref, q.Mul(q, new(big.Float).SetPrec(4000).SetInt64(k)))
	}
	want, _ := ref.Float64()
	require.Equal(t, want, s.Float64())
}

func TestDDSum(t *testing.T) {
	// Three-decimal targets: the double-double sum is exact in any order.
	rng := rand.New(rand.NewPCG(5, 6))
	ys := make([]float64, 100000)
	for i := range ys {
		ys[i] = math.Round(rng.Float64()*100000) / 1000
	}
	var a, b ddSum
	ok := true
	for i := range ys {
		ok = a.add(ys[i]) && ok
		ok = b.add(ys[len(ys)-1-i]) && ok
	}
	require.True(t, ok)
	var x xsum
	x.Add(a.hi)
	x.Add(a.lo)
	x.Add(-b.hi)
	x.Add(-b.lo)
	require.True(t, x.IsZero(), "same exact value in both orders")
	require.Equal(t, exactRef(ys), a.value())
	// Values 2¹²⁰ apart cannot be held in 106 bits: reported.
	var c ddSum
	require.True(t, c.add(1))
	require.False(t, c.add(math.Ldexp(1, -120)) && c.add(math.Ldexp(1, -60)))
}
