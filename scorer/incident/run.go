package incident

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Output columns written by Run, in order. Multivalue fields are "\n"-joined
// as in the plain column of a splunkd multivalue field.
var Columns = []string{
	"_time", "incident_id", "risk_object", "risk_object_type", "principal_kind", "account",
	"first_time", "last_time", "duration", "event_count", "incident_score", "ai_threat_category",
	"stages", "techniques", "denied_count", "sensitive_count", "distinct_apis", "src",
	"top_reasons", "event_ids", "narrative",
}

// Options configures Run.
type Options struct {
	Config
	// Presorted declares the input in time order (disorder under Gap is
	// absorbed); Run then streams with memory bounded by the open incidents.
	// Otherwise Run holds every event, sorts by time and then groups:
	// Splunk returns events newest first.
	Presorted bool
}

// Run reads scored events as CSV with a header from r and writes one row per
// incident (Columns) to w. Rows without a usable time are skipped and
// counted in the returned skipped.
func Run(r io.Reader, w io.Writer, opt Options) (skipped int, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, writeIncidents(w, nil)
	}
	if err != nil {
		return 0, fmt.Errorf("incidents: read header: %w", err)
	}
	col := newColumns(header)
	var rec []string
	get := func(f string) string { return col.get(rec, f) }
	g := NewGrouper(opt.Config)
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return 0, fmt.Errorf("incidents: write: %w", err)
	}
	emit := func(ins []Incident) error {
		for _, in := range ins {
			if err := cw.Write(Record(in)); err != nil {
				return fmt.Errorf("incidents: write: %w", err)
			}
		}
		return nil
	}
	var held []Event
	for {
		rec, err = cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return skipped, fmt.Errorf("incidents: read events: %w", err)
		}
		e, ok := EventFromRecord(get)
		if !ok || e.Principal.Object == "" {
			skipped++
			continue
		}
		if !opt.Presorted {
			held = append(held, e)
			continue
		}
		closed, err := g.Add(e)
		if err != nil {
			return skipped, err
		}
		if err := emit(closed); err != nil {
			return skipped, err
		}
	}
	slices.SortStableFunc(held, func(a, b Event) int { return cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()) })
	for _, e := range held {
		closed, err := g.Add(e)
		if err != nil {
			return skipped, err
		}
		if err := emit(closed); err != nil {
			return skipped, err
		}
	}
	if err := emit(g.Flush()); err != nil {
		return skipped, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return skipped, fmt.Errorf("incidents: write: %w", err)
	}
	return skipped, nil
}

func writeIncidents(w io.Writer, ins []Incident) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return fmt.Errorf("incidents: write: %w", err)
	}
	for _, in := range ins {
		if err := cw.Write(Record(in)); err != nil {
			return fmt.Errorf("incidents: write: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("incidents: write: %w", err)
	}
	return nil
}

// Record returns in as a row of Columns.
func Record(in Incident) []string {
	epoch := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	return []string{
		epoch(in.First), in.ID, in.RiskObject, in.RiskObjectType, in.PrincipalKind, in.Account,
		epoch(in.First), epoch(in.Last), strconv.FormatFloat(in.Duration().Seconds(), 'f', -1, 64),
		strconv.Itoa(in.EventCount), strconv.Itoa(in.Score), in.Category(),
		strings.Join(in.StageNames(), "\n"), strings.Join(in.Techniques, "\n"),
		strconv.Itoa(in.DeniedCount), strconv.Itoa(in.SensitiveCount), strconv.Itoa(in.DistinctAPIs),
		strings.Join(in.Sources, "\n"), strings.Join(in.TopReasons, "\n"), strings.Join(in.EventIDs, "\n"),
		in.Narrative,
	}
}

// Label columns appended by WriteLabels.
const (
	FieldLabel        = "risk_score"
	FieldLabelVerdict = "label_verdict"
	FieldLabelSource  = "label_source"
	FieldIncidentID   = "incident_id"
)

// WriteLabels joins events (CSV with header, as exported for training) with
// the verdicts of fb and writes the training rows: every input column plus
// risk_score (the label), label_verdict and label_source ("<scope>:<key> by
// <analyst>"). Only events some verdict applies to are written. An
// incident-scope verdict reaches an event through its incident_id column.
func WriteLabels(r io.Reader, w io.Writer, fb *Feedback) (rows int, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("labels: read header: %w", err)
	}
	col := newColumns(header)
	var rec []string
	get := func(f string) string { return col.get(rec, f) }
	cw := csv.NewWriter(w)
	out := append(slices.Clip(header), FieldLabel, FieldLabelVerdict, FieldLabelSource)
	if err := cw.Write(out); err != nil {
		return 0, fmt.Errorf("labels: write: %w", err)
	}
	for {
		rec, err = cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rows, fmt.Errorf("labels: read events: %w", err)
		}
		e, _ := EventFromRecord(get)
		l, ok := fb.Label(e, get(FieldIncidentID))
		if !ok {
			continue
		}
		row := make([]string, len(header), len(header)+3)
		copy(row, rec)
		src := l.Verdict.Scope + ":" + l.Verdict.Key
		if l.Verdict.Analyst != "" {
			src += " by " + l.Verdict.Analyst
		}
		row = append(row, strconv.FormatFloat(l.RiskScore, 'f', -1, 64), l.Verdict.Verdict, src)
		if err := cw.Write(row); err != nil {
			return rows, fmt.Errorf("labels: write: %w", err)
		}
		rows++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rows, fmt.Errorf("labels: write: %w", err)
	}
	return rows, nil
}

