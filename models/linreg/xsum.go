package linreg

import (
	"math"
	"math/bits"
)

// Exact summation. The fit's sums of floats (Σy per column, Σy², the products of coefficients in
// the residual sum of squares) must not depend on the order the events arrive in, or on how they
// are split over indexers, for the map/reduce fit to give the model a single fit gives bit for bit.
// Floating-point addition is not associative, so two tools:
//
//   - xsum, a fixed-point superaccumulator (Kulisch): every finite float64 is an integer multiple
//     of 2⁻¹⁰⁷⁴, so a wide enough integer holds any sum of them exactly. Addition is then exact
//     and order-independent, and Float64 rounds the exact total once (to nearest, ties to even).
//     It costs 560 bytes, so it is used for a handful of totals and at fit time, not per value.
//   - ddSum, a double-double running sum (Knuth's TwoSum keeps the rounding error of every add):
//     16 bytes, kept per value and per distinct row. hi+lo is the exact sum as long as the error
//     terms themselves add up without rounding, which ddAdd checks; for targets with up to ~15
//     significant digits and fewer than 2³⁰ rows it always holds (the exact sum spans < 106 bits).
//     When it fails the sum is still accurate to ~2⁻¹⁰⁶ relative and the Moments say so (Inexact).

// xsumLimbs 32-bit limbs cover bit positions 2⁻¹⁰⁷⁴ … 2¹¹⁶⁶: the largest float64 (< 2¹⁰²⁴) times an
// int64 count (< 2⁶³), with room for carries.
const xsumLimbs = 70

// xsum is an exact sum of float64 values (and of float64 × int64 products). The zero value is 0.
// Limbs are kept in carry-save form (each may exceed 32 bits) and normalised every 2³⁰ adds.
type xsum struct {
	l    [xsumLimbs]int64
	adds int32
}

// split returns x = m·2^(b−1074) with m < 2⁵³ and the bit position b ≥ 0. x must be finite.
func split(x float64) (m uint64, b int, neg bool) {
	u := math.Float64bits(x)
	neg = u>>63 != 0
	e := int(u >> 52 & 0x7ff)
	m = u & (1<<52 - 1)
	if e == 0 {
		return m, 0, neg // subnormal: m·2⁻¹⁰⁷⁴
	}
	return m | 1<<52, e - 1, neg
}

// addMag adds (or subtracts) the 128-bit magnitude hi:lo shifted to bit position b.
func (s *xsum) addMag(hi, lo uint64, b int, neg bool) {
	if hi == 0 && lo == 0 {
		return
	}
	i, sh := b/32, uint(b%32)
	w0, w1, w2 := lo, hi, uint64(0)
	if sh > 0 {
		w2 = hi >> (64 - sh)
		w1 = hi<<sh | lo>>(64-sh)
		w0 = lo << sh
	}
	parts := [5]int64{int64(w0 & 0xffffffff), int64(w0 >> 32), int64(w1 & 0xffffffff), int64(w1 >> 32), int64(w2 & 0xffffffff)}
	for t, p := range parts {
		if p == 0 {
			continue
		}
		if neg {
			s.l[i+t] -= p
		} else {
			s.l[i+t] += p
		}
	}
	s.adds++
	if s.adds >= 1<<30 {
		s.normalize()
	}
}

// Add adds x exactly. x must be finite.
func (s *xsum) Add(x float64) {
	m, b, neg := split(x)
	s.addMag(0, m, b, neg)
}

// AddMulInt adds x·k exactly. x must be finite.
func (s *xsum) AddMulInt(x float64, k int64) {
	m, b, neg := split(x)
	if k < 0 {
		k, neg = -k, !neg
	}
	hi, lo := bits.Mul64(m, uint64(k))
	s.addMag(hi, lo, b, neg)
}

// AddProd adds x·y exactly (x·y = p + e with e = fma(x, y, −p), Dekker/Kahan's TwoProduct; exact
// unless the product underflows).
func (s *xsum) AddProd(x, y float64) {
	p, e := twoProd(x, y)
	s.Add(p)
	s.Add(e)
}

// AddProdInt adds x·y·k exactly.
func (s *xsum) AddProdInt(x, y float64, k int64) {
	p, e := twoProd(x, y)
	s.AddMulInt(p, k)
	s.AddMulInt(e, k)
}

