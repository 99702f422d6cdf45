package linreg

import (
	"awsrisk/models"
	"fmt"
	"slices"
	"strings"

	"math"
)

// nullID is the interned id of a null (empty) feature value inside a group key.
const nullID = -1

// DropReport counts the rows a fit left out, and why.
//
// A row is counted once in Total. A row with a null target is counted in
// NullTarget only; a row whose target is not a number in BadTarget only; a row
// with a valid target but null features is counted under every null feature
// in NullFeature (so the NullFeature counts may add up to more than the rows
// they describe). Fields that are null in every row are dropped from the fit
// (MLTK drop_na_columns) and never counted here.
type DropReport struct {
	NullTarget     int64            `json:"null_target"`
	BadTarget      int64            `json:"bad_target"`
	NullFeature    map[string]int64 `json:"null_feature,omitempty"`
	Total          int64            `json:"total"`
	FirstBadTarget string           `json:"first_bad_target,omitempty"`
}

// Aggregate holds the sufficient statistics of a linear regression over
// categorical and numeric fields as "aggregated distinct rows": every distinct
// combination of feature values is one group carrying its row count n, the sum
// Σy and the within-group sum of squared deviations Σ(y−ȳ_g)² of the target.
//
// Feature values are interned per field to int32 ids and a group is keyed by
// its packed ids, so memory grows with the number of distinct combinations, not
// with the number of events. Rows with null features are kept as groups too
// (with a null id), because whether a row is usable depends on whether one of
// its null fields is null in every row, which is only known at fit time.
//
// An Aggregate is not safe for concurrent use.
type Aggregate struct {
	Target   string
	Features []string

	dict  []map[string]int32 // per field: value -> id
	vals  [][]string         // per field: id -> value
	slots []int32            // open-addressing index of the groups by ids: 1 + group, 0 empty; see groupIDs
	ids   []int32            // group g's ids are ids[g*k : (g+1)*k]
	n     []int64
	sum   []float64 // Σy, with lo its double-double low part (see xsum.go)
	lo    []float64
	m2    []float64 // Σ(y − ȳ_g)²

	// sq is the exact Σy² of the rows of each null pattern (patternKey): the fit's total sum of
	// squares, exact so that it does not depend on the order of the rows.
	sq      map[string]*xsum
	inexact bool // a double-double Σy rounded (see ddSum)

	nullTarget int64
	badTarget  int64
	firstBad   string
	maxAbsY    float64 // the largest |y| added, to explain an overflow of Σy²

	row []int32
}

// NewAggregate returns an empty aggregate for target and features (in user
// order). It panics if features is empty or names a field twice.
func NewAggregate(target string, features []string) *Aggregate {
	if len(features) == 0 {
		panic("models: NewAggregate with no features")
	}
	seen := make(map[string]bool, len(features))
	for _, f := range features {
		if seen[f] {
			panic(fmt.Sprintf("models: feature %q named twice", f))
		}
		seen[f] = true
	}
	k := len(features)
	a := &Aggregate{
		Target:   target,
		Features: slices.Clone(features),
		dict:     make([]map[string]int32, k),
		vals:     make([][]string, k),
		row:      make([]int32, k),
		sq:       map[string]*xsum{},
	}
	for i := range a.dict {
		a.dict[i] = make(map[string]int32)
	}
	return a
}

// AddEvent adds one raw event: y is the target value and xs the feature values
// in Features order. A null or non-numeric target drops the row (counted in
// [Aggregate.Dropped]). It panics if len(xs) != len(Features).
func (a *Aggregate) AddEvent(y string, xs []string) {
	if len(xs) != len(a.Features) {
		panic(fmt.Sprintf("models: AddEvent with %d values for %d features", len(xs), len(a.Features)))
	}
	if models.IsNull(y) {
		a.nullTarget++
		return
	}
	v, isBool, ok := models.ParseNumber(y)
	if !ok || isBool {
		// A bool target would be a separate pandas dtype that sklearn
		// happens to accept; mixed with numbers it is a string column and
		// MLTK fails. Treat it as non-numeric.
		a.badTarget++
		if a.firstBad == "" {
			a.firstBad = y
		}
		return
	}
	a.maxAbsY = max(a.maxAbsY, math.Abs(v))
	g := a.group(xs)
	a.sqOf(a.row).AddProd(v, v)
	// Welford's update with running sums (Welford 1962; Chan, Golub and
	// LeVeque 1983): with S' = S + y and n' = n + 1,
	// M2' = M2 + (y − S/n)(y − S'/n').
	n := a.n[g]
	if n == 0 {
		a.n[g], a.sum[g] = 1, v
		return
	}
	mean := a.sum[g] / float64(n)
	a.n[g] = n + 1
	d := ddSum{a.sum[g], a.lo[g]}
	if !d.add(v) {
		a.inexact = true
	}
	a.sum[g], a.lo[g] = d.hi, d.lo
	a.m2[g] += (v - mean) * (v - a.sum[g]/float64(n+1))
}

