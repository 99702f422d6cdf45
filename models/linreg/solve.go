package linreg

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

const (
	// pcgTol is the relative residual at which PCG stops, measured in the
	// Jacobi-scaled norm sqrt(rᵀD⁻¹r / bᵀD⁻¹b) so that column units do not
	// matter. 1e-12 leaves predictions accurate to far better than 1e-6.
	pcgTol = 1e-12
	// pcgAccept is the largest true relative residual accepted when PCG stops
	// on stagnation before reaching pcgTol (rounding can prevent the last
	// digits); above it FitLinear fails rather than return a poor solution.
	pcgAccept = 1e-8
	// pcgSoftAccept is the largest residual returned with a warning (FitStats.Residual) rather
	// than an error.
	pcgSoftAccept = 1e-3
	// pcgStagnation is the number of iterations without a new best residual
	// after which PCG gives up improving.
	pcgStagnation = 50
	// pcgMaxIter caps the iterations. One-hot designs with Jacobi
	// preconditioning need tens to a few hundred (the within-field blocks of
	// A are diagonal up to the rank-one centring term).
	pcgMaxIter = 5000
	// denseRankTol is the relative eigenvalue of the Jacobi-scaled normal
	// matrix D^-½AD^-½ below which a direction counts as null. Exact
	// collinearities leave eigenvalues near machine epsilon times the largest;
	// 1e-10 keeps every direction with scaled singular value ratio above 1e-5.
	denseRankTol = 1e-10
)

// solvePCG solves A β = b by the Jacobi-preconditioned conjugate gradient
// method (Hestenes and Stiefel 1952; Saad, Iterative Methods for Sparse Linear
// Systems, 2nd ed., Algorithm 9.1) with M = D = diag(A) and β₀ = 0.
//
// A is positive semi-definite and b ∈ range(A) (b = X̃ᵀN(ȳ−ȳ1) lies in the
// range of X̃ᵀNX̃), so the system is consistent. PCG is CG on
// D^-½AD^-½ z = D^-½b with β = D^-½z; from z₀ = 0 every iterate stays in the
// range of that matrix, so the limit is the z of least Euclidean norm, i.e.
// the β minimising βᵀDβ among all solutions. removeFieldNull then moves it to
// the Euclidean minimum-norm solution.
func (d *design) solvePCG() (beta []float64, iters int, err error) {
	p := d.p
	minv := make([]float64, p)
	for j := range p {
		if d.act[j] {
			minv[j] = 1 / d.diag[j]
		}
	}
	x := make([]float64, p)
	r := make([]float64, p)
	copy(r, d.b)
	z := make([]float64, p)
	dir := make([]float64, p)
	q := make([]float64, p)
	rz := 0.0
	for j := range p {
		z[j] = minv[j] * r[j]
		rz += r[j] * z[j]
	}
	rz0 := rz
	if rz0 == 0 {
		return x, 0, nil
	}
	copy(dir, z)
	best, bestIt := 1.0, 0
	converged := false
	for iters = 1; iters <= pcgMaxIter; iters++ {
		d.mulVec(q, dir)
		pq := dot(dir, q)
		if !(pq > 0) { // breakdown: no descent left (or NaN)
			break
		}
		alpha := rz / pq
		rzNew := 0.0
		for j := range p {
			x[j] += alpha * dir[j]
			r[j] -= alpha * q[j]
			z[j] = minv[j] * r[j]
			rzNew += r[j] * z[j]
		}
		rel := math.Sqrt(rzNew / rz0)
		if rel <= pcgTol {
			converged = true
			break
		}
		if rel < best {
			best, bestIt = rel, iters
		} else if iters-bestIt >= pcgStagnation {
			break
		}
		g := rzNew / rz
		rz = rzNew
		for j := range p {
			dir[j] = z[j] + g*dir[j]
		}
	}
	iters = min(iters, pcgMaxIter)
	// Check the true residual b − Aβ, not the recurrence.
	d.mulVec(q, x)
	var res float64
	for j := range p {
		e := d.b[j] - q[j]
		res += e * e * minv[j]
	}
	rel := math.Sqrt(res / rz0)
	if (converged && rel <= 1e3*pcgTol) || rel <= pcgAccept {
		return x, iters, nil
	}
	if rel <= pcgSoftAccept {
		// Designs with about as many columns as rows (a unique value per event, like eventTime as
		// a category) stall CG short of pcgTol. The fit is still usable, so it is returned and the
		// residual reported, instead of failing the search as a hard error would.
		d.residual = rel
		return x, iters, nil
	}
	return nil, iters, fmt.Errorf("models: conjugate gradient did not converge: relative residual %.3g after %d iterations over %d columns", rel, iters, p)
}

