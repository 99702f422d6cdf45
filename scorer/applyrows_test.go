package scorer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"awsrisk/app"
	"awsrisk/app/table"
	"awsrisk/models"

	"github.com/stretchr/testify/require"
)

// TestApplyRowsSameBytes: the one-model fast path (applyRows, taken by ScoreView when the reply
// is the input record plus appended cells) writes the bytes the general row loop writes, with
// nulls, non-numeric and unseen values, quoted cells, an existing output column and explain=
// (both take the general loop) and a model weight; and a Table's rows read the same.
func TestApplyRowsSameBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	names := []string{"GetObject", "StopLogging", "CreateUser", "ListBuckets", "DeleteTrail", "", "a,b", `say "hi"`}
	nums := []string{"0", "17", "4999", "", "12.5", "-3", "1e3", "x", " 7 "}
	body := func(extra string) []byte {
		hdr := []string{"eventName", "bytes_out", "_chunked_idx"}
		if extra != "" {
			hdr = append(hdr, extra)
		}
		b := table.AppendSplunkdRecord(nil, hdr)
		for i := range 3000 {
			row := []string{names[r.IntN(len(names))], nums[r.IntN(len(nums))], fmt.Sprint(i)}
			if extra != "" {
				row = append(row, "old")
			}
			b = table.AppendSplunkdRecord(b, row)
		}
		return b
	}
	for _, tc := range []struct {
		name   string
		weight float64
		extra  string
		opt    Options
		byName bool // a plain Scorer reading its fields by name (models.AsApplier)
	}{
		{name: "by name", byName: true},
		{name: "apply"},
		{name: "weight", weight: 0.7},
		{name: "replaces a column", extra: FieldRiskScore},
		{name: "explain", opt: Options{Explain: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chunk := body(tc.extra)
			run := func(view, fast bool) ([]byte, Counts) {
				noApplyRows = !fast
				defer func() { noApplyRows = false }()
				c, err := LoadComponent(fitFile(t, nil), "", nil)
				require.NoError(t, err)
				if tc.byName {
					c = Component{Name: "echo", S: echoScorer{}}
				}
				c.Weight = tc.weight
				p, err := New([]Component{c}, tc.opt)
				require.NoError(t, err)
				var out app.Output
				if view {
					v, err := table.ParseView(chunk)
					require.NoError(t, err)
					require.NoError(t, p.ScoreView(v, &out))
				} else {
					tab, err := table.ParseTable(chunk)
					require.NoError(t, err)
					require.NoError(t, p.Score(tab, &out))
				}
				return append([]byte(nil), out.Body()...), p.Counts
			}
			fast, fc := run(true, true)
			slow, sc := run(true, false)
			require.Equal(t, string(slow), string(fast))
			require.Equal(t, sc, fc)
			// A Table is re-encoded (minimal quoting), not echoed: the same values.
			tab, tc := run(false, true)
			require.Equal(t, sc, tc)
			a, err := table.ParseTable(fast)
			require.NoError(t, err)
			b, err := table.ParseTable(tab)
			require.NoError(t, err)
			require.Equal(t, b, a)
			require.Greater(t, len(fast), len(chunk), "the reply adds cells")
		})
	}
}

// echoScorer reads its fields by name only while scoring (through the adapter), writes them
// back, and scores the length of one: applyRows must fill the columns it asks for late.
type echoScorer struct{}

func (echoScorer) Fields() []string  { return []string{"bytes_out", "eventName"} }
func (echoScorer) Outputs() []string { return []string{"echo"} }
func (echoScorer) Score(get func(string) string, out []string) models.Risk {
	out[0] = get("bytes_out") + "/" + get("eventName") + "/" + get("_chunked_idx")
	return models.Risk{Score: float64(len(get("eventName")))}
}

// TestScoreViewSameBytes: score with several models, risk and CIM fields writes the same bytes
// reading a View (the input record echoed, risk_message written straight into the reply by
// appendCells) as reading a Table (every cell re-encoded, risk_message built as a string), when
// the input is quoted minimally, as the Table path re-encodes it: values with commas, quotes,
// newlines, edge blanks and principals, with and without explain=.
func TestScoreViewSameBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	names := []string{"GetObject", "StopLogging", "CreateUser", "ListBuckets", "DeleteTrail", "", "a,b", `say "hi"`, " x", "y\t", "l\nm"}
	nums := []string{"0", "17", "4999", "", "12.5", "-3", "1e3", "x", " 7 "}
	arns := []string{"", "arn:aws:iam::123456789012:user/alice", "arn:aws:sts::123456789012:assumed-role/R,x/s", "arn:aws:iam::123456789012:user/bob"}
	ips := []string{"", "203.0.113.9", "s3.amazonaws.com", "a,b"}
	b := table.AppendRecord(nil, []string{"eventName", "bytes_out", "userIdentity.arn", "sourceIPAddress", "_chunked_idx"})
	for i := range 3000 {
		b = table.AppendRecord(b, []string{names[r.IntN(len(names))], nums[r.IntN(len(nums))], arns[r.IntN(len(arns))], ips[r.IntN(len(ips))], fmt.Sprint(i)})
	}
	for _, opt := range []Options{
		{RBA: true, CIM: true, Scoped: true, RBAFloor: DefaultRBAFloor},
		{RBA: true, CIM: true, RBAFloor: 0, Explain: 2},
		{RBA: true, RBAFloor: 30, Explain: 1},
	} {
		run := func(view bool) string {
			var comps []Component
			for k, name := range []string{"a", "b", "c"} {
				f := fitFile(t, nil)
				f.Name = name
				c, err := LoadComponent(f, "pred_"+name, nil)
				require.NoError(t, err)
				c.Weight = []float64{0, 0.5, 2}[k]
				comps = append(comps, c)
			}
			p, err := New(comps, opt)
			require.NoError(t, err)
			var out app.Output
			if view {
				v, err := table.ParseView(b)
				require.NoError(t, err)
				require.NoError(t, p.ScoreView(v, &out))
			} else {
				tab, err := table.ParseTable(b)
				require.NoError(t, err)
				require.NoError(t, p.Score(tab, &out))
			}
			return string(out.Body())
		}
		view, tab := run(true), run(false)
		require.Equal(t, tab, view, "%+v", opt)
		require.Contains(t, view, "AWS risk ", "%+v: some events are risky", opt)
		require.Contains(t, view, `"AWS risk `, "%+v: some risk messages are quoted", opt)
	}
}
