package commands

import (
	"awsrisk/models/fit"
	"awsrisk/models/linreg"
	"awsrisk/models/number"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"awsrisk/app"

	"awsrisk/app/table"
	"awsrisk/models"
)

// linearParams are the fit parameters LinearRegression accepts.
var linearParams = []string{"fit_intercept", "features", "holdout", "seed", "tz", "business_hours", "phase", "partial_fit", "sharing"}

type fitHandler struct {
	env      *env
	cmd      *Command
	info     *app.GetInfo
	mapPhase bool
	row      int64 // events consumed so far, to name a bad one

	target   string
	fields   []string        // model features, in the user's order; wildcards expanded at the first chunk
	patterns []string        // the user's field list when it has a wildcard ("userIdentity.*"), else nil
	late     map[string]bool // fields matching a pattern first seen after the expansion (warned once)
	derive   *deriver
	intercpt bool
	holdout  fit.Holdout

	train, test *linreg.Aggregate
	mom         *linreg.Moments        // moments from map phases (the train part)
	hm          *linreg.HoldoutMoments // and the test part's
	xs          []string
	started     time.Time
}

func (e *env) newFit(cmd *Command, info *app.GetInfo) (app.Handler, *app.Reply, error) {
	algo, unsup, ok := models.LookupAlgorithm(cmd.Algorithm)
	if !ok {
		return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: cmd.Algorithm, Msg: "unknown algorithm; supported: " + strings.Join(models.Algorithms(), ", ")}
	}
	if unsup {
		return e.newFitUnsupervised(cmd, info, algo)
	}
	cmd.Algorithm = algo
	fp, err := fit.ParseParams(cmd.Params, cmd.Model)
	var pe *fit.ParamError
	if fp.Partial || errors.As(err, &pe) && strings.HasPrefix(pe.Token, "partial_fit=") {
		return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: "partial_fit=" + cmd.Params["partial_fit"], Msg: "the LinearRegression algorithm does not support partial_fit; refit it on the whole window"}
	}
	if err := checkParams(cmd, linearParams...); err != nil {
		return nil, nil, err
	}
	if _, err := parseSharing(cmd); err != nil {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, syntaxError(cmd, err)
	}
	if len(cmd.Targets) != 1 || len(cmd.Fields) == 0 {
		return nil, nil, &SyntaxError{Sub: cmd.Sub, Msg: `LinearRegression expects exactly one target: "<target> from <field> ..."`}
	}
	if len(cmd.By) > 0 {
		// MLTK silently fits one global model; say so instead of pretending.
		return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: "by", Msg: "LinearRegression does not support by; fit one model per group with separate searches"}
	}
	h := &fitHandler{env: e, cmd: cmd, info: info, target: cmd.Targets[0], fields: dedupe(cmd.Fields), intercpt: true, started: e.now(),
		mapPhase: fp.MapPhase, holdout: fp.Holdout}
	for _, f := range h.fields {
		if f == h.target {
			return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: f, Msg: "the target cannot also be a feature"}
		}
		if strings.Contains(f, "*") {
			h.patterns = h.fields
		}
	}
	if v, ok := cmd.Params["fit_intercept"]; ok {
		if h.intercpt, err = models.ParseBool(v); err != nil {
			return nil, nil, fmt.Errorf("fit_intercept: %w", err)
		}
	}
	if h.derive, err = newDeriver(cmd.Params); err != nil {
		return nil, nil, err
	}
	if h.patterns != nil {
		// A wildcard field list ("from userIdentity.*", as MLTK allows) expands against the
		// events' own fields, so it cannot be known at getinfo: no required_fields (splunkd sends
		// every field) and no map phase (each indexer would expand against its own events and
		// their partial sums would not line up). The reduce expands once, at the first chunk of
		// events, and the model records the expanded list, which apply then uses as is.
		if h.mapPhase {
			return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: "phase=map", Msg: "a wildcard field list is expanded on the search head; it has no map phase"}
		}
		h.fields = nil
		return h, &app.Reply{Type: app.TypeReporting}, nil
	}
	h.expanded(h.fields)

	if h.mapPhase {
		// The map side is a streaming command that asks for the target and features only, so
		// splunkd puts it in selected-fields mode (scp-v2.md §4.3): it sends those fields plus
		// _chunked_idx, and merges each reply row back into the event its _chunked_idx names.
		// Execute flushes the statistics once per non-empty chunk then, as one row naming the
		// chunk's first event.
		return h, &app.Reply{Type: app.TypeStreaming, RequiredFields: h.mapRequiredFields()}, nil
	}
	return h, &app.Reply{
		Type:           app.TypeReporting,
		RequiredFields: h.requiredFields(),
		StreamingPreop: preop(info),
	}, nil
}