// AddSum adds another exact sum.
func (s *xsum) AddSum(o *xsum) {
	for i := range s.l {
		s.l[i] += o.l[i]
	}
	s.adds += o.adds
	if s.adds >= 1<<30 || o.adds >= 1<<29 {
		s.normalize()
	}
}

// normalize propagates carries so every limb but the top one is in [0, 2³²).
func (s *xsum) normalize() {
	normalizeLimbs(&s.l) // arithmetic shifts: floor division by 2³²
	s.adds = 0
}

// IsZero reports whether the exact sum is 0.
func (s *xsum) IsZero() bool {
	s.normalize()
	for _, v := range s.l {
		if v != 0 {
			return false
		}
	}
	return true
}

// Float64 returns the exact sum rounded to the nearest float64 (ties to even), ±Inf on overflow.
// (Hand-rolled rather than through math/big, which would cost the shipped binary 80 KB.)
func (s *xsum) Float64() float64 {
	s.normalize()
	l := s.l
	neg := l[xsumLimbs-1] < 0
	if neg {
		for i := range l {
			l[i] = -l[i]
		}
		normalizeLimbs(&l)
	}
	top := xsumLimbs - 1
	for top >= 0 && l[top] == 0 {
		top--
	}
	if top < 0 {
		return 0
	}
	t := 32*top + bits.Len64(uint64(l[top])) - 1 // the leading bit
	bit := func(b int) uint64 { return uint64(l[b/32]) >> uint(b%32) & 1 }
	var v float64
	if t < 64 {
		// Below 2⁶⁴·2⁻¹⁰⁷⁴ the integer is a uint64: one correctly rounded conversion, and the
		// scaling is exact (a result below 2⁵³·2⁻¹⁰⁷⁴ is exact anyway, subnormal or not).
		m := uint64(l[0]) | uint64(l[1])<<32
		v = math.Ldexp(float64(m), -1074)
	} else {
		// The top 64 bits, with every bit below them folded into the lowest (sticky), round once
		// to 53 bits in the conversion; the result is normal, so the scaling is exact.
		lo := t - 63
		var m uint64
		for b := t; b >= lo; b-- {
			m = m<<1 | bit(b)
		}
		sticky := false
		for i := 0; i < lo/32 && !sticky; i++ {
			sticky = l[i] != 0
		}
		if !sticky && lo%32 != 0 {
			sticky = uint64(l[lo/32])&(1<<uint(lo%32)-1) != 0
		}
		if sticky {
			m |= 1
		}
		v = math.Ldexp(float64(m), lo-1074)
	}
	if neg {
		return -v
	}
	return v
}

// normalizeLimbs propagates carries (see normalize).
func normalizeLimbs(l *[xsumLimbs]int64) {
	for i := 0; i < xsumLimbs-1; i++ {
		c := l[i] >> 32
		l[i] -= c << 32
		l[i+1] += c
	}
}

// Expansion returns floats whose exact sum is s (Shewchuk's nonoverlapping expansion, largest
// first): the exact value in a few float64s, for the map phase to ship. It leaves s unchanged.
func (s *xsum) Expansion() []float64 {
	t := *s
	var out []float64
	for !t.IsZero() && len(out) < 40 {
		f := t.Float64()
		out = append(out, f)
		if math.IsInf(f, 0) {
			break // beyond float64: the fit refuses such targets (MaxTargetSquareSafe)
		}
		t.Add(-f)
	}
	return out
}

// twoSum returns s = fl(a+b) and the exact error e = a + b − s (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// twoProd returns p = fl(a·b) and the exact error e = a·b − p.
func twoProd(a, b float64) (p, e float64) {
	p = a * b
	return p, math.FMA(a, b, -p)
}

// ddSum is a double-double running sum: hi + lo is the sum (exactly, while Exact holds).
type ddSum struct{ hi, lo float64 }

// add adds x; it returns false when the sum stopped being exact (the error terms rounded).
func (d *ddSum) add(x float64) bool {
	s, e := twoSum(d.hi, x)
	l, e2 := twoSum(d.lo, e)
	d.hi, d.lo = twoSum(s, l) // renormalise: exact, keeps |lo| ≤ ulp(hi)/2
	return e2 == 0
}

// addDD adds another double-double sum.
func (d *ddSum) addDD(o ddSum) bool {
	ok := d.add(o.hi)
	return d.add(o.lo) && ok
}

// value is hi + lo rounded once.
func (d ddSum) value() float64 { return d.hi + d.lo }
