package commands

import (
	"bufio"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"awsrisk/app"

	"awsrisk/app/table"
	"awsrisk/cmd/internal/cloudtrail"
	"awsrisk/models"
	"awsrisk/scorer"
)

// pipelineCmd: `awsrisk pipeline [--history FILE]... [--batch 24h] [--baselines m,...] < events > scored.csv`:
// the whole risk pipeline without Splunk, written in input order with ai_risk_score,
// ai_threat_category, risk_reasons and the Enterprise Security risk fields.
//
// It is prequential: the events are taken in _time order in batches of --batch (default one
// day); each batch is scored with the baselines learned from the history and the earlier
// batches only, then merged into them (partial_fit). So no event is part of its own baseline,
// and the first batch of a new tenant is judged by the supervised models alone (the baselines
// abstain: they have learned nothing yet). --history files are learned up front, then the input
// continues prequentially. --batch 0 fits the baselines on the history (by default the input
// itself) and scores everything against that: the attack is then part of its own baseline, which
// is kept for comparison only. _time is derived from eventTime when absent; without either, the
// input is one batch (with a WARN).
//
// Progress goes to stderr (progress, nil when --quiet): one line per stage. No input field is
// overwritten: when an output field the pipeline writes (e.g. Enterprise Security's risk_score)
// is already an input field (a labelled set's risk_score), the input keeps its values and the
// pipeline's go to awsrisk_<field>, with a note on stderr.
func (e *env) pipelineCmd(args []string, stdin io.Reader, stdout, stderr, progress io.Writer, input string) error {
	fs := flag.NewFlagSet("pipeline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		help([]string{SubPipeline}, stdout)
		fmt.Fprintln(stdout, "\nFlags (after pipeline):")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	var history []string
	fs.Func("history", "CSV or CloudTrail JSON file to learn the baselines from before the input (repeatable)", func(s string) error {
		history = append(history, s)
		return nil
	})
	supervised := fs.String("supervised", "awsrisk_console,awsrisk_apicall", "supervised models to apply from the model folder (comma-separated; empty for none)")
	explain := fs.Int("explain", 3, "risk_reasons per event")
	batch := fs.Duration("batch", 24*time.Hour, "prequential batch, aligned to the epoch (24h = UTC days): each batch of events (by _time) is scored against the baselines learned before it, then learned; 0 = fit on the history (default the input) up front")
	incidents := fs.Bool("incidents", true, "group the scored events into incidents (awsrisk incidents mode=events): every event gets incident_id and incident_score, and an event carrying risk of its own takes its incident's score as ai_risk_score (its own in ai_event_risk_score); false: the combined event score alone")
	var defaults []string
	for _, b := range Baselines {
		if b.Pipeline && !b.OptIn {
			defaults = append(defaults, b.Model)
		}
	}
	baselines := fs.String("baselines", strings.Join(defaults, ","), "baseline models to learn and combine (comma-separated; empty for none; choices: "+strings.Join(pipelineBaselines(), ", ")+")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // the help was asked for, and printed on stdout by fs.Usage
		}
		return usageError{err}
	}
	say := func(format string, a ...any) {
		if progress != nil {
			fmt.Fprintf(progress, "awsrisk: pipeline: "+format+"\n", a...)
		}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("pipeline: unexpected argument %q (flags only; the events come on stdin or --input)", fs.Arg(0))}
	}
	if *batch < 0 {
		return usageError{fmt.Errorf("pipeline: --batch must be 0 or positive, got %s", *batch)}
	}
	var chosen []Baseline
	for _, name := range strings.Split(*baselines, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		b, ok := baselineNamed(name)
		if !ok || !b.Pipeline {
			return usageError{fmt.Errorf("pipeline: --baselines: unknown baseline %q (choices: %s)", name, strings.Join(pipelineBaselines(), ", "))}
		}
		chosen = append(chosen, b)
	}
	events, err := ReadEvents(stdin, input)
	if err != nil {
		return err
	}
	say("read %d events from %s", len(events.Rows), nameOf(input))
	times, timed := EventTimes(events)
	if !timed {
		fmt.Fprintf(stderr, "awsrisk: %s: pipeline: the events have neither _time nor eventTime: they are scored as one batch, and the sequence and first-seen logic cannot order them\n", app.LevelWarn)
	}
	var sup []scorer.Component
	for _, name := range strings.Split(*supervised, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		f, err := e.store.Load(name)
		if err != nil {
			return fmt.Errorf("pipeline: supervised model: %w (train it, or pass --supervised '')", err)
		}
		say("supervised model %s: %s", name, f.Source)
		c, err := scorer.LoadComponent(f, "", nil)
		if err != nil {
			return err
		}
		sup = append(sup, c)
	}
	// Baselines are learned into a scratch folder: they describe this history, not the app's models.
	tmp, err := os.MkdirTemp("", "awsrisk-pipeline")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	be := &env{store: models.Store{Dir: tmp}, now: e.now, stderr: stderr}
	var hist []*table.Table
	if len(history) == 0 && *batch == 0 {
		hist = []*table.Table{events}
	}
	for _, h := range history {
		t, err := ReadEvents(nil, h)
		if err != nil {
			return err
		}
		if _, ok := EventTimes(t); !ok {
			fmt.Fprintf(stderr, "awsrisk: %s: pipeline: history %q has neither _time nor eventTime\n", app.LevelWarn, h)
		}
		hist = append(hist, t)
		say("read %d history events from %s", len(t.Rows), nameOf(h))
	}
	learn := func(tables []*table.Table) error {
		for _, b := range chosen {
			spl := b.SPL()
			if _, err := be.store.Load(b.Model); err == nil {
				spl += " partial_fit=true"
			}
			if err := be.runFit(spl, tables, stderr); err != nil {
				return fmt.Errorf("pipeline: %s: %w", b.Model, err)
			}
		}
		return nil
	}
	if len(hist) > 0 {
		say("fitting baselines %s on the history", strings.Join(baselineNames(chosen), ", "))
		if err := learn(hist); err != nil {
			return err
		}
	}
	step := int64(batch.Seconds())
	if !timed || step == 0 {
		step = 0
	}
	var (
		results []*table.Table
		msgs    [][2]string
	)
	order := make([]int, len(events.Rows))
	for i := range order {
		order[i] = i
	}
	if step > 0 {
		// Rows without a time go last, in input order, scored against everything before them.
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(times[a], times[b]) })
	}
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for step > 0 && hi < len(order) && bucket(times[order[hi]], step) == bucket(times[order[lo]], step) {
			hi++
		}
		if step == 0 {
			hi = len(order)
		}
		part := &table.Table{Header: events.Header, Rows: make([][]string, 0, hi-lo)}
		for _, i := range order[lo:hi] {
			part.Rows = append(part.Rows, events.Rows[i])
		}
		comps := slices.Clone(sup)
		for _, b := range chosen {
			f, err := be.store.Load(b.Model)
			if err != nil {
				continue // nothing learned yet: this baseline abstains on the first batch
			}
			c, err := scorer.LoadComponent(f, "", nil)
			if err != nil {
				return err
			}
			comps = append(comps, c)
		}
		var out app.Output
		if len(comps) == 0 {
			if len(chosen) == 0 {
				return usageError{fmt.Errorf("pipeline: no model to apply (pass --supervised or --baselines)")}
			}
			comps = []scorer.Component{{Name: "baselines", S: nothingYet{}}}
		}
		h, _, err := e.pipeline(comps, scorer.Options{Explain: *explain, RBA: true, Scoped: true, RBAFloor: scorer.DefaultRBAFloor, CIM: true}, nil)
		if err != nil {
			return err
		}
		if err := h.Execute(part, true, &out); err != nil {
			return err
		}
		// The supervised components are shared by every batch, so their last counts cover the
		// whole input; the last batch's messages are the ones reported.
		msgs = out.Messages()
		res, err := table.ParseTable(out.Body())
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		results = append(results, res)
		if step > 0 && len(chosen) > 0 && hi < len(order) {
			if err := learn([]*table.Table{part}); err != nil {
				return err
			}
		}
		lo = hi
	}
	say("scored %d events in %d batches", len(order), len(results))
	for _, m := range msgs {
		io.WriteString(stderr, app.FormatMessage("awsrisk", m[0], m[1]))
	}
	scored, err := mergeInOrder(results, order)
	if err != nil {
		return err
	}
	final, moved := keepInputFields(events, scored)
	for _, f := range moved {
		fmt.Fprintf(stderr, "awsrisk: pipeline: the input already has a %s field; it is kept, and the pipeline's %s is in awsrisk_%s\n", f, f, f)
	}
	if *incidents {
		if final, err = e.incidentEvents(final, stderr); err != nil {
			return err
		}
		say("grouped the events into incidents")
	}
	if err := writeTable(stdout, final); err != nil {
		return err
	}
	say("wrote %d scored events", len(final.Rows))
	return nil
}

