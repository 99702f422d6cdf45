package commands

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/app"
	"awsrisk/app/splunkdtest"
	"awsrisk/app/table"
	"awsrisk/scorer/incident"
)

// scoredEvents are scored CloudTrail events as `awsrisk score` leaves them, newest first as
// splunkd returns them: mallory lists users, creates a user and an access key for it (a known
// escalation chain); bob lists buckets twice, three hours apart (two quiet sessions). Times are
// after fixedClock, so verdicts given "now" apply to them.
func scoredEvents() *table.Table {
	const t0 = 1800000000
	t := &table.Table{Header: []string{"_time", "eventID", "eventName", "sourceIPAddress", "userIdentity.type",
		"userIdentity.arn", "userIdentity.accountId", "errorCode", "requestParameters.userName", "readOnly",
		"ai_risk_score", "ai_threat_category", "risk_reasons"}}
	add := func(dt int, id, name, ip, user, target, ro, score, reasons string) {
		t.Rows = append(t.Rows, []string{strconv.Itoa(t0 + dt), id, name, ip, "IAMUser",
			"arn:aws:iam::111122223333:user/" + user, "111122223333", "", target, ro, score, "", reasons})
	}
	add(0, "m1", "ListUsers", "203.0.113.7", "mallory", "", "true", "30", "eventName=ListUsers +20")
	add(60, "m2", "CreateUser", "203.0.113.7", "mallory", "backdoor", "false", "50", "eventName=CreateUser +30\nnew source IP +15")
	add(120, "m3", "CreateAccessKey", "203.0.113.7", "mallory", "backdoor", "false", "60", "eventName=CreateAccessKey +40")
	add(30, "b1", "ListBuckets", "10.0.0.5", "bob", "", "true", "4", "")
	add(90, "b2", "ListBuckets", "10.0.0.5", "bob", "", "true", "5", "")
	add(3*3600, "b3", "ListBuckets", "10.0.0.5", "bob", "", "true", "3", "")
	slices.Reverse(t.Rows)
	return t
}

// incidentRows runs `| awsrisk <spl>` over events in chunks of sizes and returns the rows.
func incidentRows(t *testing.T, e *env, spl string, events *table.Table, sizes []int) *splunkdtest.Result {
	t.Helper()
	res, err := splunkdtest.Run(inProc(e), splunkdtest.Info(spl), events, sizes)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	return res
}

func column(t *table.Table, f string) []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, r[t.Col(f)])
	}
	return out
}

// TestIncidentsChunks: the incidents command is reporting with required_fields, answers the
// non-final chunks with empty bodies, and gives the same incidents whatever the chunking
// (empty chunks included): mallory's chain is one incident at the alert threshold, bob's two
// quiet sessions are two low ones.
func TestIncidentsChunks(t *testing.T) {
	e := testEnv(t)
	events := scoredEvents()
	ref := incidentRows(t, e, "incidents", events, nil)
	require.Equal(t, app.TypeReporting, ref.GetInfo.Type)
	require.Contains(t, ref.GetInfo.RequiredFields, "ai_risk_score")
	require.Contains(t, ref.GetInfo.RequiredFields, "userIdentity.arn")
	require.Len(t, ref.Events.Rows, 3)
	require.Equal(t, []string{"mallory", "bob", "bob"}, sortedBy(ref.Events, "risk_object", "incident_score"))
	for _, r := range ref.Events.Rows {
		score, err := strconv.Atoi(r[ref.Events.Col("incident_score")])
		require.NoError(t, err)
		if r[ref.Events.Col("risk_object")] == "mallory" {
			require.GreaterOrEqual(t, score, 80, "a known chain puts the session at the alert threshold")
			require.Equal(t, "3", r[ref.Events.Col("event_count")])
			require.Equal(t, "m1\nm2\nm3", r[ref.Events.Col("event_ids")])
			mv, err := table.DecodeMV(r[ref.Events.Col("__mv_event_ids")])
			require.NoError(t, err)
			require.Equal(t, []string{"m1", "m2", "m3"}, mv, "multivalue columns carry splunkd's __mv_ encoding")
			require.Contains(t, r[ref.Events.Col("narrative")], "mallory")
		} else {
			require.Less(t, score, 20)
		}
	}
	for _, sizes := range [][]int{{0, 2, 0, 1}, {1}, {5, 0}} {
		res := incidentRows(t, e, "incidents", events, sizes)
		require.Equal(t, ref.Events.Header, res.Events.Header, "chunks %v", sizes)
		require.Equal(t, ref.Events.Rows, res.Events.Rows, "chunks %v", sizes)
		require.Equal(t, 1, countNonEmptyReplies(res), "only the final reply has rows")
	}
	high := incidentRows(t, e, "incidents threshold=80", events, []int{2})
	require.Equal(t, []string{"mallory"}, column(high.Events, "risk_object"))
	none := incidentRows(t, e, "incidents min_score=100", events, []int{2})
	require.Empty(t, none.Events.Rows)
	empty := incidentRows(t, e, "incidents", &table.Table{Header: events.Header}, []int{0})
	require.Empty(t, empty.Events.Rows)
}

