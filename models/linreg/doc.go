// Package linreg fits MLTK-compatible linear regressions on CloudTrail events
// from mergeable statistics.
//
// It replaces Splunk MLTK's `fit LinearRegression` (scikit-learn
// LinearRegression behind pandas one-hot encoding) with the same semantics but
// without MLTK's limits: no 100-value cap per categorical field, no sampling
// to 100,000 events, and statistics that merge across indexers.
//
// # Aggregated distinct rows
//
// An [Aggregate] stores one group per distinct combination of feature values:
// its row count n_g, the target sum Σy and the within-group sum of squares
// M2_g = Σ(y − ȳ_g)² (Welford's update for raw events, Chan–Golub–LeVeque's
// pairwise formula for merges). Field values are interned to int32 ids per
// field and a group is keyed by its packed ids. Raw events
// ([Aggregate.AddEvent]) and partial groups from a map phase
// ([Aggregate.AddGroup], with Σy and Σy²) feed the same table;
// [Aggregate.Merge] is an exact union; [Aggregate.EachGroup] emits the groups
// in a deterministic (sorted) order.
//
// Least squares over the rows equals weighted least squares over the groups
// with weights n_g and responses ȳ_g, because rows of a group share their
// design row: the normal equations (and so the whole solution set and its
// minimum-norm element) are identical.
//
// # MLTK semantics
//
// The rules follow mltk-parity.md §1.4 and §2:
//
//   - A value is null iff it is empty after trimming white space. A row with a
//     null target, a non-numeric target (including NaN, ±Inf and true/false),
//     or a null feature is left out and counted ([DropReport]). A feature that
//     is null in every row with a valid target is dropped from the fit, as
//     MLTK's drop_na_columns does ([FitStats.DroppedFields]).
//   - A feature is numeric when every kept value parses with
//     strconv.ParseFloat to a finite number, or every kept value is a
//     true/false literal (case-insensitive; pandas' bool dtype, read as 1/0).
//     Otherwise it is categorical and one-hot encoded over the values present,
//     all levels (no drop_first), column name field=value; a number in a
//     categorical field is just another category.
//   - Columns are in byte-wise lexicographic order of their names (pandas
//     sort_index(axis=1)); numeric columns are named by the field.
//   - The coefficients are the minimum-Euclidean-norm least-squares solution
//     (scikit-learn via LAPACK gelsd), so each categorical field's dummy
//     coefficients sum to 0 when there is an intercept, and an unseen value at
//     prediction time (all dummies 0) lands on the field's average level.
//
// # Cross-products (Moments)
//
// Every fit goes through [Moments]: the distinct rows (raw events, or a map phase's rows) are
// turned into cross-products with every field one-hot coded by value, merged with the map
// phases' cross-products, and solved from those ([FitLinear] is [FitMoments] of [MomentsOf]). Per
// null pattern they hold N, Σy, Σy², per value v its count n_v and Σy_v, and per pair of values
// of two fields the count of rows holding both. Counts are integers, Σy per value and per row a
// double-double sum checked to be exact, Σy² a fixed-point superaccumulator (xsum.go), so the
// merged statistics, and the model solved from them, do not depend on how the events were ordered
// or split over indexers: a map/reduce fit gives the single fit's model bit for bit.
//
// # Method
//
// With N rows, ȳ = Σy/N (rounded to nearest), numeric columns centred as x̃ = x − x̄ and dummy
// columns 0/1, the uncentred matrix S = Σ x̃ x̃ᵀ is sparse: a dummy's diagonal is its count, two
// dummies of different fields meet in their pair count, a numeric column's entries are exact sums
// over its values (Σ_v x̃_v n_{v,k}). With column sums s_j = Σ x̃_j and means m = s/N, the
// coefficients solve the centred normal equations (as sklearn centres X and y before lstsq)
//
//	A β = b,  A = S − N m mᵀ,  b_j = Σ x̃_j y − ȳ s_j − m_j (Σy − N ȳ)
//
// with b computed exactly and rounded once, and intercept = ȳ − Σ_numeric β_f (x̄_f + m_f) −
// Σ_dummy β_j m_j. Without an intercept m and ȳ are 0 and numeric columns are not centred. S is
// stored in compressed sparse rows in column order, so A v = S v − N m (mᵀv) is summed in an order
// that depends on the values only.
//
// Columns with A_jj = 0 (a constant numeric field, or a categorical field with
// a single value, under an intercept) get coefficient 0, which is what the
// minimum-norm solution gives them.
//
// Up to [DenseMaxColumns] columns the dense solver scales A to
// Ã = D^-½ A D^-½ (D = diag A), eigendecomposes it, treats eigenvalues below
// 1e-10·λ_max as null, takes the pseudo-inverse solution and removes its
// component in null(A) = D^-½ null(Ã). This is the exact minimum-norm solution
// for any rank deficiency.
//
// Above that, Jacobi-preconditioned conjugate gradient (Hestenes–Stiefel; Saad,
// Iterative Methods for Sparse Linear Systems, Alg. 9.1) runs from β = 0 until
// the scaled residual sqrt(rᵀD⁻¹r / bᵀD⁻¹b) ≤ 1e-12 (or stagnates; the true
// residual must then be ≤ 1e-8, otherwise [FitLinear] fails). A is singular
// but b ∈ range(A), and PCG from 0 converges to the solution minimising βᵀDβ.
// One-hot coding makes null(A) contain, for every categorical field f, the
// vector u_f of ones on f's dummies (each row has exactly one dummy of f, so
// X u_f = 1, which centring annihilates). These vectors have disjoint
// supports, so projecting onto their orthogonal complement — subtracting each
// field's mean coefficient — gives the Euclidean minimum-norm solution
// whenever they span null(A). Without an intercept the null directions are
// differences u_f − u_h (and e_j/c − u_f for a numeric column constant at
// c ≠ 0), projected out in closed form.
//
// When fields are collinear beyond that — a userIdentity.arn determines
// userIdentity.type, or two singleton values always occur together — null(A)
// is larger. PCG's solution is then still an exact least-squares solution
// (identical fitted values, R² and RMSE, and identical predictions for every
// combination of seen values), but its coefficients may differ from sklearn's
// along those extra null directions, and so may predictions with unseen
// values. The dense solver has no such caveat.
//
// scikit-learn itself is not reliable there: gelsd's rank cutoff (eps·σ_max)
// often keeps a rounding-level singular value of an exact one-hot null
// direction, and its coefficients then carry an arbitrary multiple of it
// (coefficients of 1e8–1e12 and predictions off by up to 1.2 in the golden test
// sets). This package returns the true minimum-norm solution, which is what
// sklearn returns when it finds the right rank (as in the MLTK documentation
// example).
//
// # Fit statistics
//
// For the stored coefficients (β₀ = intercept), exactly:
//
//	SSres = Σy² − 2β₀Σy − 2Σ_j β_j Σx_j y + Nβ₀² + 2β₀ Σ_j β_j Σx_j + Σ_jk β_j β_k Σx_j x_k
//	SStot = Σy² − 2ȳΣy + Nȳ²
//	R² = 1 − SSres/SStot,  RMSE = sqrt(SSres / N)
//
// Each product is split exactly (TwoProduct) and summed in the superaccumulator, so the
// cancellation between terms of size SStot costs nothing: the figures are what a pass over the
// rows in exact arithmetic gives for the stored model. (R² = 1 for a constant target fitted
// exactly, sklearn's r2_score convention.)
//
// # Prediction
//
// [Linear.Predict] computes intercept + Σ β_f x_f + Σ β_{f=value} with map
// lookups only and no allocation. A null value of a used feature, or a
// numeric feature that does not parse, gives no prediction (MLTK leaves the
// field empty). An unseen categorical value contributes 0 and is counted.
// [Linear.Contributions] also returns each feature's term.
//
// # Missing features: MLTK parity for the prediction, a score for every event
//
// The [Scorer] keeps MLTK's semantics for predicted(<target>) (or the `as`
// field): empty when a feature is null. Its risk (ai_risk_score) is always
// scored: [Linear.ContributionsImputed] lets each missing feature contribute
// its average term, β·x̄ for a numeric field and 0 for a categorical one (the
// average level, as for an unseen value), so one absent userAgent or MFA flag
// neither voids nor moves the event's score. The Scorer counts the missing
// events per feature ([Scorer.MissingByField]), and the pipeline reports them
// once per search in the job inspector. We keep the prediction empty rather
// than fill it so that `apply` stays a drop-in for MLTK's output; the risk is
// awsrisk's own field.
//
// # Capacity
//
// Measured on 2 cores: 1,000,000 events over 7 uniform synthetic fields (about
// 28,000 columns, 990,000 groups, nearly every value pair distinct) aggregate
// and fit in about 4 s with a 251 MiB peak heap (TestFitLarge); 10,000,000
// events of the benchmark's shape in 24–25 CPU-s and 730–820 MiB.
package linreg
