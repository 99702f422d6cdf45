package linreg

import (
	"fmt"
	"maps"
	"slices"
)

// Moments are the cross-products a least-squares fit needs, with every field one-hot coded by
// value: per null pattern (which features are null in the row), the row count N, Σy and Σy²,
// per value its row count and Σy (Xᵀ1 and Xᵀy), and per pair of values of two different fields
// the number of rows holding both (the off-diagonal of XᵀX). A field that turns out numeric at fit
// time gets its numeric sums from its values' (Σx = Σ_v n_v·v, Σx·x_k = Σ_v v·n_{v,k}, …), so
// the form is exact whatever the fields' kinds are, which only the reduce can know.
//
// Their size grows with the model (values and co-occurring pairs), not with the events: this is
// what the map phase ships when it is smaller than the distinct rows (see WritePartials). Counts
// are integers and sums exact (xsum, ddSum), so merging in any order gives the same Moments, and
// a fit from them does not depend on how the events were split over indexers.
//
// Rows with a null feature are kept per null pattern because whether such a row is used depends
// on whether its null fields are null in every row (MLTK's drop_na_columns), which only the
// merged statistics tell: the fit uses the one pattern whose null fields are exactly the dropped
// ones.
type Moments struct {
	Target   string
	Features []string

	vals [][]string         // per field: id -> value
	dict []map[string]int32 // per field: value -> id
	pats map[string]*momentPattern

	nullTarget, badTarget int64
	firstBad              string
	maxAbsY               float64
	inexact               bool // a double-double Σy was not exact
	groups                int  // distinct rows behind the moments; -1 when unknown (merged map partials)
}

// momentPattern is the statistics of the rows sharing one null pattern.
type momentPattern struct {
	key   string // patternKey: "" or one byte per feature, 1 = null
	null  []bool
	n     int64
	sum   ddSum
	sq    xsum         // exact Σy²
	cnt   [][]int64    // per field: id -> rows (nil for a null field)
	sy    [][]ddSum    // per field: id -> Σy
	pairs []*pairTable // per field pair a < b at a*k+b: id_a<<32 | id_b -> rows

	groups int // distinct rows behind the pattern (when Moments.groups is known)
}

// NewMoments returns empty moments for target and features (in user order), for merging the map
// phase's partials into.
func NewMoments(target string, features []string) *Moments { return newMoments(target, features) }

// Empty reports whether nothing was merged into m.
func (m *Moments) Empty() bool { return len(m.pats) == 0 && m.nullTarget+m.badTarget == 0 }

