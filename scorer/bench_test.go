package scorer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"awsrisk/app"
	"awsrisk/app/table"
	"awsrisk/internal/cputime"
	"awsrisk/models"
)

// benchChunk is a splunkd-like apply chunk in selected-fields mode: the model's fields, the
// _chunked_idx, and a __mv_ column for each (scp-v2.md §4.3).
func benchChunk(rows int) []byte {
	r := rand.New(rand.NewPCG(3, 3))
	names := []string{"GetObject", "StopLogging", "CreateUser", "ListBuckets", "DeleteTrail"}
	var b []byte
	b = table.AppendRecord(b, []string{"eventName", "bytes_out", "_chunked_idx", "__mv_eventName", "__mv_bytes_out", "__mv__chunked_idx"})
	for i := 0; i < rows; i++ {
		b = table.AppendRecord(b, []string{names[r.IntN(len(names))], fmt.Sprint(r.IntN(5000)), fmt.Sprint(i), "", "", ""})
	}
	return b
}

// The apply hot path beside a plain parse-and-write pass-through of the same chunk, both reading
// the chunk in place (app.View) as the execute loop does; make bench prints their ratio (goal:
// apply at least 0.8 of the pass-through's speed). Run with GOMAXPROCS=1 for the one-core
// figure; MB/cpu-s is the same figure measured in CPU time, steadier on a shared machine.
//
//	go test -run XXX -bench 'ApplyChunk|PassThroughChunk' -benchmem -count 6 ./scorer
func BenchmarkApplyChunk(b *testing.B) {
	s := pipeline(b, fitFile(b, nil), Options{})
	benchScoreView(b, s)
}

func BenchmarkPassThroughChunk(b *testing.B) { benchPassThrough(b, benchChunk(10000)) }

// benchPassThrough times parsing body in place and writing every row back, as a command that
// changes nothing would.
func benchPassThrough(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var out app.Output
	var v table.View
	var row []string
	cpu := cputime.Start()
	for b.Loop() {
		if err := v.Parse(body); err != nil {
			b.Fatal(err)
		}
		out.Reset()
		out.SetHeader(v.Header)
		row = append(row[:0], v.Header...)
		for i := range v.Len() {
			out.WriteRow(v.Row(i, row))
		}
	}
	cpu.Report(b, len(body))
}

// BenchmarkScoreChunk is `score` with several models on the same chunk as ApplyChunk: three
// LinearRegression models combined into ai_risk_score, with the Enterprise Security risk fields
// and the CIM fields as score writes them by default (rba=true cim=true rba_floor=60). make bench
// prints its ratio to the pass-through (goal ≥ 0.5).
func BenchmarkScoreChunk(b *testing.B) {
	benchScoreView(b, scorePipeline(b, fitFile(b, nil)))
}

// scorePipeline is score with three copies of model file m (a, b, c) combined into
// ai_risk_score, with the Enterprise Security risk fields and the CIM fields as score writes
// them by default (rba=true cim=true rba_floor=60).
func scorePipeline(b *testing.B, m *models.File) *Pipeline {
	var comps []Component
	for _, name := range []string{"a", "b", "c"} {
		f := *m
		f.Name, f.OutputName = name, "pred_"+name
		c, err := LoadComponent(&f, "", nil)
		if err != nil {
			b.Fatal(err)
		}
		comps = append(comps, c)
	}
	s, err := New(comps, Options{RBA: true, Scoped: true, RBAFloor: DefaultRBAFloor, CIM: true})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchScoreView times s parsing and scoring the 10,000-row benchmark chunk in place, as the
// execute loop does.
func benchScoreView(b *testing.B, s *Pipeline) { benchScoreBody(b, s, benchChunk(10000)) }

// benchScoreBody times s parsing and scoring body in place.
func benchScoreBody(b *testing.B, s *Pipeline, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var out app.Output
	var v table.View
	cpu := cputime.Start()
	for b.Loop() {
		if err := v.Parse(body); err != nil {
			b.Fatal(err)
		}
		out.Reset()
		if err := s.ScoreView(&v, &out); err != nil {
			b.Fatal(err)
		}
	}
	cpu.Report(b, len(body))
}
