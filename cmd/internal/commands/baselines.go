package commands

import (
	"maps"
	"slices"
	"strings"
)

// Baseline is one of the unsupervised models of the app: the fit that trains it. None ships
// trained: each tenant's training searches fill them. The saved searches, the search help and the
// dashboards repeat these fits; the test in
// product_test.go checks every copy against this table. The local pipeline runs them.
type Baseline struct {
	Model     string
	Algorithm string
	Fields    []string
	By        []string
	Params    map[string]string
	// Pipeline: the local pipeline fits it on the history (the others need events that the
	// pipeline does not make, such as hourly counts).
	Pipeline bool
	// OptIn: the local pipeline learns it only when --baselines names it. SequenceModel is
	// opt-in: on the honest synthetic worlds it lowers average precision (benign admins run the
	// same chains and rare orders of calls as attackers; README "Ablation").
	OptIn bool
}

// Baselines are the shipped unsupervised models: the unsupervised half of the combined pipeline.
var Baselines = []Baseline{
	{Model: "awsrisk_baseline", Algorithm: "CategoricalOutlier", Fields: []string{"sourceIPAddress", "awsRegion", "userAgent", "eventName"},
		By: []string{"ct_principal"}, Params: map[string]string{"features": "all"}, Pipeline: true},
	{Model: "awsrisk_sequence", Algorithm: "SequenceModel", Fields: []string{"eventName"}, By: []string{"ct_principal"},
		Params: map[string]string{"features": "all"}, Pipeline: true, OptIn: true},
	{Model: "awsrisk_hours", Algorithm: "DensityFunction", Fields: []string{"ct_hour"}, By: []string{"ct_principal"},
		Params: map[string]string{"features": "all"}, Pipeline: true},
	{Model: "awsrisk_identity", Algorithm: "IdentityNovelty", Fields: []string{"ct_principal"},
		Params: map[string]string{"features": "all"}, Pipeline: true},
	{Model: "awsrisk_api_volume", Algorithm: "DensityFunction", Fields: []string{"api_calls"}, By: []string{"userIdentity.arn"}},
	// The incidents' history (habits, peer routine), read by `awsrisk incidents history=`, not by
	// score: a local search over the whole month learns it in the search itself.
	// It reads raw events: no features=all, it normalises the principal as score does.
	{Model: "awsrisk_incident_history", Algorithm: "IncidentHistory", Fields: []string{"ct_risk_object"}},
}

// baselineNamed is the baseline that trains model name.
func baselineNamed(name string) (Baseline, bool) {
	for _, b := range Baselines {
		if b.Model == name {
			return b, true
		}
	}
	return Baseline{}, false
}

// pipelineBaselines names the baselines the local pipeline can learn.
func pipelineBaselines() []string {
	var names []string
	for _, b := range Baselines {
		if b.Pipeline {
			names = append(names, b.Model)
		}
	}
	return names
}

// SPL is the baseline's fit call: `fit <Algorithm> <field>... by <field>... [k=v...] into <model>`.
func (b Baseline) SPL() string {
	parts := append([]string{"fit", b.Algorithm}, b.Fields...)
	if len(b.By) > 0 {
		parts = append(append(parts, "by"), b.By...)
	}
	for _, k := range slices.Sorted(maps.Keys(b.Params)) {
		parts = append(parts, k+"="+b.Params[k])
	}
	return strings.Join(append(parts, "into", b.Model), " ")
}
