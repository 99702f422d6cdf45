// Package scorer applies a saved model to search results and explains each score.
//
// # Output fields
//
// For a LinearRegression model trained on target y, every input row gets:
//
//	predicted(y)        the model's prediction (or the name given with `as`), empty when a feature is null
//	ai_risk_score       the prediction rounded and clamped to 0..100, the scale of Splunk risk scores
//	ai_threat_category  the MITRE ATT&CK tactic of the event (features.Tactic), "none" for routine calls
//	risk_reasons        with explain=N: the N largest positive contributions in plain words, multivalue
//
// # Contributions
//
// A linear prediction is additive: ŷ = b₀ + Σ_f c_f(x_f). For a categorical field the
// contribution c_f is the coefficient of its value; because the coefficients of one field sum to
// zero (minimum-norm one-hot, see package models) it reads "how much this value moves the score
// away from the average value". For a numeric field c_f = β_f·(x_f − x̄_f), the move away from the
// training mean. risk_reasons lists the largest positive c_f, rounded, e.g.
// "eventName=StopLogging +38".
//
// Rows are never dropped: a row the model cannot score keeps its fields and gets empty outputs,
// and the counts are reported once, at the end, as inspector messages.
package scorer
