package commands

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awsrisk/app/splunkdtest"
	"awsrisk/app/table"
	"awsrisk/features/synth"
	"awsrisk/models"
	"awsrisk/models/incidenthistory"
	"awsrisk/scorer/incident"
)

// TestIncidentHistorySplunkWindow is the point of the IncidentHistory model. On a generated
// month scored by the local pipeline, `incidents` over only the last four hours (the hourly
// Splunk rule's -4h@h) with `history=` a model trained on every earlier event gives, for every
// incident starting in those hours, the same score and narrative as the whole-month run: habits,
// peer routine and the "never called before" sign-in rule see the same days. Without history= the
// same hours are judged without history and differ.
//
// What is compared, and why: an incident that starts before the cut and continues after it is one
// incident in the month run and a shorter one in the window run (a search only sees its window),
// and the principal's later incidents are cut differently too (the month run's 24h window limit
// closes it at another time), so the incidents compared are those starting at or after the cut,
// of principals without such a straddling incident. Exactness holds because the model
// learns the days of successful calls per event, as the Grouper learns them from its incidents
// (an incident spans at most 24h, so its calls fall on the days of its first and last call). A
// peer's incident still open at the cut is, in the month run, learned only when it closes; the
// model already holds its earlier part. On this month that changes no peer count (no API becomes
// a peer habit on that day); it could on another.
//
// With Splunk's ingest lag the model ends at -1d@d, the start of yesterday, not at the cut; that
// variant is reported (t.Log) and in the README, not asserted: a habit whose third day was
// yesterday is not yet one.
func TestIncidentHistorySplunkWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("scores a generated month with the binary")
	}
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Days, cfg.Users, cfg.Roles, cfg.EventsPerDay = 2718, 12, 25, 8, 2500 // ends on a Tuesday
	cfg.Variant = synth.VariantShifted
	var month bytes.Buffer
	require.NoError(t, synth.WriteCSV(&month, synth.Generate(cfg), nil))

	run := func(stdin []byte, args ...string) *table.Table {
		t.Helper()
		cmd := exec.Command(binPath, append([]string{"--models", dir, "--quiet"}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		require.NoError(t, cmd.Run(), "%v: %s", args, errb.String())
		tb, err := table.ParseTable(out.Bytes())
		require.NoError(t, err)
		return tb
	}
	scored := run(month.Bytes(), "pipeline", "--supervised", "")
	tc := scored.Col("_time")
	require.GreaterOrEqual(t, tc, 0)
	at := func(r []string) int64 {
		v, err := strconv.ParseFloat(r[tc], 64)
		require.NoError(t, err)
		return int64(v)
	}
	var last int64
	for _, r := range scored.Rows {
		last = max(last, at(r))
	}
	// The hourly search at 14:10 of the month's last day: it sees -4h@h to now, the events from
	// 10:00 to 14:00 (the busy hours); the month run is every event before 14:00.
	end := last/86400*86400 + 14*3600
	cut := end - 4*3600            // -4h@h
	lag := (cut/86400 - 1) * 86400 // -1d@d: where Splunk's training windows end
	split := func(lo, hi int64) []byte {
		part := &table.Table{Header: scored.Header}
		for _, r := range scored.Rows {
			if x := at(r); x >= lo && x < hi {
				part.Rows = append(part.Rows, r)
			}
		}
		return part.AppendCSV(nil)
	}
	window := split(cut, end)
	fit := func(name string, hi int64) {
		rep := run(split(0, hi), "fit", "IncidentHistory", "ct_risk_object", "into", name)
		require.Len(t, rep.Rows, 1)
	}
	fit("awsrisk_incident_history", cut)
	fit("history_lagged", lag)

	type row struct{ score, narrative string }
	straddling := map[string]bool{} // account/risk_object of the month run's incidents across the cut
	incidents := func(in []byte, args ...string) map[string]row {
		tb := run(in, append([]string{"incidents"}, args...)...)
		num := func(r []string, f string) int64 {
			v, err := strconv.ParseInt(r[tb.Col(f)], 10, 64)
			require.NoError(t, err)
			return v
		}
		who := func(r []string) string { return r[tb.Col("account")] + "/" + r[tb.Col("risk_object")] }
		for _, r := range tb.Rows {
			if num(r, "first_time") < cut && num(r, "last_time") >= cut {
				straddling[who(r)] = true // only the month run has these
			}
		}
		out := map[string]row{}
		for _, r := range tb.Rows {
			if num(r, "first_time") >= cut && !straddling[who(r)] {
				out[r[tb.Col("incident_id")]] = row{r[tb.Col("incident_score")], r[tb.Col("narrative")]}
			}
		}
		return out
	}
	whole := incidents(split(0, end))
	require.GreaterOrEqual(t, len(whole), 10, "the last hours hold incidents to compare")
	differ := func(got map[string]row) (n int, alerts [2]int) {
		for id, w := range whole {
			g, ok := got[id]
			require.True(t, ok, "incident %s of the month run is in the window run", id)
			if g != w {
				n++
			}
			if s, _ := strconv.Atoi(w.score); s >= 80 {
				alerts[0]++
			}
			if s, _ := strconv.Atoi(g.score); s >= 80 {
				alerts[1]++
			}
		}
		return n, alerts
	}

	withHistory := incidents(window, "history=awsrisk_incident_history")
	for id, w := range whole {
		require.Equal(t, w, withHistory[id], "incident %s: the window run with history judges as the month run", id)
	}
	n, alerts := differ(incidents(window))
	require.Positive(t, n, "without history the last hours are judged differently")
	t.Logf("%d incidents start in the last 4 hours; without history= %d of them score or read differently (alerts >= 80: month %d, window %d)",
		len(whole), n, alerts[0], alerts[1])
	n, alerts = differ(incidents(window, "history=history_lagged"))
	t.Logf("with the history ending at -1d@d (Splunk's ingest lag): %d differ (alerts >= 80: month %d, window %d)", n, alerts[0], alerts[1])
}

// TestIncidentsHistoryBadInputs: a history model not trained yet is a warning and the incidents
// are those without history; a model of another algorithm, a corrupt file and a bad name fail the
// search with the model named.
func TestIncidentsHistoryBadInputs(t *testing.T) {
	e := testEnv(t)
	for _, c := range []struct{ spl, want string }{
		{"incidents history=../x", "invalid model name"},
		{"incidents history=a:b", `you may only specify namespace "app"`},
	} {
		res, err := splunkdtest.Run(inProc(e), splunkdtest.Info(c.spl), &table.Table{}, nil)
		require.NoError(t, err, c.spl)
		require.Contains(t, res.Error, c.want, c.spl)
	}
	plain := incidentRows(t, e, "incidents", scoredEvents(), nil)

	res := incidentRows(t, e, "incidents history=awsrisk_incident_history", scoredEvents(), nil)
	require.Contains(t, res.Messages, [2]string{"WARN", `awsrisk incidents: history model "awsrisk_incident_history" is not trained yet: habits and peer routine are learned from this search's events only (its training search fills it)`})
	require.Equal(t, plain.Events, res.Events, "no history: the incidents of the search alone")

	_, err := splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(fitSPL, "linear")), testEvents(500, 1), nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(e.store.Dir, models.FileName("broken")), []byte(`{"format":"awsrisk-model","algorithm":"IncidentHistory","model":{"algorithm":"IncidentHistory","principals":{"x":{}}}}`), 0o644))
	for _, c := range []struct{ spl, want string }{
		{"incidents history=linear", `history=linear: model "linear" is a LinearRegression model, not IncidentHistory`},
		{"incidents history=broken", "history=broken:"},
	} {
		res, err := splunkdtest.Run(inProc(e), splunkdtest.Info(c.spl), scoredEvents(), nil)
		require.NoError(t, err, c.spl)
		require.Contains(t, res.Error, c.want, c.spl)
	}
}