// MultivalueColumns are the Columns holding "\n"-joined multivalue fields;
// a protocol writer adds their "__mv_" encodings.
var MultivalueColumns = []string{"stages", "techniques", "src", "top_reasons", "event_ids"}

// Fields Annotate sets on every event.
const (
	FieldIncidentScore = "incident_score"
)

// Annotate reads scored events as CSV from r and writes them back in input
// order with incident_id, incident_score and ai_threat_category (the
// incident's highest-impact stage, replacing the event's own tactic) set:
// the per-event view of issue 11's "an event's category is its session's
// highest-impact stage". With cfg.LiftFloor > 0 an event carrying risk of its
// own takes its incident's score (LiftEvent; its own in ai_event_risk_score),
// as `awsrisk incidents mode=events` does. It holds every event in memory.
func Annotate(r io.Reader, w io.Writer, cfg Config) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("incidents: read header: %w", err)
	}
	rows, err := cr.ReadAll()
	if err != nil {
		return fmt.Errorf("incidents: read events: %w", err)
	}
	col := newColumns(header)
	out := slices.Clone(header)
	pos := func(f string) int {
		if i, ok := col[f]; ok {
			return i
		}
		out = append(out, f)
		return len(out) - 1
	}
	pID, pScore, pCat := pos(FieldIncidentID), pos(FieldIncidentScore), pos(FieldCategory)
	pRisk, pOwn, pReasons := -1, -1, -1
	if cfg.LiftFloor > 0 {
		if _, ok := col[FieldScore]; ok {
			pRisk, pOwn, pReasons = pos(FieldScore), pos(FieldEventScore), pos(FieldReasons)
		}
	}
	events := make([]Event, len(rows))
	for i, rec := range rows {
		events[i], _ = EventFromRecord(func(f string) string { return col.get(rec, f) })
	}
	ins, of := GroupAll(events, cfg)
	actors := EvidenceContexts(ins, events, of, cfg)
	cw := csv.NewWriter(w)
	if err := cw.Write(out); err != nil {
		return fmt.Errorf("incidents: write: %w", err)
	}
	row := make([]string, len(out))
	for i, rec := range rows {
		clear(row)
		copy(row, rec)
		if j := of[i]; j >= 0 {
			row[pID], row[pScore] = ins[j].ID, strconv.Itoa(ins[j].Score)
			row[pCat] = EventCategory(&ins[j], events[i].Tactic)
			if score, reasons, ok := LiftEvent(&ins[j], &events[i], cfg.LiftFloor, actors[j]); pRisk >= 0 && ok {
				row[pRisk] = strconv.FormatFloat(score, 'f', -1, 64)
				row[pOwn] = strconv.FormatFloat(events[i].Score, 'f', -1, 64)
				row[pReasons] = strings.Join(reasons, "\n")
			}
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("incidents: write: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("incidents: write: %w", err)
	}
	return nil
}

// columns maps a CSV header's field names to their positions.
type columns map[string]int

func newColumns(header []string) columns {
	c := make(columns, len(header))
	for i, h := range header {
		c[h] = i
	}
	return c
}

// get is field f of record rec, "" when the header or a short record lacks it.
func (c columns) get(rec []string, f string) string {
	if i, ok := c[f]; ok && i < len(rec) {
		return rec[i]
	}
	return ""
}
