package commands

import (
	"awsrisk/models/fit"
	"awsrisk/models/linreg"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awsrisk/app"

	"awsrisk/app/splunkdtest"
	"awsrisk/app/table"
	"awsrisk/models"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

// binPath is the awsrisk binary built once for the end-to-end tests; devBinPath is awsrisk-dev,
// which the tutorial script uses to print tables.
var binPath, devBinPath string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "awsrisk-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath, devBinPath = filepath.Join(dir, "awsrisk"), filepath.Join(dir, "awsrisk-dev")
	for bin, pkg := range map[string]string{binPath: "../../awsrisk", devBinPath: "../../awsrisk-dev"} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixedClock makes fit reports and model files deterministic for golden transcripts.
var fixedClock = func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }

func testEnv(t *testing.T) *env {
	t.Helper()
	return &env{store: models.Store{Dir: t.TempDir()}, now: fixedClock, stderr: io.Discard}
}

// inProc starts the command in this process over pipes.
func inProc(e *env) splunkdtest.Starter {
	return func() (*splunkdtest.Process, error) {
		return splunkdtest.StartFunc(e.serve), nil
	}
}

// binary starts the built executable, as splunkd does, with models in dir.
func binary(dir string) splunkdtest.Starter {
	return func() (*splunkdtest.Process, error) {
		return splunkdtest.StartBinary(binPath, append(os.Environ(), "AWSRISK_MODELS="+dir))
	}
}

var (
	testAPIs = []string{"DescribeInstances", "ListBuckets", "GetObject", "AssumeRole", "CreateUser",
		"AttachUserPolicy", "StopLogging", "PutBucketPolicy", "ConsoleLogin", "RunInstances"}
	testBase = []float64{2, 2, 3, 8, 30, 40, 60, 35, 5, 20}
	testUAs  = []string{"aws-cli/2.13.0 Python/3.11.4 Linux/5.15", "Boto3/1.28.0 Python/3.10 Linux",
		"console.amazonaws.com", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) ไทย 🙂", "curl/8.1"}
)

// testEvents makes n CloudTrail-shaped events with a known linear risk: a base per API, +25 from
// an odd source IP, +0.002 per KB out, gaussian noise. _raw carries quotes, commas, newlines, CRLF
// and multi-byte UTF-8 so that every row proves the codec byte-exact when merged back.
func testEvents(n int, seed uint64) *table.Table {
	r := rand.New(rand.NewPCG(seed, 1))
	t := &table.Table{Header: []string{"_time", "_raw", "eventName", "sourceIPAddress", "userAgent",
		"userIdentity.arn", "awsRegion", "bytes_out", "risk_score"}}
	for i := 0; i < n; i++ {
		api := r.IntN(len(testAPIs))
		odd := r.Float64() < 0.1
		ip := fmt.Sprintf("10.0.%d.%d", r.IntN(4), r.IntN(20))
		if odd {
			ip = fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(220), r.IntN(256), r.IntN(256), 1+r.IntN(254))
		}
		kb := r.ExpFloat64() * 500
		y := testBase[api] + kb*0.002 + r.NormFloat64()*2
		if odd {
			y += 25
		}
		user := fmt.Sprintf("arn:aws:iam::123456789012:user/u%03d", r.IntN(50))
		raw := fmt.Sprintf("{\"eventName\":\"%s\",\r\n \"note\":\"a, \"\"quoted\"\" value\nline ไทย\"}", testAPIs[api])
		t.Rows = append(t.Rows, []string{strconv.Itoa(1700000000 + i), raw, testAPIs[api], ip,
			testUAs[r.IntN(len(testUAs))], user, []string{"us-east-1", "eu-west-1"}[r.IntN(2)],
			strconv.FormatFloat(kb, 'f', 1, 64), strconv.FormatFloat(y, 'f', 3, 64)})
	}
	return t
}

const fitSPL = `fit LinearRegression risk_score from eventName sourceIPAddress userAgent "userIdentity.arn" awsRegion bytes_out into %s`

func loadLinear(t *testing.T, s models.Store, name string) (*models.File, *linreg.Linear) {
	t.Helper()
	f, err := s.Load(name)
	require.NoError(t, err)
	var m linreg.Linear
	require.NoError(t, jsonUnmarshal(f.Body, &m))
	return f, &m
}