// expanded fixes the model's features and makes the aggregates.
func (h *fitHandler) expanded(fields []string) {
	h.fields = fields
	h.train = linreg.NewAggregate(h.target, h.fields)
	h.test = linreg.NewAggregate(h.target, h.fields)
	h.mom = linreg.NewMoments(h.target, h.fields)
	h.hm = linreg.NewHoldoutMoments(h.target, h.fields)
	h.xs = make([]string, len(h.fields))
}

// expand matches the wildcard patterns against the events' fields (header): each pattern's
// matches in header order, then deduplicated; a plain name is kept as given. Splunk's internal
// fields (_time, _raw, __mv_…) and the target never match a wildcard.
func (h *fitHandler) expand(header []string) error {
	var out []string
	for _, p := range h.patterns {
		if !strings.Contains(p, "*") {
			out = append(out, p)
			continue
		}
		n := 0
		for _, f := range header {
			if f == h.target || strings.HasPrefix(f, "_") || !wildcardMatch(p, f) {
				continue
			}
			out = append(out, f)
			n++
		}
		if n == 0 {
			return fmt.Errorf("the field pattern %q matches none of the events' fields (%d fields; names are case-sensitive)", p, len(header))
		}
	}
	h.expanded(dedupe(out))
	h.late = map[string]bool{}
	return nil
}

// lateFields lists the fields of header that match a pattern but are not features: they first
// appeared after the expansion (a sparse field missing from the first chunk).
func (h *fitHandler) lateFields(header []string) []string {
	var late []string
	for _, f := range header {
		if f == h.target || strings.HasPrefix(f, "_") || h.late[f] || slices.Contains(h.fields, f) {
			continue
		}
		for _, p := range h.patterns {
			if strings.Contains(p, "*") && wildcardMatch(p, f) {
				h.late[f] = true
				late = append(late, f)
				break
			}
		}
	}
	return late
}

// wildcardMatch is Splunk's field wildcard: * matches any run of characters, nothing else is special.
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p) && len(s) >= len(p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

// requiredFields: the target, the raw features, the derivation inputs, and the partial columns.
func (h *fitHandler) requiredFields() []string {
	out := []string{h.target}
	for _, f := range h.fields {
		out = append(out, f) // derived names too: partial rows from the map phase carry them
	}
	out = append(out, h.derive.inputs()...)
	out = append(out, linreg.PartialColumns...)
	return dedupe(out)
}

// mapRequiredFields: what the map phase reads from the events, the target, the raw features and
// the derivation inputs (a derived ct_* name is not an event field; asking for it is harmless).
func (h *fitHandler) mapRequiredFields() []string {
	out := append([]string{h.target}, h.fields...)
	return dedupe(append(out, h.derive.inputs()...))
}

// preop is the map phase splunkd runs before the reduce, on the indexers when it can: the user's
// own arguments (quoted as typed, from raw_args) plus phase=map.
func preop(info *app.GetInfo) string {
	args := info.SearchInfo.RawArgs
	if len(args) == 0 {
		args = quoteArgs(info.SearchInfo.Args)
	}
	return "awsrisk " + strings.Join(args, " ") + " phase=map"
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \t\"|[]") || a == "" {
			a = `"` + strings.ReplaceAll(a, `"`, `\"`) + `"`
		}
		out[i] = a
	}
	return out
}

