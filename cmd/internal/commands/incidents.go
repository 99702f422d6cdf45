package commands

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"awsrisk/app"
	"awsrisk/app/table"
	"awsrisk/models"
	"awsrisk/models/incidenthistory"
	"awsrisk/scorer"
	"awsrisk/scorer/incident"
)

// Modes of `| awsrisk incidents mode=...`.
const (
	incidentsMode = "incidents" // one row per incident (transforming)
	eventsMode    = "events"    // every event back with incident_id, incident_score, ai_threat_category
)

// incidentParams are the parameters `awsrisk incidents` accepts.
var incidentParams = []string{"gap", "window", "threshold", "min_score", "mode", "feedback", "history", "lift"}

// incidentsHandler buffers every execute chunk and groups at the end: one principal's events are
// spread over the whole result set (and over indexers), so nothing can be emitted before
// finished:true. Memory is O(events) for mode=events (the rows are returned) and O(events) of
// small Event structs for mode=incidents.
type incidentsHandler struct {
	e         *env
	cfg       incident.Config
	mode      string
	threshold int
	feedback  string // lookup name, "" for none
	history   string // IncidentHistory model name, "" for none
	loaded    bool   // the feedback lookup and the history model were read (at the first execute)
	events    []incident.Event
	chunks    []*table.Table // mode=events: the rows to return, in input order
	skipped   int
}

// newIncidents answers getinfo for `| awsrisk incidents`. It only parses: the feedback lookup and
// the history model are read at the first execute, so getinfo probes touch no file.
func (e *env) newIncidents(cmd *Command, _ *app.GetInfo) (app.Handler, *app.Reply, error) {
	h, err := parseIncidents(cmd)
	if err != nil {
		return nil, nil, err
	}
	h.e = e
	fields := incident.RequiredFields()
	for _, f := range scorer.IdentityInputs() {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	reply := &app.Reply{Type: app.TypeReporting, RequiredFields: fields}
	if h.mode == eventsMode {
		// An events command gets every field anyway; required_fields only adds to them.
		reply.Type = app.TypeEvents
	}
	return h, reply, nil
}

func parseIncidents(cmd *Command) (*incidentsHandler, error) {
	if err := checkParams(cmd, incidentParams...); err != nil {
		return nil, err
	}
	h := &incidentsHandler{cfg: incident.DefaultConfig(), mode: incidentsMode}
	bad := func(k, msg string) error {
		return &SyntaxError{Sub: cmd.Sub, Token: k + "=" + cmd.Params[k], Msg: msg}
	}
	for _, k := range []string{"gap", "window"} {
		v, ok := cmd.Params[k]
		if !ok {
			continue
		}
		d, err := parseSpan(v)
		if err != nil {
			return nil, bad(k, fmt.Sprintf("%s must be a time span such as 30m, 2h or 1d: %v", k, err))
		}
		if k == "gap" {
			h.cfg.Gap = d
		} else {
			h.cfg.Window = d
		}
	}
	if h.cfg.Window < h.cfg.Gap {
		return nil, bad("window", fmt.Sprintf("window (%s) must be at least gap (%s): an incident spans at least one gap", h.cfg.Window, h.cfg.Gap))
	}
	if _, both := cmd.Params["threshold"]; both {
		if _, dup := cmd.Params["min_score"]; dup {
			return nil, bad("min_score", "threshold and min_score are the same parameter; give one")
		}
	}
	for _, k := range []string{"threshold", "min_score"} {
		v, ok := cmd.Params[k]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			return nil, bad(k, k+" must be an incident score from 0 to 100")
		}
		h.threshold = n
	}
	if v, ok := cmd.Params["mode"]; ok {
		switch strings.ToLower(v) {
		case incidentsMode, eventsMode:
			h.mode = strings.ToLower(v)
		default:
			return nil, bad("mode", `mode must be "incidents" (one row per incident) or "events" (every event with its incident_id)`)
		}
	}
	if h.mode == eventsMode && h.threshold > 0 {
		return nil, bad("threshold", "threshold applies to mode=incidents; with mode=events filter with | where incident_score >= N")
	}
	if v, ok := cmd.Params["lift"]; ok {
		on, err := models.ParseBool(v)
		switch {
		case err != nil:
			return nil, bad("lift", "lift must be true or false")
		case h.mode != eventsMode:
			return nil, bad("lift", "lift applies to mode=events (each event's ai_risk_score in its incident)")
		case !on:
			h.cfg.LiftFloor = 0
		}
	}
	if v, ok := cmd.Params["feedback"]; ok {
		if v == "" {
			return nil, bad("feedback", "feedback needs a lookup name, e.g. feedback=awsrisk_feedback")
		}
		h.feedback = v
	}
	if v, ok := cmd.Params["history"]; ok {
		if v == "" {
			return nil, bad("history", "history needs a model name, e.g. history=awsrisk_incident_history")
		}
		name, _, err := ParseModelName(cmd.Sub, v)
		if err != nil {
			return nil, err
		}
		h.history = name
	}
	return h, nil
}