// TestFitMapReduceSameModel: skipping the map phase, or running it on 1, 3 or 8 indexers, with
// empty, one-row and large chunks, gives the same model bit for bit: coefficients, intercept, R²,
// RMSE, drop counts and holdout figures (the statistics are integer counts and exact sums, and a
// single fit takes the same path from them). The map phase runs in selected-fields mode: it asks
// for the target and features only and answers each non-empty chunk with one row naming its first
// event.
func TestFitMapReduceSameModel(t *testing.T) {
	e := testEnv(t)
	events := testEvents(6000, 1)
	for _, extra := range []string{"", " holdout=0.3 seed=5"} {
		var ref *linreg.Linear
		for _, k := range []int{0, 1, 3, 8} {
			name := fmt.Sprintf("m%d%d", k, len(extra))
			res, err := splunkdtest.MapReduce(inProc(e), splunkdtest.Info(fmt.Sprintf(fitSPL, name)+extra), events, k, []int{0, 7, 1, 997, 5000})
			require.NoError(t, err)
			require.Empty(t, res.Error)
			require.Equal(t, app.TypeReporting, res.GetInfo.Type)
			require.Contains(t, res.GetInfo.StreamingPreop, "phase=map")
			require.Len(t, res.Events.Rows, 1, "fit reports one row")
			rows, _ := strconv.Atoi(res.Events.Rows[0][res.Events.Col("rows")])
			hold, _ := strconv.Atoi(res.Events.Rows[0][res.Events.Col("holdout_rows")])
			require.Equal(t, 6000, rows+hold)
			_, m := loadLinear(t, e.store, name)
			if ref == nil {
				ref = m
				require.Greater(t, m.Stats.R2, 0.9, "the known linear signal must be found")
				continue
			}
			require.Equal(t, ref.Intercept, m.Intercept, "k=%d%s", k, extra)
			require.Equal(t, ref.Columns(), m.Columns(), "k=%d%s", k, extra)
			require.Equal(t, ref.Stats.R2, m.Stats.R2)
			require.Equal(t, ref.Stats.RMSE, m.Stats.RMSE)
			require.Equal(t, ref.Stats.N, m.Stats.N)
			require.Equal(t, ref.Stats.Dropped, m.Stats.Dropped)
			if extra != "" {
				require.NotNil(t, m.Stats.Holdout)
				require.Equal(t, *ref.Stats.Holdout, *m.Stats.Holdout)
			}
		}
	}
}

// TestFitMapPhaseSelectedFields runs the map phase alone as splunkd would on one indexer: it
// declares the target and features as required_fields, so it gets only those (and _chunked_idx),
// and each non-empty chunk's reply is one row that splunkd merges into that chunk's first event.
func TestFitMapPhaseSelectedFields(t *testing.T) {
	e := testEnv(t)
	events := testEvents(3000, 4)
	info := splunkdtest.Info(fmt.Sprintf(fitSPL, "m") + " phase=map")
	sizes := []int{0, 1000, 0, 1, 1999}
	res, err := splunkdtest.Stream(inProc(e), info, events, sizes)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	require.Equal(t, app.TypeStreaming, res.GetInfo.Type)
	require.ElementsMatch(t, []string{"risk_score", "eventName", "sourceIPAddress", "userAgent", "userIdentity.arn", "awsRegion", "bytes_out"},
		res.GetInfo.RequiredFields)
	require.Len(t, res.Events.Rows, 3, "one row per non-empty chunk")
	pc, sc := res.Events.Col(fit.ColPartial), res.Events.Col(fit.ColState)
	require.GreaterOrEqual(t, pc, 0)
	for i, at := range []int{0, 1000, 1001} {
		row := res.Events.Rows[i]
		require.Equal(t, fit.KindStats, row[pc])
		require.NotEmpty(t, row[sc])
		require.Equal(t, events.Rows[at], row[:len(events.Header)], "merged into the chunk's first event")
	}
}