func (h *fitHandler) Execute(in *table.Table, finished bool, out *app.Output) error {
	if h.patterns != nil && len(in.Rows) > 0 {
		if h.train == nil {
			if err := h.expand(in.Header); err != nil {
				return err
			}
			out.Info("awsrisk fit: %s expands to %d fields: %s", strings.Join(h.patterns, " "), len(h.fields), strings.Join(h.fields, " "))
		} else if late := h.lateFields(in.Header); len(late) > 0 {
			out.Warn("awsrisk fit: %s match the field list but appear only after the first chunk of events, which fixed the features; list them explicitly to use them", strings.Join(late, ", "))
		}
	}
	if h.train == nil { // a wildcard list before any event
		if finished {
			return fmt.Errorf("no events to fit %q: the search returned none", h.target)
		}
		return nil
	}
	if err := h.consume(in); err != nil {
		return err
	}
	if h.mapPhase {
		return h.flushMap(in, finished, out)
	}
	if !finished {
		return nil // reporting: reply {"finished":false} with an empty body until the end
	}
	return h.finish(out)
}

// flushMap writes the map phase's statistics. Without selected-fields mode (no _chunked_idx: a
// splunkd that ignored required_fields, or local mode) once, at the last chunk, so the output is
// the size of the shard's statistics. In selected-fields mode a reply row must name an event of
// the chunk it answers, and splunkd's last chunk is often empty (scp-v2.md §3.1), so the
// statistics of each non-empty chunk go out with it and the aggregates start again; each flush is
// bounded by the smaller of its chunk's distinct rows and its moments.
func (h *fitHandler) flushMap(in *table.Table, finished bool, out *app.Output) error {
	idx := in.Col("_chunked_idx")
	switch {
	case idx >= 0 && len(in.Rows) > 0:
		linreg.WritePartials(h.train, h.test, in.Rows[0][idx], out.SetHeader, out.WriteRow)
		h.expanded(h.fields)
	case idx < 0 && finished:
		linreg.WritePartials(h.train, h.test, "", out.SetHeader, out.WriteRow)
	}
	return nil
}

// consume adds every row of one chunk: partial rows from the map phase, or raw events.
func (h *fitHandler) consume(in *table.Table) error {
	if len(in.Rows) == 0 {
		return nil
	}
	tcol := in.Col(h.target)
	partials := linreg.NewPartialReader(in.Col, h.fields)
	rf := h.derive.fields(in)
	for r, row := range in.Rows {
		if partials.IsPartial(row) {
			if err := partials.Add(r, row, h.train, h.test, h.mom, h.hm); err != nil {
				return err
			}
			continue
		}
		rf.at(row)
		for i, f := range h.fields {
			h.xs[i] = rf.get(f)
		}
		y := ""
		if tcol >= 0 {
			y = row[tcol]
		}
		h.row++
		if err := h.checkFinite(y, h.xs); err != nil {
			return err
		}
		if h.holdout.Test(y, h.xs) {
			h.test.AddEvent(y, h.xs)
		} else {
			h.train.AddEvent(y, h.xs)
		}
	}
	return nil
}