// countNonEmptyReplies is 1 when the command kept its rows for the final reply (splunkdtest.Run
// already fails on a non-final reply with rows).
func countNonEmptyReplies(res *splunkdtest.Result) int {
	if len(res.Events.Rows) > 0 {
		return 1
	}
	return 0
}

// sortedBy lists field f of the rows ordered by numeric field by, highest first.
func sortedBy(t *table.Table, f, by string) []string {
	rows := slices.Clone(t.Rows)
	slices.SortStableFunc(rows, func(a, b []string) int {
		x, _ := strconv.Atoi(a[t.Col(by)])
		y, _ := strconv.Atoi(b[t.Col(by)])
		return y - x
	})
	var out []string
	for _, r := range rows {
		out = append(out, r[t.Col(f)])
	}
	return out
}

// TestIncidentsEventsMode: mode=events returns every event, in input order and unchanged, with
// its incident's id and score, and the incident's highest-impact stage as its category.
func TestIncidentsEventsMode(t *testing.T) {
	e := testEnv(t)
	events := scoredEvents()
	res := incidentRows(t, e, "incidents mode=events", events, []int{2, 0, 3})
	require.Equal(t, app.TypeEvents, res.GetInfo.Type)
	require.Len(t, res.Events.Rows, len(events.Rows))
	ids := map[string]map[string]bool{}
	cats := map[string]string{}
	for i, r := range res.Events.Rows {
		require.Equal(t, events.Rows[i][events.Col("eventID")], r[res.Events.Col("eventID")], "input order")
		user := strings.TrimPrefix(r[res.Events.Col("userIdentity.arn")], "arn:aws:iam::111122223333:user/")
		if ids[user] == nil {
			ids[user] = map[string]bool{}
		}
		ids[user][r[res.Events.Col("incident_id")]] = true
		require.NotEmpty(t, r[res.Events.Col("incident_score")])
		if user == "mallory" {
			cats[r[res.Events.Col("eventID")]] = r[res.Events.Col("ai_threat_category")]
		}
	}
	require.Len(t, ids["mallory"], 1)
	require.Len(t, ids["bob"], 2)
	require.Equal(t, cats["m3"], cats["m1"], "ListUsers takes the category of the session it belongs to")
	require.NotEqual(t, "discovery", cats["m1"])
}