// TestIncidentHistoryMapReduce: the training search's fit, with its map phase on 0, 1, 3 or 8
// indexers, as two partial_fit runs, or with features=all, writes the same model as one fit over
// all the raw events.
func TestIncidentHistoryMapReduce(t *testing.T) {
	e := testEnv(t)
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Days, cfg.Users, cfg.Roles, cfg.EventsPerDay = 2718, 5, 12, 4, 400
	var buf bytes.Buffer
	require.NoError(t, synth.WriteCSV(&buf, synth.Generate(cfg), nil))
	events, err := table.ParseTable(buf.Bytes())
	require.NoError(t, err)
	const spl = "fit IncidentHistory ct_risk_object into %s"
	body := func(name string) string {
		f, err := e.store.Load(name)
		require.NoError(t, err)
		return string(f.Body)
	}
	_, err = splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(spl, "whole")), events, nil)
	require.NoError(t, err)
	want := body("whole")
	require.Contains(t, want, `"bits"`, "the model learned days")
	for _, k := range []int{0, 1, 3, 8} {
		name := fmt.Sprintf("mr_%d", k)
		res, err := splunkdtest.MapReduce(inProc(e), splunkdtest.Info(fmt.Sprintf(spl, name)), events, k, []int{0, 7, 1, 997})
		require.NoError(t, err)
		require.Empty(t, res.Error)
		require.JSONEq(t, want, body(name), "%d indexers", k)
	}
	// features=all derives ct_risk_object at fit; the model, reading raw events, normalises the
	// principal as score does: the two agree.
	_, err = splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(spl, "derived")+" features=all"), events, nil)
	require.NoError(t, err)
	require.JSONEq(t, want, body("derived"), "features=all learns the same model")
	half := len(events.Rows) / 2
	older := &table.Table{Header: events.Header, Rows: events.Rows[:half]}
	newer := &table.Table{Header: events.Header, Rows: events.Rows[half:]}
	_, err = splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(spl, "inc")), newer, nil)
	require.NoError(t, err)
	res, err := splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(spl, "inc")+" partial_fit=true"), older, nil)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	require.JSONEq(t, want, body("inc"), "partial_fit of the older half onto the newer")
}

