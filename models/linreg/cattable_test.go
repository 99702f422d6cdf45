package linreg

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// benchModel is a model over the six categorical fields of make bench's model (the counts of
// ../shared/bench/gen_events.py's fields), and rows are 10,000 rows of their values, skewed as
// events are (a few values most of the time) with 1% unseen values per field, laid out one after
// the other in one buffer as a chunk's fields are.
func benchModel() (m *Linear, rows [][]string) {
	fields := []struct {
		n    int
		make func(i int) string
	}{
		{24, func(i int) string {
			return []string{"Get", "List", "Describe", "Put", "Delete", "Create"}[i%6] + "Object" + fmt.Sprint(i)
		}},
		{5000, func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }},
		{500, func(i int) string { return fmt.Sprintf("arn:aws:iam::123456789012:user/user-%04d", i) }},
		{6, func(i int) string { return fmt.Sprintf("aws-cli/2.%d.0 Python/3.11", i) }},
		{6, func(i int) string { return fmt.Sprintf("us-east-%d", i) }},
		{3, func(i int) string { return []string{"IAMUser", "AssumedRole", "Root"}[i%3] + fmt.Sprint(i/3) }},
	}
	m = &Linear{Target: "y", Numeric: map[string]float64{}, Categorical: map[string]map[string]float64{}}
	r := rand.New(rand.NewPCG(7, 7))
	cells := make([][]string, 10000)
	for i := range cells {
		cells[i] = make([]string, len(fields))
	}
	for f, fd := range fields {
		name := fmt.Sprint("f", f)
		m.Features = append(m.Features, name)
		vs := map[string]float64{}
		for i := range fd.n {
			vs[fd.make(i)] = float64(i)
		}
		m.Categorical[name] = vs
		z := rand.NewZipf(r, 1.1, 1, uint64(fd.n-1))
		for i := range cells {
			if r.IntN(100) == 0 {
				cells[i][f] = fd.make(fd.n + r.IntN(1000)) // unseen
			} else {
				cells[i][f] = fd.make(int(z.Uint64()))
			}
		}
	}
	m.Prepare()
	var buf []byte
	for _, row := range cells {
		for _, c := range row {
			buf = append(buf, c...)
		}
	}
	rows = make([][]string, len(cells))
	at := 0
	for i, row := range cells {
		for _, c := range row {
			rows[i] = append(rows[i], unsafe.String(&buf[at], len(c))) // not the table's memory
			at += len(c)
		}
	}
	return m, rows
}

// BenchmarkPredictCategorical is apply's prediction on make bench's six categorical fields (six
// lookups a row); one op is a pass over the 10,000 rows.
func BenchmarkPredictCategorical(b *testing.B) {
	m, rows := benchModel()
	b.ReportAllocs()
	for b.Loop() {
		for _, row := range rows {
			m.Predict(row)
		}
	}
}

// TestCatTableFind checks that find is exact: every stored value finds its own index, in small
// tables and in one big enough for the region-by-region build, with values in the body's text
// and escaped ones; and strings near a stored value (a prefix, an extension, the last or first
// byte changed, another length, the empty string) miss unless they are themselves stored.
func TestCatTableFind(t *testing.T) {
	big := map[string]float64{}
	for i := range 20000 {
		big[fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)] = float64(i)
	}
	for name, vs := range map[string]map[string]float64{
		"one":     {"GetObject": 1},
		"empty":   {"": 1, "a": 2},
		"short":   {"a": 1, "b": 2, "ab": 3, "abc": 4, "abcd": 5, "abcde": 6},
		"lengths": lengthValues(),
		"escaped": codecModel().Categorical["ua"],
		"big":     big,
	} {
		t.Run(name, func(t *testing.T) {
			m := &Linear{Target: "y", Features: []string{"f"}, Numeric: map[string]float64{},
				Categorical: map[string]map[string]float64{"f": vs}}
			body, err := EncodeLinear(m)
			require.NoError(t, err)
			decoded, err := DecodeLinear(body)
			require.NoError(t, err)
			for _, tb := range []*catTable{tableFromMap(vs), decoded.tables["f"]} {
				require.Equal(t, len(vs), tb.len())
				for k, v := range tb.values() {
					require.Equal(t, k, tb.find(v), "%q", v)
					require.Equal(t, k, tb.find(string([]byte(v))), "%q in other memory", v)
					c, ok := tb.lookup(v)
					require.True(t, ok)
					require.Equal(t, vs[v], c)
					for _, near := range nearMisses(v) {
						if _, stored := vs[near]; !stored {
							require.Equal(t, -1, tb.find(near), "%q near %q", near, v)
						}
					}
				}
				if _, stored := vs[""]; !stored {
					require.Equal(t, -1, tb.find(""))
				}
			}
		})
	}
}

// lengthValues are values of every length from 1 to 70 (every word-size boundary a
// hash or a compare may step over), sharing a prefix, so that near misses differ in one byte at each position.
func lengthValues() map[string]float64 {
	vs := map[string]float64{}
	for n := 1; n <= 70; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(i%26)
		}
		vs[string(b)] = float64(n)
	}
	return vs
}

// nearMisses are strings close to v: its prefixes and an extension, v with each byte changed
// (first, middle, last and every other position up to 70), and v's bytes doubled.
func nearMisses(v string) []string {
	out := []string{v + "x", v + "\x00", v + v}
	for n := range len(v) {
		out = append(out, v[:n])
	}
	for i := range len(v) {
		b := []byte(v)
		b[i] ^= 1
		out = append(out, string(b))
	}
	return out
}

// FuzzCatTableFind checks find against a Go map: the values are data's lines, and every value
// and the query q must be found exactly when they are values.
//
//	go test -run XXX -fuzz FuzzCatTableFind ./models/linreg
func FuzzCatTableFind(f *testing.F) {
	f.Add("GetObject\nPutObject\n10.0.0.1", "GetObjecx")
	f.Add("a\nab\nabc\nabcdefghijklmnopq", "abcdefghijklmnop")
	f.Add("\n\x00\nhéllo", "h")
	f.Fuzz(func(t *testing.T, data, q string) {
		vs := map[string]float64{}
		for i, v := range strings.Split(data, "\n") {
			vs[v] = float64(i)
		}
		tables := []*catTable{tableFromMap(vs)}
		if utf8.ValidString(data) { // the body's JSON keeps the values as they are: decode it too
			m := &Linear{Target: "y", Features: []string{"f"}, Numeric: map[string]float64{},
				Categorical: map[string]map[string]float64{"f": vs}}
			body, err := EncodeLinear(m)
			require.NoError(t, err)
			d, err := DecodeLinear(body)
			require.NoError(t, err)
			tables = append(tables, d.tables["f"])
		}
		_, stored := vs[q]
		for _, tb := range tables {
			for k, v := range tb.values() {
				if got := tb.find(v); got != k {
					t.Fatalf("find(%q) = %d, want %d", v, got, k)
				}
			}
			if k := tb.find(q); (k >= 0) != stored || (stored && tb.value(k) != q) {
				t.Fatalf("find(%q) = %d, stored %v", q, k, stored)
			}
		}
	})
}