func newMoments(target string, features []string) *Moments {
	k := len(features)
	m := &Moments{Target: target, Features: slices.Clone(features), vals: make([][]string, k),
		dict: make([]map[string]int32, k), pats: map[string]*momentPattern{}}
	for i := range m.dict {
		m.dict[i] = map[string]int32{}
	}
	return m
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

func splitPair(k uint64) (a, b int32) { return int32(uint32(k >> 32)), int32(uint32(k)) }

// pattern returns the statistics of null pattern key, creating them.
func (m *Moments) pattern(key string) *momentPattern {
	if p := m.pats[key]; p != nil {
		return p
	}
	k := len(m.Features)
	p := &momentPattern{key: key, null: make([]bool, k), cnt: make([][]int64, k), sy: make([][]ddSum, k),
		pairs: make([]*pairTable, k*k)}
	for i := range p.null {
		p.null[i] = key != "" && key[i] == 1
	}
	for a := range k {
		for b := a + 1; b < k; b++ {
			if !p.null[a] && !p.null[b] {
				p.pairs[a*k+b] = &pairTable{}
			}
		}
	}
	m.pats[key] = p
	return p
}

// addValue adds n rows with Σy = s to value id of field i.
func (m *Moments) addValue(p *momentPattern, i int, id int32, n int64, s ddSum) {
	if int(id) >= len(p.cnt[i]) {
		size := max(int(id)+1, len(m.vals[i]))
		p.cnt[i] = append(p.cnt[i], make([]int64, size-len(p.cnt[i]))...)
		p.sy[i] = append(p.sy[i], make([]ddSum, size-len(p.sy[i]))...)
	}
	p.cnt[i][id] += n
	if !p.sy[i][id].addDD(s) {
		m.inexact = true
	}
}

// addRow adds n rows with ids (nullID for a null) and Σy = s to their pattern.
func (m *Moments) addRow(p *momentPattern, ids []int32, n int64, s ddSum) {
	k := len(ids)
	p.n += n
	if !p.sum.addDD(s) {
		m.inexact = true
	}
	for i, id := range ids {
		if id == nullID {
			continue
		}
		m.addValue(p, i, id, n, s)
		for b := i + 1; b < k; b++ {
			if ids[b] != nullID {
				p.pairs[i*k+b].add(pairKey(id, ids[b]), n)
			}
		}
	}
}

// MomentsOf computes the moments of the rows an Aggregate holds.
func MomentsOf(a *Aggregate) *Moments {
	m := newMoments(a.Target, a.Features)
	for i := range a.vals {
		m.vals[i] = slices.Clone(a.vals[i])
		m.dict[i] = maps.Clone(a.dict[i])
	}
	k := len(a.Features)
	var buf [64]byte
	for g := range a.n {
		if a.n[g] == 0 {
			continue
		}
		ids := a.ids[g*k : (g+1)*k]
		p := m.pattern(string(patternKey(ids, buf[:0])))
		m.addRow(p, ids, a.n[g], ddSum{a.sum[g], a.lo[g]})
		p.groups++
		m.groups++
	}
	for key, s := range a.sq {
		m.pattern(key).sq.AddSum(s)
	}
	m.nullTarget, m.badTarget, m.firstBad = a.nullTarget, a.badTarget, a.firstBad
	m.maxAbsY, m.inexact = a.maxAbsY, a.inexact
	return m
}

// intern returns field i's id for value v, adding it.
func (m *Moments) intern(i int, v string) int32 {
	id, ok := m.dict[i][v]
	if !ok {
		id = int32(len(m.vals[i]))
		m.dict[i][v] = id
		m.vals[i] = append(m.vals[i], v)
	}
	return id
}

// Merge adds o to m exactly. The number of distinct rows becomes unknown.
func (m *Moments) Merge(o *Moments) error {
	if m.Target != o.Target || !slices.Equal(m.Features, o.Features) {
		return fmt.Errorf("models: merge moments of %q from %q with %q from %q: different target or features",
			o.Target, o.Features, m.Target, m.Features)
	}
	k := len(m.Features)
	trans := make([][]int32, k)
	for i := range k {
		trans[i] = make([]int32, len(o.vals[i]))
		for id, v := range o.vals[i] {
			trans[i][id] = m.intern(i, v)
		}
	}
	for _, op := range o.pats {
		p := m.pattern(op.key)
		p.n += op.n
		if !p.sum.addDD(op.sum) {
			m.inexact = true
		}
		p.sq.AddSum(&op.sq)
		for i := range k {
			for id, c := range op.cnt[i] {
				if c != 0 {
					m.addValue(p, i, trans[i][id], c, op.sy[i][id])
				}
			}
			for b := i + 1; b < k; b++ {
				dst := p.pairs[i*k+b]
				for key, c := range op.pairs[i*k+b].All() {
					x, y := splitPair(key)
					dst.add(pairKey(trans[i][x], trans[b][y]), c)
				}
			}
		}
	}
	m.nullTarget += o.nullTarget
	m.badTarget += o.badTarget
	if m.firstBad == "" {
		m.firstBad = o.firstBad
	}
	m.maxAbsY = max(m.maxAbsY, o.maxAbsY)
	m.inexact = m.inexact || o.inexact
	m.groups = -1
	return nil
}

// Inexact reports whether a double-double sum of the target rounded, so that the fit may differ
// in the last bits with the order of the events (see xsum.go).
func (m *Moments) Inexact() bool { return m.inexact }

// allNull reports, per feature, whether it is null in every row with a valid target.
func (m *Moments) allNull() []bool {
	out := make([]bool, len(m.Features))
	for i := range out {
		out[i] = true
		for _, p := range m.pats {
			if p.n > 0 && !p.null[i] {
				out[i] = false
			}
		}
	}
	return out
}

// kept returns the pattern the fit uses: rows null exactly in the dropped fields (nil if none).
func (m *Moments) kept(drop []bool) *momentPattern {
	for _, p := range m.pats {
		if p.n > 0 && slices.Equal(p.null, drop) {
			return p
		}
	}
	return nil
}

// Rows returns the number of rows a fit would use.
func (m *Moments) Rows() int64 {
	if p := m.kept(m.allNull()); p != nil {
		return p.n
	}
	return 0
}

// AbsentFeatures lists the features null in every row with a valid target, in order.
func (m *Moments) AbsentFeatures() []string {
	var out []string
	for i, null := range m.allNull() {
		if null {
			out = append(out, m.Features[i])
		}
	}
	return out
}

// TargetOverflow is Aggregate.TargetOverflow for the merged statistics.
func (m *Moments) TargetOverflow() (maxAbs float64, overflow bool) {
	return m.maxAbsY, !(m.maxAbsY <= MaxTargetSquareSafe)
}

// Dropped reports the rows left out of the fit and why (see DropReport).
func (m *Moments) Dropped() DropReport {
	r := DropReport{NullTarget: m.nullTarget, BadTarget: m.badTarget, FirstBadTarget: m.firstBad,
		Total: m.nullTarget + m.badTarget}
	drop := m.allNull()
	for _, p := range m.pats {
		if p.n == 0 || slices.Equal(p.null, drop) {
			continue
		}
		r.Total += p.n
		for i, null := range p.null {
			if null && !drop[i] {
				if r.NullFeature == nil {
					r.NullFeature = map[string]int64{}
				}
				r.NullFeature[m.Features[i]] += p.n
			}
		}
	}
	return r
}
