package linreg

import (
	"awsrisk/models"
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
)

// design is the normal-equation system of a fit, built from Moments (see doc.go): the columns,
// the sparse symmetric matrix S = Σ x̃ x̃ᵀ over the rows (one-hot columns 0/1, numeric columns
// centred by their mean when fitting an intercept) in compressed sparse rows, the column means m
// and the right-hand side b. The centred normal matrix is A = S − N m mᵀ, applied without forming
// it (mulVec). Everything here is computed from counts and exact sums in an order that depends on
// the values only, never on the order of the events.
type design struct {
	mo        *Moments
	pt        *momentPattern // the rows the fit uses
	intercept bool

	kind     []featureKind // per feature
	numField []int         // feature index of each numeric field
	catField []int         // feature index of each categorical field
	numVal   [][]float64   // per feature: id -> parsed value (numeric fields)
	xt       [][]float64   // per feature: id -> centred value x − x̄ (numeric fields; x without intercept)
	colOf    [][]int32     // per feature: id -> column (categorical) ; [0] = column (numeric)
	names    []string      // column names, sorted
	colFeat  []int         // column -> feature index
	colVal   []int32       // column -> value id (-1 for numeric)
	p        int           // columns

	raw    []float64 // raw mean of each numeric field (for the intercept)
	nconst []bool    // per numeric field: constant over the kept rows
	cval   []float64 // per numeric field: its value if constant

	N    float64
	ybar float64
	cs   []float64 // column sums Σ x̃_j (N·m_j); 0 without intercept
	m    []float64 // column means m_j = cs_j/N (0 without intercept)
	b    []float64 // Σ (x̃ − m)(y − ȳ), exactly rounded
	diag []float64 // A_jj
	act  []bool    // column takes part in the solve (A_jj > 0)
	drop []bool    // per feature: null in every row

	rowPtr []int // CSR of S: row j's entries are colIdx/val[rowPtr[j]:rowPtr[j+1]], columns ascending
	colIdx []int32
	val    []float64

	residual float64 // PCG's final relative residual when it stopped short of pcgTol, else 0
}

func newDesign(mo *Moments, intercept bool) (*design, error) {
	k := len(mo.Features)
	d := &design{mo: mo, intercept: intercept, kind: make([]featureKind, k), drop: mo.allNull()}
	pt := mo.kept(d.drop)
	if pt == nil {
		return nil, ErrNoRows
	}
	d.pt = pt
	used := func(i int, id int) bool { return id < len(pt.cnt[i]) && pt.cnt[i][id] > 0 }

	// Field types over the kept rows: numeric if every value is a finite float, or every value a
	// true/false literal (pandas bool dtype); otherwise categorical, one-hot over the values present.
	d.numVal = make([][]float64, k)
	d.xt = make([][]float64, k)
	d.colOf = make([][]int32, k)
	type col struct {
		name string
		feat int
		id   int32
	}
	var cols []col
	for i, f := range mo.Features {
		if d.drop[i] {
			continue
		}
		vals := make([]float64, len(mo.vals[i]))
		allFloat, allBool := true, true
		for id, v := range mo.vals[i] {
			if !used(i, id) {
				continue
			}
			x, isBool, ok := models.ParseNumber(v)
			allFloat = allFloat && ok && !isBool
			allBool = allBool && ok && isBool
			vals[id] = x
		}
		if allFloat || allBool {
			d.kind[i] = kindNumeric
			d.numVal[i] = vals
			d.numField = append(d.numField, i)
			cols = append(cols, col{f, i, -1})
			continue
		}
		d.kind[i] = kindCategorical
		d.catField = append(d.catField, i)
		d.colOf[i] = make([]int32, len(mo.vals[i]))
		for id, v := range mo.vals[i] {
			d.colOf[i][id] = -1
			if used(i, id) {
				cols = append(cols, col{f + "=" + v, i, int32(id)})
			}
		}
	}
	if len(cols) == 0 {
		return nil, ErrNoColumns
	}
	// pandas sort_index(axis=1): code-point order, which is byte order for UTF-8.
	slices.SortStableFunc(cols, func(x, y col) int { return cmp.Compare(x.name, y.name) })
	d.p = len(cols)
	d.names = make([]string, d.p)
	d.colFeat = make([]int, d.p)
	d.colVal = make([]int32, d.p)
	for j, c := range cols {
		d.names[j], d.colFeat[j], d.colVal[j] = c.name, c.feat, c.id
		if c.id >= 0 {
			d.colOf[c.feat][c.id] = int32(j)
		} else {
			d.colOf[c.feat] = []int32{int32(j)}
		}
	}

	// ȳ = Σy/N rounded to nearest: the quotient of the rounded sum, corrected once by the exact
	// remainder (so a constant target gives ȳ equal to it, and b = 0 exactly).
	d.N = float64(pt.n)
	var sy xsum
	sy.Add(pt.sum.hi)
	sy.Add(pt.sum.lo)
	q := sy.Float64() / d.N
	rem := sy
	rem.AddMulInt(q, -pt.n)
	d.ybar = q + rem.Float64()/d.N

	// Numeric fields: raw mean, constancy, centred values.
	nn := len(d.numField)
	d.raw = make([]float64, nn)
	d.nconst = make([]bool, nn)
	d.cval = make([]float64, nn)
	for q, i := range d.numField {
		var s xsum
		lo, hi := math.Inf(1), math.Inf(-1)
		for id, c := range pt.cnt[i] {
			if c > 0 {
				x := d.numVal[i][id]
				s.AddMulInt(x, c)
				lo, hi = min(lo, x), max(hi, x)
			}
		}
		d.raw[q] = s.Float64() / d.N
		d.nconst[q], d.cval[q] = lo == hi, lo
		xt := make([]float64, len(d.numVal[i]))
		for id, x := range d.numVal[i] {
			switch {
			case !d.intercept:
				xt[id] = x
			case d.nconst[q]:
				xt[id] = 0 // exactly, whatever rounding did to the mean
			default:
				xt[id] = x - d.raw[q]
			}
		}
		d.xt[i] = xt
	}
	d.buildS()
	d.buildB()
	return d, nil
}