// patternKey names the null pattern of a row's ids: "" without nulls, else one byte per feature,
// 1 for null.
func patternKey(ids []int32, buf []byte) []byte {
	buf = buf[:0]
	if !slices.Contains(ids, nullID) {
		return buf
	}
	for _, id := range ids {
		if id == nullID {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
	}
	return buf
}

// sqOf returns the exact Σy² accumulator of the null pattern of ids.
func (a *Aggregate) sqOf(ids []int32) *xsum {
	var b [64]byte
	key := patternKey(ids, b[:0])
	s := a.sq[string(key)]
	if s == nil {
		s = new(xsum)
		a.sq[string(key)] = s
	}
	return s
}

// AddGroup adds a partial group from a map phase: n rows sharing the feature
// values xs, with Σy = sumY and Σy² = sumY2. Null values in xs are allowed
// (they are handled at fit time like those of raw events). It panics if
// len(xs) != len(Features) or n < 1.
func (a *Aggregate) AddGroup(xs []string, n int64, sumY, sumY2 float64) {
	if len(xs) != len(a.Features) {
		panic(fmt.Sprintf("models: AddGroup with %d values for %d features", len(xs), len(a.Features)))
	}
	if n < 1 {
		panic(fmt.Sprintf("models: AddGroup with n=%d", n))
	}
	// Within-group sum of squares Σy² − (Σy)²/n, clamped at 0 against rounding.
	m2 := max(0, sumY2-sumY*sumY/float64(n))
	a.maxAbsY = max(a.maxAbsY, math.Sqrt(sumY2/float64(n)), math.Abs(sumY)/float64(n))
	g := a.group(xs)
	a.sqOf(a.row).Add(sumY2)
	a.mergeGroup(g, n, ddSum{sumY, 0}, m2)
}

// addGroupDD adds a partial group whose Σy is a double-double sum and whose Σy² the caller adds
// to the pattern's exact total itself (addSquares): the map phase's exact distinct-rows form.
func (a *Aggregate) addGroupDD(xs []string, n int64, sum ddSum, m2 float64) {
	a.maxAbsY = max(a.maxAbsY, math.Abs(sum.value())/float64(n), math.Sqrt(m2/float64(n)))
	a.mergeGroup(a.group(xs), n, sum, m2)
}

// addSquares adds an exact Σy² (as an expansion) to the null pattern key.
func (a *Aggregate) addSquares(key string, exp []float64) {
	s := a.sq[key]
	if s == nil {
		s = new(xsum)
		a.sq[key] = s
	}
	for _, f := range exp {
		s.Add(f)
	}
}

// mergeGroup combines (n, sum, m2) into group g with Chan et al.'s pairwise
// update M2 = M2_a + M2_b + (ȳ_a − ȳ_b)² n_a n_b/(n_a + n_b).
func (a *Aggregate) mergeGroup(g int32, n int64, sum ddSum, m2 float64) {
	na := a.n[g]
	if na == 0 {
		a.n[g], a.sum[g], a.lo[g], a.m2[g] = n, sum.hi, sum.lo, m2
		return
	}
	d := a.sum[g]/float64(na) - sum.value()/float64(n)
	a.m2[g] += m2 + d*d*float64(na)*float64(n)/float64(na+n)
	a.n[g] = na + n
	s := ddSum{a.sum[g], a.lo[g]}
	if !s.addDD(sum) {
		a.inexact = true
	}
	a.sum[g], a.lo[g] = s.hi, s.lo
}

// group returns the index of the group for xs, creating it (with n = 0) if
// needed.
func (a *Aggregate) group(xs []string) int32 {
	for i, x := range xs {
		id := int32(nullID)
		if !models.IsNull(x) {
			var ok bool
			id, ok = a.dict[i][x]
			if !ok {
				x = strings.Clone(x) // do not pin the caller's buffer
				id = int32(len(a.vals[i]))
				a.dict[i][x] = id
				a.vals[i] = append(a.vals[i], x)
			}
		}
		a.row[i] = id
	}
	return a.groupIDs(a.row)
}

// groupIDs returns the group for interned ids, creating it if needed.
//
// The index is open addressing with linear probing over a.slots, at most half full, comparing
// against the ids already stored in a.ids: 8–16 bytes a group, where a map keyed by the packed ids
// cost a string and a map entry (~80 bytes) a group, the largest part of a fit's memory when
// distinct rows number in the millions.
func (a *Aggregate) groupIDs(ids []int32) int32 {
	if 2*(len(a.n)+1) > len(a.slots) {
		a.growIndex()
	}
	k := len(ids)
	mask := uint64(len(a.slots) - 1)
	j := hashIDs(ids) & mask
	for {
		s := a.slots[j]
		if s == 0 {
			break
		}
		if g := s - 1; slices.Equal(a.ids[int(g)*k:int(g+1)*k], ids) {
			return g
		}
		j = (j + 1) & mask
	}
	g := int32(len(a.n))
	a.slots[j] = g + 1
	a.ids = append(a.ids, ids...)
	a.n = append(a.n, 0)
	a.sum = append(a.sum, 0)
	a.lo = append(a.lo, 0)
	a.m2 = append(a.m2, 0)
	return g
}

// growIndex doubles a.slots (at least 64) and re-inserts every group.
func (a *Aggregate) growIndex() {
	slots := make([]int32, max(64, 2*len(a.slots)))
	mask := uint64(len(slots) - 1)
	k := len(a.Features)
	for g := range len(a.n) {
		j := hashIDs(a.ids[g*k:(g+1)*k]) & mask
		for slots[j] != 0 {
			j = (j + 1) & mask
		}
		slots[j] = int32(g + 1)
	}
	a.slots = slots
}

// hashIDs mixes a group's ids into 64 bits: a multiply-add per id, then a final avalanche
// (the murmur3 finaliser) so that the low bits used as the slot depend on every id.
func hashIDs(ids []int32) uint64 {
	h := uint64(len(ids))
	for _, id := range ids {
		h = (h ^ uint64(uint32(id))) * 0x9E3779B97F4A7C15
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// Merge adds every group and drop count of b to a. b is not modified. Both
// must have the same target and features (same order).
func (a *Aggregate) Merge(b *Aggregate) error {
	if a.Target != b.Target || !slices.Equal(a.Features, b.Features) {
		return fmt.Errorf("models: merge %q from %q with %q from %q: different target or features",
			b.Target, b.Features, a.Target, a.Features)
	}
	k := len(a.Features)
	trans := make([][]int32, k) // b's id -> a's id, per field
	for i := range k {
		trans[i] = make([]int32, len(b.vals[i]))
		for id, v := range b.vals[i] {
			aid, ok := a.dict[i][v]
			if !ok {
				aid = int32(len(a.vals[i]))
				a.dict[i][v] = aid
				a.vals[i] = append(a.vals[i], v)
			}
			trans[i][id] = aid
		}
	}
	row := make([]int32, k)
	for g := range b.n {
		if b.n[g] == 0 {
			continue
		}
		for i, id := range b.ids[g*k : (g+1)*k] {
			if id == nullID {
				row[i] = nullID
			} else {
				row[i] = trans[i][id]
			}
		}
		a.mergeGroup(a.groupIDs(row), b.n[g], ddSum{b.sum[g], b.lo[g]}, b.m2[g])
	}
	for key, s := range b.sq {
		t := a.sq[key]
		if t == nil {
			t = new(xsum)
			a.sq[key] = t
		}
		t.AddSum(s)
	}
	a.inexact = a.inexact || b.inexact
	a.maxAbsY = max(a.maxAbsY, b.maxAbsY)
	a.nullTarget += b.nullTarget
	a.badTarget += b.badTarget
	if a.firstBad == "" {
		a.firstBad = b.firstBad
	}
	return nil
}

// EachGroup calls fn for every group, ordered by feature values (field by
// field, byte-wise, nulls first), with Σy and Σy² = M2 + (Σy)²/n. This is the
// holdout's evaluation input (and the map-phase output before issue 14); feeding it to
// [Aggregate.AddGroup] of another aggregate reproduces the groups. Null-target and bad-target counts are not part of it.
// The xs slice is reused between calls.
func (a *Aggregate) EachGroup(fn func(xs []string, n int64, sumY, sumY2 float64)) {
	k := len(a.Features)
	rank := make([][]int32, k) // per field: id -> rank of its value
	for i := range k {
		order := make([]int32, len(a.vals[i]))
		for j := range order {
			order[j] = int32(j)
		}
		vals := a.vals[i]
		slices.SortFunc(order, func(x, y int32) int { return strings.Compare(vals[x], vals[y]) })
		rank[i] = make([]int32, len(order))
		for r, id := range order {
			rank[i][id] = int32(r)
		}
	}
	rk := func(i int, id int32) int32 {
		if id == nullID {
			return -1
		}
		return rank[i][id]
	}
	groups := make([]int32, 0, len(a.n))
	for g := range a.n {
		if a.n[g] > 0 {
			groups = append(groups, int32(g))
		}
	}
	slices.SortFunc(groups, func(x, y int32) int {
		for i := range k {
			if c := rk(i, a.ids[int(x)*k+i]) - rk(i, a.ids[int(y)*k+i]); c != 0 {
				return int(c)
			}
		}
		return 0
	})
	xs := make([]string, k)
	for _, g := range groups {
		for i, id := range a.ids[int(g)*k : int(g+1)*k] {
			if id == nullID {
				xs[i] = ""
			} else {
				xs[i] = a.vals[i][id]
			}
		}
		n, s := a.n[g], a.sum[g]+a.lo[g]
		fn(xs, n, s, a.m2[g]+s*s/float64(n))
	}
}

// AbsentFeatures lists the features null in every row with a valid target, in order: a
// misspelled field name looks like this.
func (a *Aggregate) AbsentFeatures() []string {
	var out []string
	for i, null := range a.allNull() {
		if null {
			out = append(out, a.Features[i])
		}
	}
	return out
}

// allNull reports, per feature, whether it is null in every row with a valid
// target; such fields are dropped from the fit as MLTK's drop_na_columns does.
func (a *Aggregate) allNull() []bool {
	out := make([]bool, len(a.Features))
	for i := range out {
		out[i] = len(a.vals[i]) == 0
	}
	return out
}

// kept reports whether group g is used by the fit given the dropped fields.
func (a *Aggregate) kept(g int, drop []bool) bool {
	k := len(a.Features)
	for i, id := range a.ids[g*k : (g+1)*k] {
		if id == nullID && !drop[i] {
			return false
		}
	}
	return a.n[g] > 0
}

// Rows returns the number of rows a fit would use.
// MaxTargetSquareSafe is the largest |y| fit accepts: n values of y² up to 1e300 sum to a
// finite float64 (max 1.8e308) for any n below 1e8.
const MaxTargetSquareSafe = 1e150

// TargetOverflow reports the largest |y| added when it is beyond MaxTargetSquareSafe (or the sums
// of a map phase overflowed): the squares in R², RMSE and the solver would be ±Inf or NaN.
func (a *Aggregate) TargetOverflow() (maxAbs float64, overflow bool) {
	return a.maxAbsY, !(a.maxAbsY <= MaxTargetSquareSafe)
}

func (a *Aggregate) Rows() int64 {
	drop := a.allNull()
	var r int64
	for g := range a.n {
		if a.kept(g, drop) {
			r += a.n[g]
		}
	}
	return r
}

// Groups returns the number of distinct feature combinations a fit would use.
func (a *Aggregate) Groups() int {
	drop := a.allNull()
	c := 0
	for g := range a.n {
		if a.kept(g, drop) {
			c++
		}
	}
	return c
}

// Dropped reports the rows left out of the fit and why.
func (a *Aggregate) Dropped() DropReport {
	r := DropReport{
		NullTarget:     a.nullTarget,
		BadTarget:      a.badTarget,
		FirstBadTarget: a.firstBad,
		Total:          a.nullTarget + a.badTarget,
	}
	drop := a.allNull()
	k := len(a.Features)
	for g := range a.n {
		if a.n[g] == 0 || a.kept(g, drop) {
			continue
		}
		r.Total += a.n[g]
		for i, id := range a.ids[g*k : (g+1)*k] {
			if id == nullID && !drop[i] {
				if r.NullFeature == nil {
					r.NullFeature = make(map[string]int64)
				}
				r.NullFeature[a.Features[i]] += a.n[g]
			}
		}
	}
	return r
}