// TestIncidentHistoryEveryWindow extends TestIncidentHistorySplunkWindow to every 4-hour window
// of the last four days of a generated 12-day world, in process: each window's incidents with a
// history of every earlier event equal the run over every event up to the window's end (same
// exclusions), and the figures with no history and with the history Splunk has (ending at
// -1d@d) are logged.
func TestIncidentHistoryEveryWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("scores a generated month with the binary")
	}
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Days, cfg.Users, cfg.Roles, cfg.EventsPerDay = 2718, 12, 25, 8, 2500
	cfg.Variant = synth.VariantShifted
	var month bytes.Buffer
	require.NoError(t, synth.WriteCSV(&month, synth.Generate(cfg), nil))
	cmd := exec.Command(binPath, "--models", dir, "--quiet", "pipeline", "--supervised", "")
	cmd.Stdin = &month
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), errb.String())
	scored, err := table.ParseTable(out.Bytes())
	require.NoError(t, err)

	// The events as incidents reads them, in time order, and each row's getter for the model.
	type rowEv struct {
		ev  incident.Event
		get func(string) string
	}
	var evs []rowEv
	for _, r := range scored.Rows {
		get := withPrincipal(scored.Header, func(i int) string { return r[i] })
		ev, ok := incident.EventFromRecord(get)
		require.True(t, ok)
		evs = append(evs, rowEv{ev, get})
	}
	slices.SortStableFunc(evs, func(a, b rowEv) int { return a.ev.Time.Compare(b.ev.Time) })
	before := func(t0 time.Time) int {
		n, _ := slices.BinarySearchFunc(evs, t0, func(x rowEv, t time.Time) int { return x.ev.Time.Compare(t) })
		return n
	}
	events := func(lo, hi int) []incident.Event {
		out := make([]incident.Event, 0, hi-lo)
		for _, x := range evs[lo:hi] {
			out = append(out, x.ev)
		}
		return out
	}
	history := func(hi int) []incident.PrincipalHistory {
		u, err := models.NewUnsupervised(incidenthistory.Algorithm, models.Spec{Fields: []string{"ct_risk_object"}})
		require.NoError(t, err)
		for _, x := range evs[:hi] {
			u.Add(x.get)
		}
		return u.(*incidenthistory.Model).History()
	}

	last := evs[len(evs)-1].ev.Time.Truncate(24 * time.Hour)
	var compared, windows, alertsMonth int
	var differ, alerts [2]int // no history, history ending at -1d@d
	var changed []string      // alerts gained or lost without history
	for cut := last.AddDate(0, 0, -3); !cut.After(last.Add(20 * time.Hour)); cut = cut.Add(4 * time.Hour) {
		end := cut.Add(4 * time.Hour)
		lo, hi := before(cut), before(end)
		month, _ := incident.GroupAll(events(0, hi), incident.Config{})
		straddling := map[string]bool{}
		for _, in := range month {
			if in.First.Before(cut) && !in.Last.Before(cut) {
				straddling[in.Account+"/"+in.RiskObject] = true
			}
		}
		want := map[string]incident.Incident{}
		for _, in := range month {
			if !in.First.Before(cut) && !straddling[in.Account+"/"+in.RiskObject] {
				want[in.ID] = in
			}
		}
		window := func(h []incident.PrincipalHistory) map[string]incident.Incident {
			ins, _ := incident.GroupAll(events(lo, hi), incident.Config{History: h})
			got := map[string]incident.Incident{}
			for _, in := range ins {
				got[in.ID] = in
			}
			return got
		}
		exact := window(history(lo))
		none := window(nil)
		lagged := window(history(before(cut.Truncate(24*time.Hour).AddDate(0, 0, -1))))
		for id, w := range want {
			g, ok := exact[id]
			require.True(t, ok, "window %v: incident %s", cut, id)
			require.Equal(t, w.Score, g.Score, "window %v: %s of %s", cut, id, w.RiskObject)
			require.Equal(t, w.Narrative, g.Narrative, "window %v: %s", cut, id)
			require.Equal(t, w.Evidence, g.Evidence, "window %v: %s: the same evidence, habits weighted alike", cut, id)
			if w.Score >= 80 {
				alertsMonth++
			}
			for i, other := range []map[string]incident.Incident{none, lagged} {
				o := other[id]
				if o.Score != w.Score || o.Narrative != w.Narrative {
					differ[i]++
				}
				if o.Score >= 80 {
					alerts[i]++
				}
				if i == 0 && (o.Score >= 80) != (w.Score >= 80) {
					changed = append(changed, fmt.Sprintf("%s %d -> %d without history", w.RiskObject, w.Score, o.Score))
				}
			}
		}
		compared += len(want)
		windows++
	}
	require.Positive(t, differ[0], "without history some incidents are judged differently")
	t.Logf("%d windows, %d incidents compared: with the history of every earlier event all equal the month run (%d alerts >= 80); "+
		"without history %d differ (%d alerts: %v); with the history ending at -1d@d %d differ (%d alerts)",
		windows, compared, alertsMonth, differ[0], alerts[0], changed, differ[1], alerts[1])
}
