package scorer

import (
	"encoding/json"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"awsrisk/app/table"
	"awsrisk/models"
	"awsrisk/models/linreg"
)

// The benchmarks below run on make bench's own file (../shared/bench/gen_events.py, the file the
// MLTK peer is timed on; make bench passes its path in AWSRISK_BENCH_EVENTS): the model is
// LinearRegression risk_score from bench.sh's six fields fitted on the whole file, and the chunk
// is the file's first 10,000 events as splunkd sends them to apply in selected-fields mode: the
// pipeline's required_fields, _chunked_idx and a __mv_ twin of each (scp-v2.md §4.3).
//
//	AWSRISK_BENCH_EVENTS=events.csv go test -cpu 1 -run XXX -bench 'File' ./scorer
var benchFileFields = []string{"eventName", "sourceIPAddress", "userAgent", "userIdentity.type", "userIdentity.arn", "awsRegion"}

type benchFileSetup struct {
	model *models.File
	chunk []byte
	err   error
}

var benchFile = sync.OnceValue(func() benchFileSetup {
	path := os.Getenv("AWSRISK_BENCH_EVENTS")
	raw, err := os.ReadFile(path)
	if err != nil {
		return benchFileSetup{err: err}
	}
	t, err := table.ParseTable(raw)
	if err != nil {
		return benchFileSetup{err: err}
	}
	a := linreg.NewAggregate("risk_score", benchFileFields)
	vals := make([]string, len(benchFileFields))
	y := t.Col("risk_score")
	for _, r := range t.Rows {
		for i, f := range benchFileFields {
			vals[i] = r[t.Col(f)]
		}
		a.AddEvent(r[y], vals)
	}
	m, err := linreg.FitLinear(a, linreg.LinearOptions{FitIntercept: true})
	if err != nil {
		return benchFileSetup{err: err}
	}
	body, err := json.Marshal(m)
	if err != nil {
		return benchFileSetup{err: err}
	}
	f := &models.File{Name: "bench", Algorithm: "LinearRegression", Created: time.Unix(0, 0), Target: "risk_score",
		Features: m.Features, Body: body}
	c, err := LoadComponent(f, "", nil)
	if err != nil {
		return benchFileSetup{err: err}
	}
	p, err := New([]Component{c}, Options{})
	if err != nil {
		return benchFileSetup{err: err}
	}
	// The selected-fields chunk: what splunkd sends for the pipeline's required_fields.
	fields := p.RequiredFields()
	header := append(append([]string{}, fields...), "_chunked_idx")
	for _, h := range header[:len(header):len(header)] {
		header = append(header, "__mv_"+h)
	}
	chunk := table.AppendRecord(nil, header)
	rec := make([]string, len(header))
	for i, r := range t.Rows[:min(10000, len(t.Rows))] {
		for j, f := range fields {
			if c := t.Col(f); c >= 0 {
				rec[j] = r[c]
			}
		}
		rec[len(fields)] = strconv.Itoa(i)
		chunk = table.AppendRecord(chunk, rec)
	}
	return benchFileSetup{model: f, chunk: chunk}
})

func benchFileChunk(b *testing.B) benchFileSetup {
	b.Helper()
	if os.Getenv("AWSRISK_BENCH_EVENTS") == "" {
		b.Skip("set AWSRISK_BENCH_EVENTS to a file of ../shared/bench/gen_events.py (make bench does)")
	}
	s := benchFile()
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s
}

func BenchmarkPassThroughFile(b *testing.B) { benchPassThrough(b, benchFileChunk(b).chunk) }

// BenchmarkApplyFile is `apply bench` on the file's chunk; make bench prints its ratio to
// BenchmarkPassThroughFile (goal ≥ 0.8).
func BenchmarkApplyFile(b *testing.B) {
	s := benchFileChunk(b)
	benchScoreBody(b, pipeline(b, s.model, Options{}), s.chunk)
}

// BenchmarkScoreFile is BenchmarkScoreChunk's `score` (three models, the risk and CIM fields)
// on the file's chunk (goal ≥ 0.5 of the pass-through).
func BenchmarkScoreFile(b *testing.B) {
	s := benchFileChunk(b)
	benchScoreBody(b, scorePipeline(b, s.model), s.chunk)
}
