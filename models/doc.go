// Package models is the contract between the algorithms and the rest of awsrisk, and what they
// share:
//
//   - the contract: [Unsupervised] (fit by mergeable state: map, reduce and partial_fit are all
//     Merge), [Scorer] (apply, one event at a time) and its verdict, [Risk] with [Reason]s, and
//     [Applier], the Scorer as the scoring pipeline drives it over chunks ([AsApplier] adapts a
//     plain Scorer);
//   - the registry: every algorithm package registers itself from init with [Register]; the
//     blank import of awsrisk/models/all registers them all;
//   - shared helpers, so that every algorithm reads parameters ([ParamInt], [ParamFloat],
//     [ParseBool]), values ([ParseNumber], [IsNull]), _time ([Epoch]) and entities ([EntityKey])
//     the same way;
//   - the [Store] of saved model files.
//
// The algorithms are packages of their own under models/: linreg (LinearRegression), catoutlier
// (CategoricalOutlier), density (DensityFunction) and sequence (SequenceModel). Each owns its fit,
// its state codec, its scorer and its summary.
package models