// fieldPair returns the pair table of fields i and h (in either order) and whether i is its first
// field.
func (d *design) fieldPair(i, h int) (*pairTable, bool) {
	k := len(d.mo.Features)
	if i < h {
		return d.pt.pairs[i*k+h], true
	}
	return d.pt.pairs[h*k+i], false
}

// buildS fills the CSR matrix S, the column sums and means, and the diagonal of A.
func (d *design) buildS() {
	pt, p := d.pt, d.p
	k := len(d.mo.Features)
	d.cs = make([]float64, p)
	d.m = make([]float64, p)
	d.diag = make([]float64, p)
	d.act = make([]bool, p)

	// Numeric rows, dense and exact: row[q][col] = Σ x̃_f x_col.
	nn := len(d.numField)
	numRow := make([][]xsum, nn)
	for q, f := range d.numField {
		row := make([]xsum, p)
		xt := d.xt[f]
		jf := d.colOf[f][0]
		var colSum xsum
		for id, c := range pt.cnt[f] {
			if c > 0 {
				row[jf].AddProdInt(xt[id], xt[id], c)
				colSum.AddMulInt(xt[id], c)
			}
		}
		if d.intercept {
			d.cs[jf] = colSum.Float64()
		}
		for h := range k {
			if h == f || d.drop[h] {
				continue
			}
			tab, first := d.fieldPair(f, h)
			for key, c := range tab.All() {
				a, b := splitPair(key)
				vf, vh := a, b
				if !first {
					vf, vh = b, a
				}
				if d.kind[h] == kindNumeric {
					row[d.colOf[h][0]].AddProdInt(xt[vf], d.xt[h][vh], c)
				} else {
					row[d.colOf[h][vh]].AddMulInt(xt[vf], c)
				}
			}
		}
		numRow[q] = row
	}
	numRowVal := make([][]float64, nn)
	for q := range numRow {
		numRowVal[q] = make([]float64, p)
		for j := range numRow[q] {
			numRowVal[q][j] = numRow[q][j].Float64()
		}
	}
	numAt := make([]int, p) // column -> its numeric field position, or -1
	for j := range numAt {
		numAt[j] = -1
	}
	for q, f := range d.numField {
		numAt[d.colOf[f][0]] = q
	}

	// Count the entries of each row, then fill: categorical diagonal, categorical pairs, and the
	// numeric rows and columns.
	cnt := make([]int, p+1)
	catCols := 0
	for j := range p {
		if numAt[j] >= 0 {
			for _, v := range numRowVal[numAt[j]] {
				if v != 0 {
					cnt[j]++
				}
			}
			continue
		}
		catCols++
		cnt[j]++ // diagonal
		for q := range numRowVal {
			if numRowVal[q][j] != 0 {
				cnt[j]++
			}
		}
	}
	for ai, a := range d.catField {
		for _, b := range d.catField[ai+1:] {
			tab, first := d.fieldPair(a, b)
			for key := range tab.All() {
				x, y := splitPair(key)
				if !first {
					x, y = y, x
				}
				cnt[d.colOf[a][x]]++
				cnt[d.colOf[b][y]]++
			}
		}
	}
	d.rowPtr = make([]int, p+1)
	for j := range p {
		d.rowPtr[j+1] = d.rowPtr[j] + cnt[j]
	}
	nz := d.rowPtr[p]
	d.colIdx = make([]int32, nz)
	d.val = make([]float64, nz)
	fill := slices.Clone(d.rowPtr[:p])
	put := func(r, c int32, v float64) {
		at := fill[r]
		d.colIdx[at], d.val[at] = c, v
		fill[r]++
	}
	for j := range p {
		if q := numAt[j]; q >= 0 {
			for c, v := range numRowVal[q] {
				if v != 0 {
					put(int32(j), int32(c), v)
				}
			}
			continue
		}
		f, id := d.colFeat[j], d.colVal[j]
		c := pt.cnt[f][id]
		put(int32(j), int32(j), float64(c))
		if d.intercept {
			d.cs[j] = float64(c)
		}
		for q := range numRowVal {
			if v := numRowVal[q][j]; v != 0 {
				put(int32(j), d.colOf[d.numField[q]][0], v)
			}
		}
	}
	for ai, a := range d.catField {
		for _, b := range d.catField[ai+1:] {
			tab, first := d.fieldPair(a, b)
			for key, c := range tab.All() {
				x, y := splitPair(key)
				if !first {
					x, y = y, x
				}
				ja, jb := d.colOf[a][x], d.colOf[b][y]
				put(ja, jb, float64(c))
				put(jb, ja, float64(c))
			}
		}
	}
	// Canonical order within each row: the matrix, and every product with it, then depends on the
	// values only, not on the order of the pair tables.
	for j := range p {
		lo, hi := d.rowPtr[j], d.rowPtr[j+1]
		idx := make([]int, hi-lo)
		for t := range idx {
			idx[t] = lo + t
		}
		slices.SortFunc(idx, func(x, y int) int { return cmp.Compare(d.colIdx[x], d.colIdx[y]) })
		cs := make([]int32, len(idx))
		vs := make([]float64, len(idx))
		for t, at := range idx {
			cs[t], vs[t] = d.colIdx[at], d.val[at]
		}
		copy(d.colIdx[lo:hi], cs)
		copy(d.val[lo:hi], vs)
	}

	for j := range p {
		d.m[j] = d.cs[j] / d.N
		sjj := 0.0
		if i, ok := slices.BinarySearch(d.colIdx[d.rowPtr[j]:d.rowPtr[j+1]], int32(j)); ok {
			sjj = d.val[d.rowPtr[j]+i]
		}
		if q := numAt[j]; q >= 0 {
			d.diag[j] = sjj - d.cs[j]*d.m[j]
			d.act[j] = d.diag[j] > 0 && !(d.intercept && d.nconst[q])
		} else { // dummy with count c: c(1 − c/N), or c without intercept
			c := sjj
			d.diag[j] = c
			d.act[j] = c > 0
			if d.intercept {
				d.diag[j] = c * (1 - c/d.N)
				d.act[j] = c < d.N
			}
		}
		if !d.act[j] {
			d.diag[j] = 0
		}
	}
}