// finish fits, evaluates on the holdout, saves the model and writes the fit report.
func (h *fitHandler) finish(out *app.Output) error {
	// One path for every fit: the distinct rows (raw events, or partials in that form) become
	// moments, merged with the map phases' moments; the model is solved from those.
	mo := linreg.MomentsOf(h.train)
	h.train = nil // the distinct rows are not needed any more: let the solver have the memory
	if !h.mom.Empty() {
		if err := mo.Merge(h.mom); err != nil {
			return err
		}
	}
	d := mo.Dropped()
	if mo.Rows() == 0 {
		if d.Total > 0 && d.NullTarget == d.Total {
			return fmt.Errorf("target field %q is empty in all %d rows: check its spelling (field names are case-sensitive) and that the search returns it", h.target, d.Total)
		}
		return fmt.Errorf("no valid events to fit %q: %s; check for null or non-numeric values", h.target, describeDropped(d, d.Total))
	}
	if absent := mo.AbsentFeatures(); len(absent) > 0 {
		return fmt.Errorf("feature field %q is empty or missing in all %d rows that have a target: check its spelling (field names are case-sensitive) or remove it from the fields after \"from\"",
			absent[0], mo.Rows()+d.Total)
	}
	if v, over := mo.TargetOverflow(); over {
		return fmt.Errorf("target field %q has a value of magnitude %g: squares of values beyond %g overflow a float64, so R², RMSE and the fit are undefined; rescale the target first (e.g. | eval %s=%s/1e6)",
			h.target, v, linreg.MaxTargetSquareSafe, h.target, h.target)
	}
	m, err := linreg.FitMoments(mo, linreg.LinearOptions{FitIntercept: h.intercpt})
	if err != nil {
		return fmt.Errorf("fit LinearRegression: %w", err)
	}
	if d.Total > 0 {
		out.Warn("awsrisk fit: %s", describeDropped(d, mo.Rows()+d.Total))
	}
	if mo.Inexact() {
		// Targets spanning more than 106 bits (1e-20 beside 1e15): the sums are accurate to 2⁻¹⁰⁶
		// but no longer exact, so indexer splits may change the last digits.
		out.Info("awsrisk fit: the target's per-value sums were rounded (values of very different magnitudes); a fit split over other indexers may differ in the last digits")
	}
	if m.Stats.Residual > 0 {
		out.Warn("awsrisk fit: the solver stopped at relative residual %.2g over %d columns (about one column per row: is a field unique per event, like eventTime?); predictions are approximate",
			m.Stats.Residual, m.Stats.Columns)
	}
	ev := linreg.EvaluateAll(m, h.test, h.hm)
	saved, err := saveModel(h.env, h.cmd, h.info, out, func() (*models.File, error) { return h.save(m) })
	if err != nil {
		return err
	}
	r := []struct{ k, v string }{
		{"model", h.cmd.Model},
		{"algorithm", linreg.Name},
		{"target", h.target},
		{"features", strings.Join(h.fields, " ")},
		{"rows", strconv.FormatInt(m.Stats.N, 10)},
		{"rows_dropped", strconv.FormatInt(d.Total, 10)},
		{"groups", groupsText(m.Stats.Groups)},
		{"columns", strconv.Itoa(m.Stats.Columns)},
		{"r2", linreg.FormatStat(m.Stats.R2)},
		{"rmse", linreg.FormatStat(m.Stats.RMSE)},
		{"holdout_rows", strconv.FormatInt(ev.N, 10)},
		{"holdout_r2", linreg.FormatStat(ev.R2)},
		{"holdout_rmse", linreg.FormatStat(ev.RMSE)},
		{"solver", m.Stats.Solver},
		{"iterations", strconv.Itoa(m.Stats.Iterations)},
		{"seconds", strconv.FormatFloat(h.env.now().Sub(h.started).Seconds(), 'f', 3, 64)},
		{"saved", saved},
	}
	header := make([]string, len(r))
	vals := make([]string, len(r))
	for i, kv := range r {
		header[i], vals[i] = kv.k, kv.v
	}
	out.SetHeader(header)
	out.WriteRow(vals)
	return nil
}