// parseSpan reads a duration as Go (90m, 1h30m) or with a day unit (1d), as SPL spans are written.
func parseSpan(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, err
		}
		v = strconv.FormatFloat(days*24, 'f', -1, 64) + "h"
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", v)
	}
	return d, nil
}

// loadFeedback reads the analyst verdicts of lookup name from the model folder. A lookup that does
// not exist yet (no verdict given) is no feedback, not an error.
func (e *env) loadFeedback(name string) (*incident.Feedback, int, error) {
	data, err := e.store.ReadLookup(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	vs, err := incident.ReadFeedback(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("feedback lookup %q: %w", name, err)
	}
	return incident.NewFeedback(vs, incident.FeedbackOptions{}), len(vs), nil
}

// loadHistory reads the IncidentHistory model name. A model not trained yet (a fresh install
// whose training search has not run) is no history, not an error: nil, nil.
func (e *env) loadHistory(name string) ([]incident.PrincipalHistory, error) {
	f, err := e.store.Load(name)
	if errors.Is(err, models.ErrNoModel) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history=%s: %w", name, err)
	}
	hist, err := incidenthistory.FromFile(f)
	if err != nil {
		return nil, fmt.Errorf("history=%s: %w", name, err)
	}
	return hist, nil
}

func (h *incidentsHandler) Execute(in *table.Table, finished bool, out *app.Output) error {
	if !h.loaded && h.history != "" {
		hist, err := h.e.loadHistory(h.history)
		if err != nil {
			return err
		}
		if hist == nil {
			out.Warn("awsrisk incidents: history model %q is not trained yet: habits and peer routine are learned from this search's events only (its training search fills it)", h.history)
		} else {
			out.Info("awsrisk incidents: history of %d principals from %q", len(hist), h.history)
		}
		h.cfg.History = hist
	}
	if h.feedback != "" && !h.loaded {
		fb, n, err := h.e.loadFeedback(h.feedback)
		if err != nil {
			return err
		}
		if fb == nil {
			out.Info("awsrisk incidents: feedback lookup %q does not exist yet; no verdict applied", h.feedback)
		} else {
			out.Info("awsrisk incidents: %d analyst verdicts from %q applied", n, h.feedback)
		}
		h.cfg.Feedback = fb
	}
	h.loaded = true
	if len(in.Header) > 0 {
		var row []string
		get := withPrincipal(in.Header, func(i int) string {
			if i < len(row) {
				return row[i]
			}
			return ""
		})
		for _, row = range in.Rows {
			ev, ok := incident.EventFromRecord(get)
			if !ok || ev.Principal.Object == "" {
				h.skipped++
			}
			h.events = append(h.events, ev) // kept even when unusable: mode=events returns every row
		}
		if h.mode == eventsMode {
			h.chunks = append(h.chunks, in)
		}
	}
	if !finished {
		return nil // a reporting command answers non-final chunks with an empty body
	}
	ins, of := incident.GroupAll(h.events, h.cfg)
	if h.skipped > 0 {
		out.Warn("awsrisk incidents: %d of %d events have no usable time (_time or eventTime) or principal and belong to no incident", h.skipped, len(h.events))
	}
	if h.mode == eventsMode {
		return h.writeEvents(ins, of, out)
	}
	h.writeIncidents(ins, out)
	return nil
}