// buildB computes b_j = Σ (x̃_j − m_j)(y − ȳ) = Σ x̃_j y − ȳ cs_j − m_j (Σy − N ȳ) exactly, then
// rounds it once (without an intercept, b_j = Σ x_j y).
func (d *design) buildB() {
	pt := d.pt
	d.b = make([]float64, d.p)
	ybar := 0.0
	var r float64 // Σy − N ȳ
	if d.intercept {
		ybar = d.ybar
		var s xsum
		s.Add(pt.sum.hi)
		s.Add(pt.sum.lo)
		s.AddMulInt(ybar, -pt.n)
		r = s.Float64()
	}
	for j := range d.p {
		if !d.act[j] {
			continue
		}
		f, id := d.colFeat[j], d.colVal[j]
		var s xsum
		if id >= 0 {
			sy := pt.sy[f][id]
			s.Add(sy.hi)
			s.Add(sy.lo)
			s.AddMulInt(-ybar, pt.cnt[f][id])
		} else {
			for v, c := range pt.cnt[f] {
				if c > 0 {
					x, sy := d.xt[f][v], pt.sy[f][v]
					s.AddProd(x, sy.hi)
					s.AddProd(x, sy.lo)
					s.AddProdInt(-x, ybar, c)
				}
			}
		}
		s.AddProd(-d.m[j], r)
		d.b[j] = s.Float64()
	}
}