// TestIncidentsEventsLift: in mode=events an event that carries risk of its own takes its
// incident's score (its own kept in ai_event_risk_score, the incident named first among its
// reasons, the __mv_ column rewritten with it); routine events keep theirs; running incidents
// again on the lifted events changes nothing; lift=false keeps every event's own score.
func TestIncidentsEventsLift(t *testing.T) {
	e := testEnv(t)
	events := scoredEvents()
	res := incidentRows(t, e, "incidents mode=events", events, []int{2, 0, 3})
	out := res.Events
	byID := map[string][]string{}
	for _, r := range out.Rows {
		byID[r[out.Col("eventID")]] = r
	}
	get := func(id, f string) string { return byID[id][out.Col(f)] }
	inc := get("m1", "incident_score")
	require.Equal(t, "88", inc, "mallory's chain")
	for _, id := range []string{"m1", "m2", "m3"} {
		require.Equal(t, inc, get(id, "ai_risk_score"), "%s takes its incident's score", id)
		require.True(t, strings.HasPrefix(get(id, "risk_reasons"), incident.LiftPrefix+get(id, "incident_id")), get(id, "risk_reasons"))
		mv, err := table.DecodeMV(get(id, "__mv_risk_reasons"))
		require.NoError(t, err)
		require.Equal(t, strings.Split(get(id, "risk_reasons"), "\n"), mv)
	}
	require.Equal(t, "30", get("m1", "ai_event_risk_score"))
	require.Contains(t, get("m2", "risk_reasons"), "new source IP +15", "the event's own reasons follow")
	for _, id := range []string{"b1", "b2", "b3"} {
		require.Equal(t, events.Rows[slices.IndexFunc(events.Rows, func(r []string) bool { return r[1] == id })][events.Col("ai_risk_score")],
			get(id, "ai_risk_score"), "%s: routine, not lifted", id)
		require.Empty(t, get(id, "ai_event_risk_score"))
	}

	again := incidentRows(t, e, "incidents mode=events", out, []int{len(out.Rows)})
	require.Len(t, again.Events.Rows, len(out.Rows))
	for i, r := range out.Rows {
		for c, f := range out.Header {
			require.Equal(t, r[c], again.Events.Rows[i][again.Events.Col(f)], "lifting lifted events changes nothing: row %d %s", i, f)
		}
	}

	off := incidentRows(t, e, "incidents mode=events lift=false", events, []int{6})
	require.Equal(t, -1, off.Events.Col("ai_event_risk_score"))
	require.Equal(t, column(events, "ai_risk_score"), column(off.Events, "ai_risk_score"))
}

// TestIncidentsBadOptions: each bad call is refused at getinfo with a message naming the
// parameter, before any event is read.
func TestIncidentsBadOptions(t *testing.T) {
	e := testEnv(t)
	for _, c := range []struct{ spl, want string }{
		{"incidents gap=soon", `(at "gap=soon")`},
		{"incidents gap=-5m", "gap must be a time span"},
		{"incidents window=30m", "window (30m0s) must be at least gap (1h0m0s)"},
		{"incidents threshold=101", "threshold must be an incident score from 0 to 100"},
		{"incidents threshold=50 min_score=60", "give one"},
		{"incidents mode=rows", `mode must be "incidents"`},
		{"incidents mode=events threshold=80", "threshold applies to mode=incidents"},
		{"incidents lift=false", "lift applies to mode=events"},
		{"incidents mode=events lift=maybe", "lift must be true or false"},
		{"incidents by=user", `unexpected parameter "by"`},
		{"incidents feedback=../../etc/passwd", `lookup name "../../etc/passwd"`},
		{"incidents extra", "takes no positional arguments"},
		{"feedback verdict=maybe scope=event key=e1", `verdict must be "benign" or "malicious"`},
		{"feedback verdict=benign scope=account key=e1", `scope must be "event"`},
		{"feedback verdict=benign scope=event", "key names what the verdict is about"},
		{"feedback verdict=benign scope=event key=e1 lookup=../x", `lookup name "../x"`},
		{"labels keep=some", `keep must be "labelled"`},
		{"score m rba_floor=high", "rba_floor must be a score from 0 to 100"},
	} {
		res, err := splunkdtest.Run(inProc(e), splunkdtest.Info(c.spl), &table.Table{}, nil)
		require.NoError(t, err, c.spl)
		require.Contains(t, res.Error, c.want, c.spl)
	}
	entries, err := os.ReadDir(e.store.Dir)
	require.NoError(t, err)
	require.Empty(t, entries, "refused calls write nothing")
}

