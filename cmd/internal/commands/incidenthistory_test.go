package commands

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/app/splunkdtest"
	"awsrisk/app/table"
	"awsrisk/features/synth"
	"awsrisk/models"
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
		rep := run(split(0, hi), "fit", "IncidentHistory", "ct_risk_object", "into", name, "features=all")
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
// indexers, or as two partial_fit runs, writes the same model as one fit over all the events.
func TestIncidentHistoryMapReduce(t *testing.T) {
	e := testEnv(t)
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Days, cfg.Users, cfg.Roles, cfg.EventsPerDay = 2718, 5, 12, 4, 400
	var buf bytes.Buffer
	require.NoError(t, synth.WriteCSV(&buf, synth.Generate(cfg), nil))
	events, err := table.ParseTable(buf.Bytes())
	require.NoError(t, err)
	const spl = "fit IncidentHistory ct_risk_object features=all into %s"
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