// constantTarget reports whether b = 0, i.e. β = 0 solves the normal equations (for example a
// constant target with an intercept).
func (d *design) constantTarget() bool {
	return !slices.ContainsFunc(d.b, func(v float64) bool { return v != 0 })
}

// mulVec sets out = A v = S v − N m (mᵀv) for the centred normal matrix, one CSR row per output
// entry (rows split over GOMAXPROCS goroutines when large; each row's sum is in column order, so
// the result does not depend on the split). Inactive columns of v must be 0; they are 0 in out.
func (d *design) mulVec(out, v []float64) {
	var mv float64
	if d.intercept {
		for j, mj := range d.m {
			mv += mj * v[j]
		}
	}
	rows := func(lo, hi int) {
		for j := lo; j < hi; j++ {
			if !d.act[j] {
				out[j] = 0
				continue
			}
			var s float64
			for t := d.rowPtr[j]; t < d.rowPtr[j+1]; t++ {
				s += d.val[t] * v[d.colIdx[t]]
			}
			out[j] = s - d.cs[j]*mv
		}
	}
	// About 256k nonzeros per goroutine: below that the goroutines cost more than they save.
	workers := min(runtime.GOMAXPROCS(0), max(1, len(d.val)/(1<<18)))
	if workers == 1 {
		rows(0, d.p)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { rows(w*d.p/workers, (w+1)*d.p/workers) })
	}
	wg.Wait()
}

// removeFieldNull moves β to the minimum-Euclidean-norm point of β + null(A)
// for the collinearities that one-hot coding always creates (see doc.go):
//
// With an intercept, each categorical field's dummies sum to 1, so after
// centring u_f (ones on field f's columns) is in null(A) for every field, and
// these vectors have disjoint supports: the projection subtracts each field's
// mean coefficient.
//
// Without an intercept, every vector r with X r = 1 represents the constant
// column: u_f for each categorical field, and e_j/c for a numeric column that
// is constant c ≠ 0. Differences of representers are in null(A). Minimising
// ‖β − Σ_i c_i r_i‖² subject to Σ_i c_i = 0 gives, with t_i = r_iᵀβ,
// w_i = ‖r_i‖², λ = Σ(t_i/w_i) / Σ(1/w_i): c_i = (t_i − λ)/w_i.
func (d *design) removeFieldNull(beta []float64) {
	nc := len(d.catField)
	if d.intercept {
		sum := make([]float64, nc)
		cnt := make([]float64, nc)
		fieldPos := d.catPos()
		for j := range d.p {
			if q := fieldPos[d.colFeat[j]]; q >= 0 && d.colVal[j] >= 0 {
				sum[q] += beta[j]
				cnt[q]++
			}
		}
		for j := range d.p {
			if q := fieldPos[d.colFeat[j]]; q >= 0 && d.colVal[j] >= 0 {
				beta[j] -= sum[q] / cnt[q]
			}
		}
		return
	}
	type rep struct {
		t, w float64
		cat  int     // categorical field position, or -1
		col  int     // numeric column
		c    float64 // numeric constant
	}
	var reps []rep
	fieldPos := d.catPos()
	sum := make([]float64, nc)
	cnt := make([]float64, nc)
	for j := range d.p {
		if q := fieldPos[d.colFeat[j]]; q >= 0 {
			sum[q] += beta[j]
			cnt[q]++
		}
	}
	for q := range nc {
		reps = append(reps, rep{t: sum[q], w: cnt[q], cat: q})
	}
	for q, i := range d.numField {
		if d.nconst[q] && d.cval[q] != 0 {
			j := int(d.colOf[i][0])
			c := d.cval[q]
			reps = append(reps, rep{t: beta[j] / c, w: 1 / (c * c), cat: -1, col: j, c: c})
		}
	}
	if len(reps) < 2 {
		return
	}
	var num, den float64
	for _, r := range reps {
		num += r.t / r.w
		den += 1 / r.w
	}
	lambda := num / den
	shift := make([]float64, nc)
	for _, r := range reps {
		ci := (r.t - lambda) / r.w
		if r.cat >= 0 {
			shift[r.cat] = ci
		} else {
			beta[r.col] -= ci / r.c
		}
	}
	for j := range d.p {
		if q := fieldPos[d.colFeat[j]]; q >= 0 {
			beta[j] -= shift[q]
		}
	}
}