func (h *fitHandler) save(m *linreg.Linear) (*models.File, error) {
	if h.holdout.Fraction > 0 {
		// Store the holdout figures with the model so summary can show them.
		ev := linreg.EvaluateAll(m, h.test, h.hm)
		m.Stats.Holdout = &ev
	}
	body, err := linreg.EncodeLinear(m)
	if err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	return &models.File{
		Name: h.cmd.Model, Algorithm: linreg.Name, Created: h.env.now().UTC(),
		Owner: ownerOf(h.info), App: appName,
		Target: h.target, Features: h.fields, Options: savedOptions(h.cmd), OutputName: h.cmd.As,
		Rows: m.Stats.N, Body: body,
	}, nil
}

// groupsText is the number of distinct feature combinations, or "" when the indexers' map phases
// shipped cross-products, which do not tell it.
func groupsText(g int) string {
	if g <= 0 {
		return ""
	}
	return strconv.Itoa(g)
}

func describeDropped(d linreg.DropReport, total int64) string {
	if d.Total == 0 {
		return fmt.Sprintf("0 of %d rows dropped", total)
	}
	var parts []string
	if d.NullTarget > 0 {
		parts = append(parts, fmt.Sprintf("%d with a null target", d.NullTarget))
	}
	if d.BadTarget > 0 {
		parts = append(parts, fmt.Sprintf("%d with a non-numeric target (first: %q)", d.BadTarget, d.FirstBadTarget))
	}
	for _, f := range slices.Sorted(maps.Keys(d.NullFeature)) {
		parts = append(parts, fmt.Sprintf("%d with a null %s", d.NullFeature[f], f))
	}
	return fmt.Sprintf("%d of %d rows dropped (%s)", d.Total, total, strings.Join(parts, ", "))
}

// saveModel saves the model with save when the call has `into <model>` and the results are final:
// a preview run of the search only says when the model will be saved. It returns the file's path.
func saveModel(e *env, cmd *Command, info *app.GetInfo, out *app.Output, build func() (*models.File, error)) (string, error) {
	switch {
	case cmd.Model == "":
		out.Info("awsrisk fit: model not saved; add into <name> to keep it")
		return "", nil
	case info.Preview:
		out.Info("awsrisk fit: preview results; model %q is saved when the search finishes", cmd.Model)
		return "", nil
	}
	sharing, err := parseSharing(cmd)
	if err != nil {
		return "", err
	}
	f, err := build()
	if err != nil {
		return "", err
	}
	f.Sharing = sharing
	return e.persist(f, info, out)
}

// ownerOf is the user a model file records as its owner.
func ownerOf(info *app.GetInfo) string {
	if u := info.SearchInfo.Username; u != "" {
		return u
	}
	return info.SearchInfo.Owner
}

// savedOptions are the call's parameters a model file keeps (for summary, listmodels and apply):
// all but the ones that only steer this one search.
func savedOptions(cmd *Command) map[string]string {
	opts := map[string]string{}
	for _, k := range cmd.Order {
		if k != "phase" && k != "partial_fit" && k != "sharing" {
			opts[k] = cmd.Params[k]
		}
	}
	return opts
}

// syntaxError shows a bad fit-level parameter as a syntax error of the call.
func syntaxError(cmd *Command, err error) error {
	var pe *fit.ParamError
	if errors.As(err, &pe) {
		return &SyntaxError{Sub: cmd.Sub, Token: pe.Token, Msg: pe.Msg}
	}
	return err
}

// checkFinite refuses a target or feature value that strconv reads as ±Inf or NaN (Inf, NaN, 1e400):
// Splunk would read it as a string, which would silently turn a numeric feature into a category
// or drop the row; it is almost always an upstream bug, so the error names field, row and value.
func (h *fitHandler) checkFinite(y string, xs []string) error {
	if number.NonFinite(y) {
		return fmt.Errorf("target field %q has the non-finite value %q in row %d: remove those rows or fix the value before fit (e.g. | where isnum(%s))", h.target, y, h.row, h.target)
	}
	for i, x := range xs {
		if number.NonFinite(x) {
			return fmt.Errorf("feature field %q has the non-finite value %q in row %d: remove those rows or fix the value before fit", h.fields[i], x, h.row)
		}
	}
	return nil
}