// writeIncidents writes one row per incident at or above the threshold, with splunkd's __mv_
// encoding for the multivalue columns.
func (h *incidentsHandler) writeIncidents(ins []incident.Incident, out *app.Output) {
	header := slices.Clone(incident.Columns)
	mvCol := make([]int, len(incident.MultivalueColumns))
	for i, f := range incident.MultivalueColumns {
		mvCol[i] = slices.Index(incident.Columns, f)
		header = append(header, "__mv_"+f)
	}
	out.SetHeader(header)
	rec := make([]string, len(header))
	for _, in := range ins {
		if in.Score < h.threshold {
			continue
		}
		n := copy(rec, incident.Record(in))
		for i, c := range mvCol {
			rec[n+i] = mvValue(rec[c])
		}
		out.WriteRow(rec)
	}
}

// mvValue is the __mv_ encoding of a "\n"-joined multivalue, "" for a single value.
func mvValue(s string) string {
	if !strings.Contains(s, "\n") {
		return ""
	}
	return table.EncodeMV(strings.Split(s, "\n"))
}

// writeEvents returns every event in input order with its incident's id and score and the
// incident's highest-impact stage as ai_threat_category; with lift (the default) an event that
// carries risk of its own takes its incident's score as ai_risk_score (incident.Lift), its own
// kept in ai_event_risk_score and the incident named first in risk_reasons. The header is the
// union of the chunks'.
func (h *incidentsHandler) writeEvents(ins []incident.Incident, of []int, out *app.Output) error {
	extra := []string{incident.FieldIncidentID, incident.FieldIncidentScore, incident.FieldCategory}
	lift := h.cfg.LiftFloor > 0 && hasField(h.chunks, incident.FieldScore)
	if lift {
		extra = append(extra, incident.FieldEventScore)
	}
	header, pos := unionHeader(h.chunks, extra...)
	pID, pScore, pCat := pos[incident.FieldIncidentID], pos[incident.FieldIncidentScore], pos[incident.FieldCategory]
	pCatMV, hasCatMV := pos["__mv_"+incident.FieldCategory]
	pRisk, pOwn := pos[incident.FieldScore], pos[incident.FieldEventScore]
	pReasons, hasReasons := pos[incident.FieldReasons]
	pReasonsMV, hasReasonsMV := pos["__mv_"+incident.FieldReasons]
	out.SetHeader(header)
	actors := incident.EvidenceContexts(ins, h.events, of, h.cfg)
	rec := make([]string, len(header))
	k := 0
	for _, t := range h.chunks {
		idx := make([]int, len(t.Header))
		for i, f := range t.Header {
			idx[i] = pos[f]
		}
		for _, row := range t.Rows {
			clear(rec)
			for i, v := range row {
				if i < len(idx) {
					rec[idx[i]] = v
				}
			}
			if j := of[k]; j >= 0 {
				in := &ins[j]
				rec[pID], rec[pScore] = in.ID, strconv.Itoa(in.Score)
				rec[pCat] = incident.EventCategory(in, h.events[k].Tactic)
				if hasCatMV {
					rec[pCatMV] = ""
				}
				if score, reasons, ok := incident.LiftEvent(in, &h.events[k], h.cfg.LiftFloor, actors[j]); lift && ok {
					rec[pRisk] = strconv.FormatFloat(score, 'f', -1, 64)
					rec[pOwn] = strconv.FormatFloat(h.events[k].Score, 'f', -1, 64)
					if hasReasons {
						rec[pReasons] = strings.Join(reasons, "\n")
						if hasReasonsMV {
							rec[pReasonsMV] = table.EncodeMV(reasons)
						}
					}
				}
			}
			out.WriteRow(rec)
			k++
		}
	}
	return nil
}

// hasField reports whether any buffered chunk has field f.
func hasField(chunks []*table.Table, f string) bool {
	for _, t := range chunks {
		if slices.Contains(t.Header, f) {
			return true
		}
	}
	return false
}

// unionHeader is the union of the buffered chunks' headers, in order of first appearance, then
// the extra output fields the input lacks; pos maps each field to its column.
func unionHeader(chunks []*table.Table, extra ...string) (header []string, pos map[string]int) {
	pos = map[string]int{}
	add := func(f string) {
		if _, ok := pos[f]; !ok {
			pos[f] = len(header)
			header = append(header, f)
		}
	}
	for _, t := range chunks {
		for _, f := range t.Header {
			add(f)
		}
	}
	for _, f := range extra {
		add(f)
	}
	return header, pos
}
