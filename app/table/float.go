package table

import (
	"math"
	"math/bits"
	"strconv"
)

// AppendFloat appends strconv.FormatFloat(v, 'f', -1, 64), byte for byte, at about 40% of
// its cost for the values a model predicts (2^-10 <= |v| < 2^52); other values, and the rare
// ties, go to strconv.
//
// The shortest decimal that reads back as v is the decimal with fewest digits inside v's
// rounding interval, the closest to v when there are several (what strconv writes). For
// v = m·2^e (53-bit m) the interval is ((2m−1)·2^(e−1), (2m+1)·2^(e−1)), closed when m is
// even (round half to even reads the ends back as v). Scaled by 10^k, with s = 1−e, its
// integers are [ceil((2m−1)·10^k / 2^s), floor((2m+1)·10^k / 2^s)]: a 54-bit number times
// 10^k <= 10^19 fits in 128 bits and a division by 2^s is a shift, so the arithmetic is exact.
// Start at the k where the interval spans at least two units (it holds an integer), then drop
// a digit while the interval still holds a multiple of ten: ceil(ceil(x)/10) = ceil(x/10) and
// floor(floor(x)/10) = floor(x/10), so the bounds divide as integers. The digits are the
// integer of that range nearest v·10^k; k fractional digits of it are the text.
func AppendFloat(dst []byte, v float64) []byte {
	if out, ok := appendFloatFast(dst, v); ok {
		return out
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

// pow10 holds 10^0..10^19.
var pow10 = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

func appendFloatFast(dst []byte, v float64) ([]byte, bool) {
	b := math.Float64bits(v)
	neg := b>>63 != 0
	exp := int(b>>52) & 0x7ff
	frac := b & (1<<52 - 1)
	if exp == 0 || exp == 0x7ff || frac == 0 {
		// Zero, subnormals, Inf, NaN, and a power of two (its lower gap is half the upper).
		return dst, false
	}
	m := frac | 1<<52
	e := exp - 1075 // v = m·2^e
	s := 1 - e      // the interval's ends are (2m±1)·2^(e−1) = (2m±1) / 2^s
	if s <= 1 || s > 63 {
		return dst, false // |v| >= 2^52 (no fraction to shorten) or |v| < 2^-10
	}
	// The interval is 2·10^k/2^s units wide: k = floor(s·log10 2) + 1 makes it at least 2, so
	// it holds an integer even when open. 78913/2^18 is log10 2 from below (a k one too small
	// shows as lo > hi below).
	k := (s*78913)>>18 + 1
	if k > 19 {
		return dst, false
	}
	p := pow10[k]
	inclusive := m&1 == 0
	lh, ll := bits.Mul64(2*m-1, p)
	hh, hl := bits.Mul64(2*m+1, p)
	lo := bound(lh, ll, uint(s), !inclusive, true) // ceil, or floor+1 when open
	hi := bound(hh, hl, uint(s), !inclusive, false)
	if lo > hi {
		return dst, false // cannot happen with this k; stay safe
	}
	xh, xl := bits.Mul64(2*m, p)
	xi := shrFloor(xh, xl, uint(s)) // floor(v·10^k)
	xfrac := xl & (1<<uint(s) - 1)  // s <= 63: the fraction is in the low word
	half := uint64(1) << uint(s-1)
	j := 0
	for k-j > 0 {
		a, c := (lo+9)/10, hi/10
		if a > c {
			break
		}
		lo, hi = a, c
		j++
	}
	var d uint64
	if j == 0 {
		d = xi
		switch {
		case xfrac > half:
			d++
		case xfrac == half:
			return dst, false // a tie: leave it to strconv
		}
	} else {
		pj := pow10[j]
		d = divPow10(xi, j)
		rem := xi - d*pj
		switch h := pj / 2; {
		case rem > h, rem == h && xfrac != 0:
			d++
		case rem == h:
			return dst, false
		}
	}
	d = min(max(d, lo), hi)
	k -= j

	// d with k fractional digits. d < 2^58 < 10^18: two independent chunks of eight digits and two
	// (the divisions of one chunk do not wait for another's), then the leading zeros dropped.
	var buf [24]byte
	put8(buf[16:], d%1e8)
	put8(buf[8:], d/1e8%1e8)
	top := d / 1e16 * 2 // d < 2^58: at most 28, two digits
	buf[6], buf[7] = digitPairs[top], digitPairs[top+1]
	i := len(buf) - decimalLen(d)
	digits := buf[i:]
	if neg {
		dst = append(dst, '-')
	}
	if n := len(digits); n > k {
		dst = append(dst, digits[:n-k]...)
		if k > 0 {
			dst = append(dst, '.')
			dst = append(dst, digits[n-k:]...)
		}
		return dst, true
	}
	dst = append(dst, '0', '.')
	for range k - len(digits) {
		dst = append(dst, '0')
	}
	return append(dst, digits...), true
}

// digitPairs is "00" to "99".
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// bound is the integer bound of (h:l)/2^s: ceil for a closed lower end, floor+1 for an open
// one (lower true); floor for a closed upper end, ceil−1 for an open one.
func bound(h, l uint64, s uint, open, lower bool) uint64 {
	q := shrFloor(h, l, s)
	exact := l&(1<<s-1) == 0
	switch {
	case lower && open:
		return q + 1
	case lower && !exact:
		return q + 1
	case lower:
		return q
	case open && exact:
		return q - 1
	}
	return q
}

// shrFloor is floor((h:l) / 2^s) for 0 < s < 64, when it fits in 64 bits.
func shrFloor(h, l uint64, s uint) uint64 { return h<<(64-s) | l>>s }

// divPow10 is x / 10^j, by constants for the usual j (a division by a variable costs ~30 cycles).
func divPow10(x uint64, j int) uint64 {
	switch j {
	case 1:
		return x / 10
	case 2:
		return x / 100
	case 3:
		return x / 1000
	}
	return x / pow10[j]
}

// put8 writes x < 10^8 as eight digits, leading zeros included.
func put8(b []byte, x uint64) {
	_ = b[7]
	hi, lo := x/10000, x%10000
	a, c := hi/100*2, lo/100*2
	bb, d := hi%100*2, lo%100*2
	b[0], b[1] = digitPairs[a], digitPairs[a+1]
	b[2], b[3] = digitPairs[bb], digitPairs[bb+1]
	b[4], b[5] = digitPairs[c], digitPairs[c+1]
	b[6], b[7] = digitPairs[d], digitPairs[d+1]
}

// decimalLen is the number of decimal digits of 0 < d < 2^63: ⌊bits·log10 2⌋ (1233/4096 is log10 2
// from below), plus one if d reaches the next power of ten.
func decimalLen(d uint64) int {
	t := bits.Len64(d) * 1233 >> 12
	if d >= pow10[t] {
		t++
	}
	return t
}