func dot(x, y []float64) float64 {
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// solveDense returns the minimum-norm solution of A β = b exactly (what
// LAPACK gelsd gives sklearn) for a small number of columns.
//
// With S = D^-½ over the active columns, Ã = S A S = V Λ Vᵀ (symmetric
// eigendecomposition). Eigenvalues λ ≤ denseRankTol·λ_max are null:
// V = [V_r V_0]. A particular solution is β_p = S V_r Λ_r⁻¹ V_rᵀ S b, and
// null(A) = S·null(Ã) = span(S V_0). The minimum-norm solution is β_p with its
// component in null(A) removed: β = β_p − Q Qᵀβ_p, Q an orthonormal basis of
// S V_0 (QR). Scaling first makes the rank decision independent of column
// units; projecting afterwards makes the result the Euclidean minimum norm
// solution, including for collinearities between fields.
func (d *design) solveDense() ([]float64, error) {
	var act []int
	for j := range d.p {
		if d.act[j] {
			act = append(act, j)
		}
	}
	beta := make([]float64, d.p)
	k := len(act)
	if k == 0 {
		return beta, nil
	}
	pos := make([]int, d.p) // column -> position in act, or -1
	for j := range pos {
		pos[j] = -1
	}
	for i, j := range act {
		pos[j] = i
	}
	// A = S − N m mᵀ over the active columns, from the sparse S.
	A := mat.NewSymDense(k, nil)
	for i, j := range act {
		for t := d.rowPtr[j]; t < d.rowPtr[j+1]; t++ {
			if l := pos[d.colIdx[t]]; l >= i {
				A.SetSym(i, l, d.val[t])
			}
		}
	}
	sc := make([]float64, k)
	for i, j := range act {
		sc[i] = 1 / math.Sqrt(d.diag[j])
	}
	for i, ji := range act {
		for l := i; l < k; l++ {
			jl := act[l]
			v := A.At(i, l)
			if d.intercept {
				v -= d.cs[ji] * d.m[jl]
			}
			A.SetSym(i, l, v*sc[i]*sc[l])
		}
	}
	var eig mat.EigenSym
	if ok := eig.Factorize(A, true); !ok {
		return nil, fmt.Errorf("models: eigendecomposition of the %d×%d normal matrix failed", k, k)
	}
	lam := eig.Values(nil)
	var V mat.Dense
	eig.VectorsTo(&V)
	lmax := 0.0
	for _, l := range lam {
		lmax = max(lmax, l)
	}
	sb := make([]float64, k)
	for i, j := range act {
		sb[i] = sc[i] * d.b[j]
	}
	z := make([]float64, k)
	var null []int
	for e, l := range lam {
		if l <= denseRankTol*lmax {
			null = append(null, e)
			continue
		}
		var t float64
		for i := range k {
			t += V.At(i, e) * sb[i]
		}
		t /= l
		for i := range k {
			z[i] += V.At(i, e) * t
		}
	}
	bp := make([]float64, k)
	for i := range k {
		bp[i] = sc[i] * z[i]
	}
	if len(null) > 0 {
		N := mat.NewDense(k, len(null), nil)
		for c, e := range null {
			for i := range k {
				N.Set(i, c, sc[i]*V.At(i, e))
			}
		}
		var qr mat.QR
		qr.Factorize(N)
		var Q mat.Dense
		qr.QTo(&Q)
		Q0 := Q.Slice(0, k, 0, len(null))
		bv := mat.NewVecDense(k, bp)
		var t, u mat.VecDense
		t.MulVec(Q0.T(), bv)
		u.MulVec(Q0, &t)
		bv.SubVec(bv, &u)
	}
	for i, j := range act {
		beta[j] = bp[i]
	}
	return beta, nil
}
