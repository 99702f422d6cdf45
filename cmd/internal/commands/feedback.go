package commands

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"awsrisk/app"
	"awsrisk/app/table"
	"awsrisk/scorer"
	"awsrisk/scorer/incident"
)

// defaultFeedbackLookup is the lookup `awsrisk feedback` appends to and `labels` and
// `score ... feedback=` read: lookups/awsrisk_feedback.csv (transforms.conf [awsrisk_feedback]).
var defaultFeedbackLookup = strings.TrimSuffix(incident.FeedbackFile, ".csv")

// maxNoteBytes caps an analyst's note: it is a reason text on later events, not a report.
const maxNoteBytes = 1024

// feedbackHandler appends one verdict to the feedback lookup when the search runs (never at
// getinfo: probes must not write) and returns it as one row.
type feedbackHandler struct {
	e      *env
	lookup string
	v      incident.Verdict
	done   bool
}

// newFeedback answers getinfo for `| awsrisk feedback verdict=... scope=... key=...`: a generating
// command, so stateful (it must run once, on the search head, scp-v2.md §2.1).
func (e *env) newFeedback(cmd *Command, info *app.GetInfo) (app.Handler, *app.Reply, error) {
	if err := checkParams(cmd, "verdict", "scope", "key", "behaviour", "behavior", "note", "analyst", "lookup"); err != nil {
		return nil, nil, err
	}
	bad := func(k, msg string) error {
		return &SyntaxError{Sub: cmd.Sub, Token: k + "=" + cmd.Params[k], Msg: msg}
	}
	p := cmd.Params
	v := incident.Verdict{Verdict: strings.ToLower(p["verdict"]), Scope: strings.ToLower(p["scope"]), Key: p["key"], Note: p["note"], Analyst: p["analyst"]}
	if v.Verdict != incident.Benign && v.Verdict != incident.Malicious {
		return nil, nil, bad("verdict", `verdict must be "benign" or "malicious"`)
	}
	switch v.Scope {
	case incident.ScopeEvent, incident.ScopeIncident, incident.ScopePrincipal:
	default:
		return nil, nil, bad("scope", `scope must be "event" (key=<eventID>), "incident" (key=<incident_id>) or "principal" (key=<risk_object>)`)
	}
	if strings.TrimSpace(v.Key) == "" {
		return nil, nil, bad("key", "key names what the verdict is about: an eventID, an incident_id or a risk_object")
	}
	if _, both := p["behaviour"]; both {
		if _, dup := p["behavior"]; dup {
			return nil, nil, bad("behavior", "behaviour and behavior are the same parameter; give one")
		}
	}
	v.Behaviour = firstOf(p["behaviour"], p["behavior"], incident.AnyBehaviour)
	if len(v.Note) > maxNoteBytes {
		return nil, nil, bad("note", fmt.Sprintf("note is %d bytes; keep it under %d", len(v.Note), maxNoteBytes))
	}
	for _, f := range []string{v.Key, v.Behaviour, v.Note, v.Analyst} {
		if strings.ContainsAny(f, "\r\n") {
			return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: f, Msg: "feedback values are one line each"}
		}
	}
	if v.Analyst == "" {
		v.Analyst = info.SearchInfo.Username
	}
	lookup := firstOf(p["lookup"], defaultFeedbackLookup)
	if _, err := e.store.LookupPath(lookup); err != nil {
		return nil, nil, bad("lookup", err.Error())
	}
	return &feedbackHandler{e: e, lookup: lookup, v: v}, generating(), nil
}

// firstOf returns the first non-empty value.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (h *feedbackHandler) Execute(_ *table.Table, finished bool, out *app.Output) error {
	if h.done {
		return nil
	}
	h.done = true
	h.v.Time = h.e.now().UTC()
	if err := h.e.appendVerdict(h.lookup, h.v); err != nil {
		return err
	}
	out.SetHeader(append([]string{"_time"}, incident.FeedbackColumns...))
	v := h.v
	out.WriteRow([]string{strconv.FormatInt(v.Time.Unix(), 10), v.Time.Format("2006-01-02T15:04:05Z"), v.Analyst, v.Scope, v.Key, v.Behaviour, v.Verdict, v.Note})
	out.Info("awsrisk feedback: %s verdict on %s %q written to lookup %s", v.Verdict, v.Scope, v.Key, h.lookup)
	out.Finish()
	return nil
}

// appendVerdict adds v to lookup name under the store's writer lock (two analysts recording
// verdicts at once both keep theirs): read, append, write to a temporary file and rename, so a
// concurrent reader (a scoring search) sees the lookup before or after, never half of it. Rows
// written by `| outputlookup append=t` from a dashboard action are read and kept.
func (e *env) appendVerdict(name string, v incident.Verdict) error {
	return e.store.UpdateLookup(name, func(data []byte, exists bool) ([]byte, error) {
		var vs []incident.Verdict
		if exists {
			var err error
			if vs, err = incident.ReadFeedback(bytes.NewReader(data)); err != nil {
				return nil, fmt.Errorf("feedback lookup %q: %w (fix or move it before adding verdicts)", name, err)
			}
		}
		vs = append(vs, v)
		var b bytes.Buffer
		if err := incident.WriteFeedback(&b, vs); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	})
}