func requireSameCoefs(t *testing.T, a, b *linreg.Linear, rel float64) {
	t.Helper()
	ca, cb := a.Columns(), b.Columns()
	require.Equal(t, len(ca), len(cb))
	scale := 1.0
	for _, c := range ca {
		scale = max(scale, abs(c.Coefficient))
	}
	for i := range ca {
		require.Equal(t, ca[i].Feature, cb[i].Feature)
		require.InDelta(t, ca[i].Coefficient, cb[i].Coefficient, rel*scale, ca[i].Feature)
	}
	require.InDelta(t, a.Intercept, b.Intercept, rel*max(scale, abs(a.Intercept)))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestApplySelectedFields streams apply over many chunks (empty, one-row, 50,000-row) in
// selected-fields mode: only the model's fields and _chunked_idx go to the command, the reply is
// merged back by _chunked_idx, and every event keeps all of its own fields byte for byte.
func TestApplySelectedFields(t *testing.T) {
	e := testEnv(t)
	train := testEvents(3000, 2)
	res, err := splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(fitSPL, "m")), train, nil)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	_, m := loadLinear(t, e.store, "m")

	events := testEvents(60000, 3)
	events.Rows[5][3] = ""                 // null sourceIPAddress: kept, no prediction
	events.Rows[6][2] = "NeverSeenAPICall" // unseen category: contributes 0
	res, err = splunkdtest.Stream(inProc(e), splunkdtest.Info("apply m explain=2"), events, []int{1000, 0, 1, 50000, 333})
	require.NoError(t, err)
	require.Empty(t, res.Error)
	require.Equal(t, app.TypeStreaming, res.GetInfo.Type)
	require.ElementsMatch(t, []string{"eventName", "sourceIPAddress", "userAgent", "userIdentity.arn", "awsRegion", "bytes_out",
		"eventSource"}, res.GetInfo.RequiredFields, "the model's fields, and eventName and eventSource for ai_threat_category")
	out := res.Events
	require.Len(t, out.Rows, len(events.Rows), "no row lost")
	pc, sc, rc := out.Col("predicted(risk_score)"), out.Col("ai_risk_score"), out.Col("risk_reasons")
	require.GreaterOrEqual(t, pc, 0)
	require.GreaterOrEqual(t, sc, 0)
	require.GreaterOrEqual(t, rc, 0)
	xs := make([]string, len(m.Features))
	for i, row := range out.Rows {
		require.Equal(t, events.Rows[i], row[:len(events.Header)], "row %d changed", i)
		for j, f := range m.Features {
			xs[j] = row[out.Col(f)]
		}
		want, ok, _ := m.Predict(xs)
		if !ok {
			require.Equal(t, 5, i)
			require.Empty(t, row[pc], "MLTK parity: no prediction")
			require.NotEmpty(t, row[sc], "but a risk score")
			continue
		}
		got, err := strconv.ParseFloat(row[pc], 64)
		require.NoError(t, err, "row %d", i)
		require.InDelta(t, want, got, 1e-9, "row %d", i)
	}
	require.Contains(t, fmt.Sprint(res.Messages), "1 of 60000 rows have a null")
	require.Contains(t, fmt.Sprint(res.Messages), "(sourceIPAddress 1)")
}

// TestProbesHaveNoSideEffects: getinfo-only processes answer and exit 0, and neither fit nor
// deletemodel touches a model file before an execute request.
func TestProbesHaveNoSideEffects(t *testing.T) {
	dir := t.TempDir()
	e := &env{store: models.Store{Dir: dir}, now: fixedClock, stderr: io.Discard}
	_, err := splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(fitSPL, "keep")), testEvents(200, 4), nil)
	require.NoError(t, err)
	for _, start := range []splunkdtest.Starter{inProc(e), binary(dir)} {
		for _, spl := range []string{fmt.Sprintf(fitSPL, "probe_new"), "deletemodel keep", "apply keep", "summary keep", "listmodels"} {
			require.NoError(t, splunkdtest.Probe(start, splunkdtest.Info(spl), 3), spl)
		}
		_, err := e.store.Load("keep")
		require.NoError(t, err, "a deletemodel probe deleted the model")
		_, err = e.store.Load("probe_new")
		require.ErrorIs(t, err, models.ErrNoModel, "a fit probe wrote a model")
	}
}