// incidentEvents is `| awsrisk incidents mode=events` over the scored events: the pipeline's
// last stage, as in Splunk's `awsrisk_pipeline | awsrisk incidents`.
func (e *env) incidentEvents(scored *table.Table, stderr io.Writer) (*table.Table, error) {
	h, err := parseIncidents(&Command{Sub: SubIncidents, Params: map[string]string{"mode": eventsMode}})
	if err != nil {
		return nil, err
	}
	h.e = e
	var out app.Output
	if err := h.Execute(scored, true, &out); err != nil {
		return nil, fmt.Errorf("pipeline: incidents: %w", err)
	}
	for _, m := range out.Messages() {
		io.WriteString(stderr, app.FormatMessage("awsrisk", m[0], m[1]))
	}
	t, err := table.ParseTable(out.Body())
	if err != nil {
		return nil, fmt.Errorf("pipeline: incidents: %w", err)
	}
	return t, nil
}

// nothingYet scores the first batch when no supervised model is applied and the baselines have
// learned nothing yet: every event 0, and the reason says why.
type nothingYet struct{}

func (nothingYet) Fields() []string  { return nil }
func (nothingYet) Outputs() []string { return nil }
func (nothingYet) Score(func(string) string, []string) models.Risk {
	return models.Risk{Reasons: []models.Reason{{Text: "no baseline learned yet: the first batch is what they learn from"}}}
}