// labelsHandler turns analyst verdicts into supervised training labels: every input event a
// verdict applies to gets risk_score (90 malicious, 0 benign), label_verdict and label_source.
// keep=all returns the other events too, unlabelled, so a training search can follow with its
// rule-based label macro (coalesce keeps the analyst's label).
type labelsHandler struct {
	e      *env
	lookup string
	keep   bool
	chunks []*table.Table // keep=labelled: every chunk until the last; keep=all: the current one

	fb       *incident.Feedback // read at the first execute
	verdicts int
	labelled int
}

// newLabels answers getinfo for `| awsrisk labels [feedback=<lookup>] [keep=labelled|all]`:
// reporting without required_fields, so it receives every field and returns rows for fit.
func (e *env) newLabels(cmd *Command, _ *app.GetInfo) (app.Handler, *app.Reply, error) {
	if err := checkParams(cmd, "feedback", "keep"); err != nil {
		return nil, nil, err
	}
	h := &labelsHandler{e: e, lookup: firstOf(cmd.Params["feedback"], defaultFeedbackLookup)}
	if _, err := e.store.LookupPath(h.lookup); err != nil {
		return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: "feedback=" + h.lookup, Msg: err.Error()}
	}
	switch k := cmd.Params["keep"]; k {
	case "", "labelled", "labeled":
	case "all":
		h.keep = true
	default:
		return nil, nil, &SyntaxError{Sub: cmd.Sub, Token: "keep=" + k, Msg: `keep must be "labelled" (only events with a verdict) or "all"`}
	}
	if h.keep {
		// Every event back with label columns: streaming, so a training search keeps fit's
		// map phase on the indexers (the lookup is in the knowledge bundle).
		return h, &app.Reply{Type: app.TypeStreaming}, nil
	}
	return h, &app.Reply{Type: app.TypeReporting}, nil
}

func (h *labelsHandler) Execute(in *table.Table, finished bool, out *app.Output) error {
	if h.fb == nil {
		fb, n, err := h.e.loadFeedback(h.lookup)
		if err != nil {
			return err
		}
		if fb == nil {
			out.Warn("awsrisk labels: feedback lookup %q does not exist yet: no analyst label", h.lookup)
			fb = incident.NewFeedback(nil, incident.FeedbackOptions{})
		}
		h.fb, h.verdicts = fb, n
	}
	if len(in.Header) > 0 {
		h.chunks = append(h.chunks, in)
	}
	if h.keep {
		// Streaming: this chunk's rows now, in order (splunkd merges them by position).
		h.write(out)
		h.chunks = h.chunks[:0]
		return nil
	}
	if !finished {
		return nil
	}
	h.write(out)
	out.Info("awsrisk labels: %d events labelled from %d analyst verdicts in %q", h.labelled, h.verdicts, h.lookup)
	return nil
}

// write writes the buffered chunks' rows with their labels (only labelled rows unless keep).
func (h *labelsHandler) write(out *app.Output) {
	fb := h.fb
	if len(h.chunks) == 0 {
		return
	}
	header, pos := unionHeader(h.chunks, incident.FieldLabel, incident.FieldLabelVerdict, incident.FieldLabelSource)
	pL, pV, pS := pos[incident.FieldLabel], pos[incident.FieldLabelVerdict], pos[incident.FieldLabelSource]
	out.SetHeader(header)
	rec := make([]string, len(header))
	for _, t := range h.chunks {
		idx := make([]int, len(t.Header))
		for i, f := range t.Header {
			idx[i] = pos[f]
		}
		var row []string
		get := withPrincipal(t.Header, func(i int) string { return row[i] })
		for _, row = range t.Rows {
			clear(rec)
			for i, v := range row {
				rec[idx[i]] = v
			}
			ev, _ := incident.EventFromRecord(get)
			l, ok := fb.Label(ev, get(incident.FieldIncidentID))
			if !ok && !h.keep {
				continue
			}
			if ok {
				src := l.Verdict.Scope + ":" + l.Verdict.Key
				if l.Verdict.Analyst != "" {
					src += " by " + l.Verdict.Analyst
				}
				rec[pL], rec[pV], rec[pS] = strconv.FormatFloat(l.RiskScore, 'f', -1, 64), l.Verdict.Verdict, src
				if p, ok := pos["__mv_"+incident.FieldLabel]; ok {
					rec[p] = ""
				}
				h.labelled++
			}
			out.WriteRow(rec)
		}
	}
}

// withPrincipal returns a field getter over one row of header (cell(i) is column i) that also
// answers ct_risk_object and ct_risk_object_type when the row lacks them, with the principal
// normalisation of score (scorer.PrincipalOf): verdicts are keyed on score's risk_object, so raw
// events must be matched on the same name (an SSO user, not its permission-set role).
func withPrincipal(header []string, cell func(i int) string) func(string) string {
	col := make(map[string]int, len(header))
	for i, f := range header {
		if _, dup := col[f]; !dup {
			col[f] = i
		}
	}
	raw := func(f string) string {
		if i, ok := col[f]; ok {
			return cell(i)
		}
		return ""
	}
	return func(f string) string {
		v := raw(f)
		if v == "" && (f == scorer.FieldCTRiskObject || f == scorer.FieldCTRiskObjectType) {
			obj, typ, _ := scorer.PrincipalOf(raw)
			if f == scorer.FieldCTRiskObject {
				return obj
			}
			return typ
		}
		return v
	}
}