// TestModelLifecycle: summary, listmodels and deletemodel through the protocol.
func TestModelLifecycle(t *testing.T) {
	e := testEnv(t)
	res, err := splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(fitSPL, "app:lc")+" holdout=0.3 seed=7"), testEvents(2000, 5), []int{500})
	require.NoError(t, err)
	require.Empty(t, res.Error)
	require.NotEmpty(t, res.Events.Rows[0][res.Events.Col("holdout_r2")])

	res, err = splunkdtest.Run(inProc(e), splunkdtest.Info("summary lc"), nil, nil)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	require.True(t, res.GetInfo.Generating)
	require.Equal(t, app.TypeStateful, res.GetInfo.Type)
	feats := map[string]string{}
	stats := map[string]string{}
	for _, r := range res.Events.Rows {
		if r[0] != "" {
			feats[r[0]] = r[1]
		} else {
			stats[r[2]] = r[3]
		}
	}
	require.Contains(t, feats, "_intercept")
	require.Contains(t, feats, "eventName=StopLogging")
	require.Contains(t, feats, "bytes_out")
	require.Contains(t, stats, "holdout_r2")
	require.Equal(t, "50", stats["categories(userIdentity.arn)"])

	res, err = splunkdtest.Run(inProc(e), splunkdtest.Info("listmodels"), nil, nil)
	require.NoError(t, err)
	require.Len(t, res.Events.Rows, 1)
	require.Equal(t, "lc", res.Events.Rows[0][0])
	require.Equal(t, "LinearRegression", res.Events.Rows[0][res.Events.Col("type")])

	res, err = splunkdtest.Run(inProc(e), splunkdtest.Info("deletemodel lc"), nil, nil)
	require.NoError(t, err)
	require.Empty(t, res.Error)
	res, err = splunkdtest.Run(inProc(e), splunkdtest.Info("summary lc"), nil, nil)
	require.NoError(t, err)
	require.Contains(t, res.Error, "does not exist")
}