// bucket is the prequential batch of time t: floor(t/step).
func bucket(t float64, step int64) int64 {
	if math.IsInf(t, 1) {
		return math.MaxInt64
	}
	return int64(math.Floor(t / float64(step)))
}

// baselineNames lists the models of bs, for progress lines.
func baselineNames(bs []Baseline) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Model
	}
	return out
}

// mergeInOrder puts the scored batches back in input order: results hold the rows of order in
// sequence. Batches scored before a baseline had learned anything lack its columns; the header is
// the union (in the order of the widest batch) and missing cells are empty.
func mergeInOrder(results []*table.Table, order []int) (*table.Table, error) {
	var header []string
	for _, r := range results {
		if len(r.Header) > len(header) {
			header = r.Header
		}
	}
	seen := map[string]bool{}
	for _, h := range header {
		seen[h] = true
	}
	for _, r := range results {
		for _, h := range r.Header {
			if !seen[h] {
				seen[h] = true
				header = append(header, h)
			}
		}
	}
	rows := make([][]string, len(order))
	k := 0
	for _, r := range results {
		idx := make([]int, len(header))
		for j, h := range header {
			idx[j] = r.Col(h)
		}
		for _, row := range r.Rows {
			out := make([]string, len(header))
			for j, c := range idx {
				if c >= 0 {
					out[j] = row[c]
				}
			}
			rows[order[k]] = out
			k++
		}
	}
	if k != len(order) {
		return nil, fmt.Errorf("pipeline: %d rows scored for %d events", k, len(order))
	}
	return &table.Table{Header: header, Rows: rows}, nil
}