// catPos maps a feature index to its position in catField, or -1.
func (d *design) catPos() []int {
	pos := make([]int, len(d.kind))
	for i := range pos {
		pos[i] = -1
	}
	for q, i := range d.catField {
		pos[i] = q
	}
	return pos
}

// model builds the Linear for coefficients beta (indexed by column) and computes the fit
// statistics exactly for the coefficients it stores (see residualSS).
func (d *design) model(beta []float64) *Linear {
	mo := d.mo
	m := &Linear{
		Target:       mo.Target,
		Features:     slices.Clone(mo.Features),
		FitIntercept: d.intercept,
		Numeric:      map[string]float64{},
		Categorical:  map[string]map[string]float64{},
	}
	for j, c := range beta {
		f := mo.Features[d.colFeat[j]]
		if d.colVal[j] < 0 {
			m.Numeric[f] = c
			continue
		}
		vs := m.Categorical[f]
		if vs == nil {
			vs = map[string]float64{}
			m.Categorical[f] = vs
		}
		vs[mo.vals[d.colFeat[j]][d.colVal[j]]] = c
	}
	for q, i := range d.numField {
		if m.Means == nil {
			m.Means = map[string]float64{}
		}
		m.Means[mo.Features[i]] = d.raw[q]
	}
	// ŷ = ȳ + Σ_j β_j (x̃_j − m_j) with x̃ = x − x̄ on numeric columns, so
	// intercept = ȳ − Σ_numeric β_f (x̄_f + m_f) − Σ_dummy β_j m_j.
	if d.intercept {
		m.Intercept = d.ybar
		for j, c := range beta {
			if d.colVal[j] < 0 {
				q := slices.Index(d.numField, d.colFeat[j])
				m.Intercept -= (d.raw[q] + d.m[j]) * c
			} else {
				m.Intercept -= d.m[j] * c
			}
		}
	}
	ssRes := max(0, d.residualSS(m.Intercept, beta))
	var t xsum // SStot = Σ(y − ȳ)² = Σy² − 2ȳΣy + Nȳ², exactly
	t.AddSum(&d.pt.sq)
	t.AddProd(-2*d.ybar, d.pt.sum.hi)
	t.AddProd(-2*d.ybar, d.pt.sum.lo)
	t.AddProdInt(d.ybar, d.ybar, d.pt.n)
	ssTot := max(0, t.Float64())

	st := &m.Stats
	st.N, st.YMean, st.Columns = d.pt.n, d.ybar, d.p
	if mo.groups >= 0 {
		st.Groups = d.pt.groups // the distinct rows the fit used
	}
	st.Residual = d.residual
	st.Dropped = mo.Dropped()
	st.RMSE = math.Sqrt(ssRes / d.N)
	switch {
	case ssTot > 0:
		st.R2 = 1 - ssRes/ssTot
	case ssRes == 0: // sklearn r2_score convention for a constant target
		st.R2 = 1
	}
	for i, f := range mo.Features {
		if d.drop[i] {
			st.DroppedFields = append(st.DroppedFields, f)
		}
	}
	for _, i := range d.catField {
		if st.Categories == nil {
			st.Categories = map[string]int{}
		}
		for j := range d.p {
			if d.colFeat[j] == i {
				st.Categories[mo.Features[i]]++
			}
		}
	}
	return m
}