// TestBadInput: each bad input gets a clear error reply, and the real binary exits 0 with no
// panic, as splunkd expects.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	e := &env{store: models.Store{Dir: dir}, now: fixedClock, stderr: io.Discard}
	_, err := splunkdtest.Run(inProc(e), splunkdtest.Info(fmt.Sprintf(fitSPL, "good")), testEvents(100, 6), nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "__awsrisk_broken.json"), []byte(`{"format":"awsrisk-model","version":1,"mod`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "__awsrisk_future.json"), []byte(`{"format":"awsrisk-model","version":9,"model":{}}`), 0o644))

	getinfo := func(spl string) string {
		meta, err := jsonMarshal(splunkdtest.Info(spl))
		require.NoError(t, err)
		return fmt.Sprintf("chunked 1.0,%d,0\n%s", len(meta), meta)
	}
	exec := func(finished bool, body string) string {
		meta := fmt.Sprintf(`{"action":"execute","finished":%v}`, finished)
		return fmt.Sprintf("chunked 1.0,%d,%d\n%s%s", len(meta), len(body), meta, body)
	}
	cases := []struct {
		name, stream, want string
	}{
		{"bad header", "chunked 1.0,abc,0\n{}", "malformed transport header"},
		{"bad version", "chunked 2.0,2,0\n{}", "unsupported protocol version"},
		{"meta length lies", "chunked 1.0,500,0\n{\"action\":\"getinfo\"}", "stream ended inside a chunk"},
		{"truncated body", getinfo("apply good") + "chunked 1.0,37,100\n{\"action\":\"execute\",\"finished\":true}eventName\nx\n", "stream ended inside a chunk"},
		{"invalid json", "chunked 1.0,9,0\n{\"action\"", "not valid JSON"},
		{"not getinfo first", exec(true, ""), "first request is not getinfo"},
		{"ragged csv", getinfo("apply good") + exec(true, "eventName,bytes_out\nGetObject,1,extra\n"), "csv record 1 (line 2): csv: wrong number of fields"},
		{"unterminated quote", getinfo("apply good") + exec(true, "eventName\n\"GetObject\n"), "quote"},
		{"unknown subcommand", getinfo("predict good"), `unknown subcommand (at "predict")`},
		{"bad model name", getinfo("apply 9lives"), `(at "9lives")`},
		{"bad namespace", getinfo("apply user:good"), `you may only specify namespace "app"`},
		{"missing model", getinfo("apply nosuch"), `model "nosuch"`},
		{"truncated model", getinfo("apply broken"), "corrupt or truncated"},
		{"newer model", getinfo("summary future"), "newer awsrisk"},
		{"fit without from", getinfo("fit LinearRegression risk_score eventName into x"), "exactly one target"},
		{"unknown algorithm", getinfo("fit RandomForest y from x into z"), "unknown algorithm"},
		{"unknown param", getinfo("apply good colour=red"), `unexpected parameter "colour"`},
		{"bad holdout", getinfo("fit LinearRegression risk_score from eventName holdout=2"), "holdout must be"},
		{"all null target", getinfo("fit LinearRegression risk_score from eventName") + exec(true, "eventName,risk_score\nGetObject,\n"), "is empty in all 1 rows"},
		{"non-numeric target", getinfo("fit LinearRegression risk_score from eventName") + exec(true, "eventName,risk_score\nGetObject,high\n"), `non-numeric target (first: "high")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, start := range []splunkdtest.Starter{inProc(e), binary(dir)} {
				p, err := start()
				require.NoError(t, err)
				go func() { p.WriteRaw([]byte(c.stream)); p.CloseStdin() }()
				var last *app.Reply
				for {
					r, _, err := p.Recv()
					if err != nil {
						break
					}
					last = r
					if r.Error != "" {
						break
					}
				}
				require.NotNil(t, last, "no reply at all")
				require.Contains(t, last.Error, c.want)
				require.NoError(t, p.Close(), "must exit 0 after reporting the error")
			}
		})
	}
}

// TestTranscripts compares whole conversations with golden files in testdata/transcripts
// (go test ./cmd/awsrisk -run TestTranscripts -update rewrites them).
func TestTranscripts(t *testing.T) {
	golden, err := filepath.Abs(filepath.Join("testdata", "transcripts"))
	require.NoError(t, err)
	// A relative model folder keeps paths, and so chunk lengths, the same on every machine.
	t.Chdir(t.TempDir())
	e := &env{store: models.Store{Dir: "models"}, now: fixedClock, stderr: io.Discard}
	train := testEvents(300, 8)
	_, err = splunkdtest.Run(inProc(e), splunkdtest.Info("fit LinearRegression risk_score from eventName awsRegion bytes_out into golden"), train, nil)
	require.NoError(t, err)
	small := &table.Table{Header: train.Header, Rows: train.Rows[:3]}
	cases := []struct {
		name string
		run  func(p splunkdtest.Starter) error
	}{
		{"probe_apply", func(s splunkdtest.Starter) error { return splunkdtest.Probe(s, splunkdtest.Info("apply golden"), 1) }},
		{"apply_chunks", func(s splunkdtest.Starter) error {
			_, err := splunkdtest.Stream(s, splunkdtest.Info("apply golden as risk explain=2"), small, []int{2, 0, 1})
			return err
		}},
		{"fit_map", func(s splunkdtest.Starter) error {
			_, err := splunkdtest.Stream(s, splunkdtest.Info("fit LinearRegression risk_score from eventName awsRegion phase=map"), small, []int{3})
			return err
		}},
		{"summary", func(s splunkdtest.Starter) error {
			_, err := splunkdtest.Run(s, splunkdtest.Info("summary golden"), nil, nil)
			return err
		}},
		{"error_missing_model", func(s splunkdtest.Starter) error {
			_, err := splunkdtest.Run(s, splunkdtest.Info("apply nosuch"), nil, nil)
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tr bytes.Buffer
			start := func() (*splunkdtest.Process, error) {
				p := splunkdtest.StartFunc(e.serve)
				p.Transcript = &tr
				return p, nil
			}
			require.NoError(t, c.run(start))
			got := tr.String()
			path := filepath.Join(golden, c.name+".txt")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create %s", path)
			require.Equal(t, string(want), got)
		})
	}
}

// TestLocalMode: the same subcommands from the shell, CSV in and out, on the real binary.
func TestLocalMode(t *testing.T) {
	dir := t.TempDir()
	events := testEvents(5000, 9)
	csv := events.AppendCSV(nil)
	run := func(stdin []byte, args ...string) (string, string, error) {
		cmd := exec.Command(binPath, append([]string{"--models", dir}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	out, stderr, err := run(csv, "--chunk-rows", "1000", "fit", "LinearRegression", "risk_score", "from", "eventName", "sourceIPAddress", "bytes_out", "into", "local_m", "holdout=0.3")
	require.NoError(t, err, stderr)
	rep, err := table.ParseTable([]byte(out))
	require.NoError(t, err)
	require.Len(t, rep.Rows, 1)
	r2, err := strconv.ParseFloat(rep.Rows[0][rep.Col("r2")], 64)
	require.NoError(t, err)
	require.Greater(t, r2, 0.8)

	out, stderr, err = run(csv, "apply", "local_m", "explain=3")
	require.NoError(t, err, stderr)
	scored, err := table.ParseTable([]byte(out))
	require.NoError(t, err)
	require.Len(t, scored.Rows, len(events.Rows))
	require.Equal(t, events.Rows[17], scored.Rows[17][:len(events.Header)], "_raw with CRLF and UTF-8 survives")

	_, stderr, err = run(nil, "apply", "no_such_model")
	require.Error(t, err)
	require.Contains(t, stderr, `model "no_such_model"`)

	out, _, err = run(nil, "--help")
	require.NoError(t, err)
	require.Contains(t, out, "Subcommands:")
}