// writeTable writes t as CSV, flushing every 64 KiB.
func writeTable(w io.Writer, t *table.Table) error {
	bw := bufio.NewWriter(w)
	buf := table.AppendRecord(nil, t.Header)
	for _, row := range t.Rows {
		if len(buf) > 1<<16 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		buf = table.AppendRecord(buf, row)
	}
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// keepInputFields is the pipeline's output with every input field as the input had it: an output
// column that replaced an input field's values is restored, and the pipeline's values move to
// awsrisk_<field>. The protocol's __mv_ columns are left out (a local CSV shows a multivalue field
// as its values joined by newlines, in the field itself). scored holds the input rows in order.
func keepInputFields(in, scored *table.Table) (*table.Table, []string) {
	out := &table.Table{}
	var moved []string
	type col struct{ src, in int }
	var cols []col
	for c, f := range scored.Header {
		if strings.HasPrefix(f, "__mv_") {
			continue
		}
		ic := in.Col(f)
		if ic >= 0 && changed(in, scored, ic, c) {
			out.Header = append(out.Header, f)
			cols = append(cols, col{src: -1, in: ic})
			moved = append(moved, f)
			continue
		}
		out.Header = append(out.Header, f)
		cols = append(cols, col{src: c, in: -1})
	}
	for _, f := range moved {
		out.Header = append(out.Header, "awsrisk_"+f)
		cols = append(cols, col{src: scored.Col(f), in: -1})
	}
	out.Rows = make([][]string, len(scored.Rows))
	for r, row := range scored.Rows {
		rec := make([]string, len(cols))
		for i, c := range cols {
			if c.in >= 0 {
				rec[i] = in.Rows[r][c.in]
			} else {
				rec[i] = row[c.src]
			}
		}
		out.Rows[r] = rec
	}
	return out, moved
}

// changed reports whether column sc of scored differs from column ic of in in any row.
func changed(in, scored *table.Table, ic, sc int) bool {
	if len(in.Rows) != len(scored.Rows) {
		return true
	}
	for r := range in.Rows {
		if in.Rows[r][ic] != scored.Rows[r][sc] {
			return true
		}
	}
	return false
}

// EventTimes returns each row's time in epoch seconds, from _time or else eventTime (RFC 3339, or
// zoneless read as UTC), +Inf when a row has neither; ok is false when no row has a time. When
// the table has no _time column it gets one, derived from eventTime, as Splunk would supply it.
func EventTimes(t *table.Table) (times []float64, ok bool) {
	times = make([]float64, len(t.Rows))
	tc, ec := t.Col("_time"), t.Col("eventTime")
	for i, row := range t.Rows {
		times[i] = math.Inf(1)
		if tc >= 0 {
			if f, err := strconv.ParseFloat(strings.TrimSpace(row[tc]), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				times[i], ok = f, true
				continue
			}
		}
		if ec >= 0 {
			if ts, good := parseEventTime(row[ec]); good {
				times[i], ok = float64(ts.UnixNano())/1e9, true
			}
		}
	}
	if tc < 0 && ok {
		rows := make([][]string, len(t.Rows))
		for i, row := range t.Rows {
			v := ""
			if !math.IsInf(times[i], 1) {
				v = strconv.FormatFloat(times[i], 'f', -1, 64)
			}
			rows[i] = append(row[:len(row):len(row)], v)
		}
		// A new Table: the old one's column index must not outlive its header.
		*t = table.Table{Header: append(t.Header[:len(t.Header):len(t.Header)], "_time"), Rows: rows}
	}
	return times, ok
}

func parseEventTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts, true
		}
	}
	return time.Time{}, false
}

// runFit runs one fit call over tables, as splunkd would send them: several chunks, the last one
// finished.
func (e *env) runFit(spl string, tables []*table.Table, stderr io.Writer) error {
	info := &app.GetInfo{Action: "getinfo", SearchInfo: app.SearchInfo{Args: strings.Fields(spl), App: "awsrisk", Command: "awsrisk"}}
	h, _, err := e.factory(info)
	if err != nil {
		return err
	}
	for i, t := range tables {
		var out app.Output
		if err := h.Execute(t, i == len(tables)-1, &out); err != nil {
			return err
		}
		for _, m := range out.Messages() {
			if m[0] == app.LevelWarn || m[0] == app.LevelError {
				io.WriteString(stderr, app.FormatMessage("awsrisk", m[0], m[1]))
			}
		}
	}
	return nil
}

// ReadEvents reads a whole CSV or CloudTrail JSON input (plain or gzip) into a table: from path,
// or from r when path is "" or "-".
func ReadEvents(r io.Reader, path string) (*table.Table, error) {
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	rc, err := cloudtrail.Open(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", nameOf(path), err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", nameOf(path), err)
	}
	t, err := table.ParseTable(data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", nameOf(path), err)
	}
	return t, nil
}

func nameOf(path string) string {
	if path == "" || path == "-" {
		return "stdin"
	}
	return fmt.Sprintf("%q", path)
}