// TestFeedbackProbeWritesNothing: getinfo-only probes of feedback (splunkd starts several per
// search) must not record the verdict; only the search itself does, once.
func TestFeedbackProbeWritesNothing(t *testing.T) {
	e := testEnv(t)
	spl := `feedback verdict=benign scope=principal key=bob note="backup job"`
	require.NoError(t, splunkdtest.Probe(inProc(e), splunkdtest.Info(spl), 3))
	require.NoError(t, splunkdtest.Probe(inProc(e), splunkdtest.Info("incidents feedback=awsrisk_feedback"), 2))
	entries, err := os.ReadDir(e.store.Dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

func readVerdicts(t *testing.T, e *env) []incident.Verdict {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.store.Dir, incident.FeedbackFile))
	require.NoError(t, err)
	vs, err := incident.ReadFeedback(bytes.NewReader(data))
	require.NoError(t, err)
	return vs
}

// TestFeedbackEndToEnd: verdicts given with `| awsrisk feedback` land in the lookup (appended,
// rows of a dashboard's outputlookup kept), a benign verdict discounts that principal's incident
// and a malicious one becomes a training label.
func TestFeedbackEndToEnd(t *testing.T) {
	e := testEnv(t)
	info := splunkdtest.Info(`feedback verdict=benign scope=principal key=mallory note="red team exercise"`)
	info.SearchInfo.Username = "ana"
	res, err := splunkdtest.Run(inProc(e), info, nil, nil)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	require.Equal(t, app.TypeStateful, res.GetInfo.Type)
	require.True(t, res.GetInfo.Generating)
	require.Len(t, res.Events.Rows, 1)
	require.Equal(t, "ana", res.Events.Rows[0][res.Events.Col("analyst")], "analyst defaults to the Splunk user")
	vs := readVerdicts(t, e)
	require.Len(t, vs, 1)
	require.Equal(t, incident.Verdict{Time: fixedClock(), Analyst: "ana", Scope: "principal", Key: "mallory", Behaviour: "*", Verdict: "benign", Note: "red team exercise"}, vs[0])

	// A row appended by a dashboard action (outputlookup append=t) is kept by the next verdict.
	f, err := os.OpenFile(filepath.Join(e.store.Dir, incident.FeedbackFile), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("2026-11-01T12:00:00Z,dash,event,b1,*,benign,from the dashboard\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	events := scoredEvents()
	plain := incidentRows(t, e, "incidents", events, []int{3})
	discounted := incidentRows(t, e, "incidents feedback=awsrisk_feedback", events, []int{3})
	score := func(r *splunkdtest.Result, who string) int {
		for _, row := range r.Events.Rows {
			if row[r.Events.Col("risk_object")] == who {
				n, _ := strconv.Atoi(row[r.Events.Col("incident_score")])
				return n
			}
		}
		t.Fatalf("no incident of %s", who)
		return 0
	}
	require.GreaterOrEqual(t, score(plain, "mallory"), 80)
	// A principal verdict discounts the events; the known chain (CreateUser -> CreateAccessKey)
	// is evidence of its own and still counts.
	require.Less(t, score(discounted, "mallory"), score(plain, "mallory"))
	require.Contains(t, strings.Join(column(discounted.Events, "top_reasons"), "\n"), "analyst marked benign on 2026-11-01: red team exercise")
	// An incident verdict discounts the whole incident, under the risk floor.
	id := ""
	for _, r := range plain.Events.Rows {
		if r[plain.Events.Col("risk_object")] == "mallory" {
			id = r[plain.Events.Col("incident_id")]
		}
	}
	res, err = splunkdtest.Run(inProc(e), splunkdtest.Info("feedback verdict=benign scope=incident key="+id), &table.Table{}, nil)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	discounted = incidentRows(t, e, "incidents feedback=awsrisk_feedback", events, []int{3})
	require.Less(t, score(discounted, "mallory"), 60, "a benign incident verdict takes it under the risk floor")

	res, err = splunkdtest.Run(inProc(e), splunkdtest.Info("feedback verdict=malicious scope=event key=m3 analyst=lee"), nil, nil)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	require.Len(t, readVerdicts(t, e), 4, "appended, the dashboard row kept")

	labels := incidentRows(t, e, "labels", events, []int{2, 0, 4})
	require.Equal(t, app.TypeReporting, labels.GetInfo.Type)
	got := map[string]string{}
	for _, r := range labels.Events.Rows {
		got[r[labels.Events.Col("eventID")]] = r[labels.Events.Col("risk_score")] + " " + r[labels.Events.Col("label_source")]
	}
	require.Equal(t, map[string]string{
		"m1": "0 principal:mallory by ana", "m2": "0 principal:mallory by ana",
		"m3": "90 event:m3 by lee", "b1": "0 event:b1 by dash",
	}, got, "event verdicts win over principal ones; unjudged events are left out")
	all, err := splunkdtest.Stream(inProc(e), splunkdtest.Info("labels keep=all"), events, []int{2, 0, 5})
	require.NoError(t, err)
	require.Empty(t, all.Error)
	require.Equal(t, app.TypeStreaming, all.GetInfo.Type)
	require.Len(t, all.Events.Rows, len(events.Rows))
	for _, r := range all.Events.Rows {
		want := got[r[all.Events.Col("eventID")]]
		if want != "" {
			want, _, _ = strings.Cut(want, " ")
		}
		require.Equal(t, want, r[all.Events.Col("risk_score")], "keep=all labels the judged events and leaves the rest for the rule-based macro")
	}
}

// TestFeedbackLookupSafety: a feedback lookup that is not a regular file inside the model folder
// is refused, not read.
func TestFeedbackLookupSafety(t *testing.T) {
	e := testEnv(t)
	outside := filepath.Join(t.TempDir(), "secrets.csv")
	require.NoError(t, os.WriteFile(outside, []byte("time,scope,key,verdict\n2026-01-01,principal,x,benign\n"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(e.store.Dir, incident.FeedbackFile)))
	res, err := splunkdtest.Run(inProc(e), splunkdtest.Info("incidents feedback=awsrisk_feedback"), scoredEvents(), nil)
	require.NoError(t, err)
	require.Contains(t, res.Error, "outside the model folder")
	require.NoError(t, os.Remove(filepath.Join(e.store.Dir, incident.FeedbackFile)))
	require.NoError(t, os.Mkdir(filepath.Join(e.store.Dir, incident.FeedbackFile), 0o755))
	res, err = splunkdtest.Run(inProc(e), splunkdtest.Info("feedback verdict=benign scope=event key=e1"), nil, nil)
	require.NoError(t, err)
	require.Contains(t, res.Error, "folder")
}

// TestIncidentsTranscript compares a whole incidents conversation (getinfo, chunks including an
// empty one, the final reply) with testdata/transcripts/incidents_chunks.txt (-update rewrites).
func TestIncidentsTranscript(t *testing.T) {
	e := testEnv(t)
	var tr bytes.Buffer
	start := func() (*splunkdtest.Process, error) {
		p := splunkdtest.StartFunc(e.serve)
		p.Transcript = &tr
		return p, nil
	}
	_, err := splunkdtest.Run(start, splunkdtest.Info("incidents gap=30m"), scoredEvents(), []int{2, 0, 4})
	require.NoError(t, err)
	path := filepath.Join("testdata", "transcripts", "incidents_chunks.txt")
	if *update {
		require.NoError(t, os.WriteFile(path, tr.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create %s", path)
	require.Equal(t, string(want), tr.String())
}

// TestFeedbackLocal: the shell path on the real binary. A benign verdict recorded with
// `awsrisk feedback` discounts the principal's later scores in `awsrisk score ... feedback=`,
// with the reason; `awsrisk labels` exports the malicious verdicts as training rows.
func TestFeedbackLocal(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin []byte, args ...string) string {
		cmd := exec.Command(binPath, append([]string{"--models", dir, "--quiet"}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		require.NoError(t, cmd.Run(), "%v: %s", args, errb.String())
		return out.String()
	}
	run(testEvents(2000, 3).AppendCSV(nil), "fit", "LinearRegression", "risk_score", "from", "eventName", "into", "m")
	// The verdict is given now; the events are in 2027, so "later" holds.
	events := scoredEvents()
	for _, r := range events.Rows {
		r[events.Col("eventName")] = "StopLogging" // base risk 60 in testEvents
	}
	csv := events.AppendCSV(nil)
	before, err := table.ParseTable([]byte(run(csv, "score", "m", "explain=3")))
	require.NoError(t, err)
	run(nil, "feedback", "verdict=benign", "scope=principal", "key=bob", "note=backup operator")
	run(nil, "feedback", "verdict=malicious", "scope=principal", "key=mallory")
	after, err := table.ParseTable([]byte(run(csv, "score", "m", "explain=3", "feedback=awsrisk_feedback")))
	require.NoError(t, err)
	for i, r := range after.Rows {
		b, _ := strconv.ParseFloat(before.Rows[i][before.Col("ai_risk_score")], 64)
		a, _ := strconv.ParseFloat(r[after.Col("ai_risk_score")], 64)
		if strings.HasSuffix(r[after.Col("userIdentity.arn")], "/bob") {
			require.InDelta(t, 0.3*b, a, 1, "bob's score is discounted")
			require.True(t, strings.HasPrefix(r[after.Col("risk_reasons")], "discounted: analyst marked benign on "), r[after.Col("risk_reasons")])
			require.Contains(t, r[after.Col("risk_reasons")], "backup operator")
		} else {
			require.Equal(t, b, a, "a malicious verdict does not change the score")
		}
		require.Equal(t, r[after.Col("sourceIPAddress")], r[after.Col("src")], "CIM src on score output")
		require.Equal(t, r[after.Col("eventName")], r[after.Col("signature")], "CIM signature on score output")
	}
	labels, err := table.ParseTable([]byte(run(csv, "labels")))
	require.NoError(t, err)
	require.Len(t, labels.Rows, len(events.Rows), "every event of a judged principal")
	for _, r := range labels.Rows {
		want := "0"
		if strings.HasSuffix(r[labels.Col("userIdentity.arn")], "/mallory") {
			want = "90"
		}
		require.Equal(t, want, r[labels.Col("risk_score")])
	}
	out := run(nil, "help", "incidents")
	require.Contains(t, out, "usage: awsrisk incidents")
}

// FuzzIncidentsArgs: any argument list either parses into a usable configuration (gap and
// window positive, window >= gap, threshold 0..100) or is refused with a SyntaxError; never a
// panic.
func FuzzIncidentsArgs(f *testing.F) {
	for _, s := range []string{"gap=30m window=1d", "threshold=80", "mode=events", "gap=1.5d", "gap=0s", "window=-1h", "min_score=x", "feedback=a.b", "history=awsrisk_incident_history", "history=a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmd, err := ParseArgs(append([]string{"incidents"}, strings.Fields(s)...))
		if err != nil {
			return
		}
		h, err := parseIncidents(cmd)
		if err != nil {
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			return
		}
		require.Positive(t, h.cfg.Gap)
		require.GreaterOrEqual(t, h.cfg.Window, h.cfg.Gap)
		require.GreaterOrEqual(t, h.threshold, 0)
		require.LessOrEqual(t, h.threshold, 100)
	})
}

// TestFeedbackConcurrentAnalysts: analysts recording verdicts at the same moment, each in its own
// search process, all keep their verdict in the lookup (the store's writer lock serialises the
// read-append-rename).
func TestFeedbackConcurrentAnalysts(t *testing.T) {
	dir := t.TempDir()
	const analysts = 8
	cmds := make([]*exec.Cmd, analysts)
	errs := make([]bytes.Buffer, analysts)
	for i := range cmds {
		cmds[i] = exec.Command(binPath, "--models", dir, "--quiet", "feedback", "verdict=benign",
			"scope=principal", "key=user"+strconv.Itoa(i), "analyst=a"+strconv.Itoa(i))
		cmds[i].Stderr = &errs[i]
		require.NoError(t, cmds[i].Start())
	}
	for i, c := range cmds {
		require.NoError(t, c.Wait(), errs[i].String())
	}
	data, err := os.ReadFile(filepath.Join(dir, incident.FeedbackFile))
	require.NoError(t, err)
	vs, err := incident.ReadFeedback(bytes.NewReader(data))
	require.NoError(t, err)
	var keys []string
	for _, v := range vs {
		keys = append(keys, v.Key)
	}
	slices.Sort(keys)
	want := make([]string, analysts)
	for i := range want {
		want[i] = "user" + strconv.Itoa(i)
	}
	slices.Sort(want)
	require.Equal(t, want, keys, "no analyst's verdict is lost")
}