// residualSS returns Σ (y − ŷ)² over the kept rows for ŷ = β₀ + Σ_j β_j x_j (x raw: the value of
// a numeric field, 0/1 for a dummy), exactly for the given float coefficients, from the moments:
//
//	Σ(y − ŷ)² = Σy² − 2β₀Σy − 2Σ_j β_j Σx_j y + Nβ₀² + 2β₀ Σ_j β_j Σx_j + Σ_jk β_j β_k Σx_j x_k
//
// Every product is split exactly (TwoProduct) and summed in the superaccumulator, so the
// cancellation between these terms (they are ~SStot, the result may be 10⁻¹⁰ of it) costs nothing,
// and the figure is the one a pass over the rows in exact arithmetic would give.
func (d *design) residualSS(b0 float64, beta []float64) float64 {
	// term returns β_f·x for value id of field f as an exact pair (p, e): β_j for a dummy.
	term := func(f int, id int32) (float64, float64) {
		switch {
		case d.drop[f]:
			return 0, 0
		case d.kind[f] == kindNumeric:
			return twoProd(beta[d.colOf[f][0]], d.numVal[f][id])
		}
		return beta[d.colOf[f][id]], 0
	}
	var s xsum
	addResidualSS(&s, d.pt, len(d.mo.Features), b0, term)
	return s.Float64()
}

// addResidualSS adds Σ (y − ŷ)² over the rows of pattern pt to s, exactly, for ŷ = b0 + Σ_f t_f
// where term(f, id) = (p, e) is field f's term for value id as an exact sum p + e (0 for a field
// the model does not use, or a value it has not seen).
func addResidualSS(s *xsum, pt *momentPattern, k int, b0 float64, term func(f int, id int32) (float64, float64)) {
	s.AddSum(&pt.sq)
	s.AddProd(-2*b0, pt.sum.hi)
	s.AddProd(-2*b0, pt.sum.lo)
	s.AddProdInt(b0, b0, pt.n)
	terms := make([][2][]float64, k) // per field: id -> (p, e), computed once per value
	for f := range k {
		if pt.null[f] {
			continue
		}
		ps, es := make([]float64, len(pt.cnt[f])), make([]float64, len(pt.cnt[f]))
		for id, c := range pt.cnt[f] {
			if c == 0 {
				continue
			}
			p, e := term(f, int32(id))
			ps[id], es[id] = p, e
			sy := pt.sy[f][id]
			for _, t := range [2]float64{p, e} {
				if t == 0 {
					continue
				}
				s.AddProd(-2*t, sy.hi)
				s.AddProd(-2*t, sy.lo)
				s.AddProdInt(2*b0, t, c)
			}
			// (p + e)² per row of the value.
			s.AddProdInt(p, p, c)
			s.AddProdInt(2*p, e, c)
			s.AddProdInt(e, e, c)
		}
		terms[f] = [2][]float64{ps, es}
	}
	for f := range k {
		for h := f + 1; h < k; h++ {
			if pt.null[f] || pt.null[h] {
				continue
			}
			tf, th := terms[f], terms[h]
			for key, c := range pt.pairs[f*k+h].All() {
				a, b := splitPair(key)
				p1, e1, p2, e2 := tf[0][a], tf[1][a], th[0][b], th[1][b]
				if p1 == 0 && e1 == 0 || p2 == 0 && e2 == 0 {
					continue
				}
				s.AddProdInt(2*p1, p2, c)
				if e1 != 0 || e2 != 0 {
					s.AddProdInt(2*p1, e2, c)
					s.AddProdInt(2*e1, p2, c)
					s.AddProdInt(2*e1, e2, c)
				}
			}
		}
	}
}
