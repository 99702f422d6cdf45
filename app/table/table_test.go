package table

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseTable(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		rows   [][]string
	}{
		{"empty body", "", nil, nil},
		{"header only", "a,b\n", []string{"a", "b"}, [][]string{}},
		{"header only, no newline", "a,b", []string{"a", "b"}, [][]string{}},
		{"header only, CRLF", "a,b\r\n", []string{"a", "b"}, [][]string{}},
		{"splunkd empty batch", "age,\"_chunked_idx\",\"__mv_age\",\"__mv__chunked_idx\"\n",
			[]string{"age", "_chunked_idx", "__mv_age", "__mv__chunked_idx"}, [][]string{}},
		{"simple", "a,b\n1,2\n3,4\n", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}},
		{"no final newline", "a,b\n1,2\n3,4", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}},
		{"CRLF", "a,b\r\n1,2\r\n3,4\r\n", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}},
		{"mixed terminators", "a,b\r\n1,2\n3,4\r\n", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}},
		{"empty values", "a,b,c\n,,\n1,,\n,,3\n", []string{"a", "b", "c"},
			[][]string{{"", "", ""}, {"1", "", ""}, {"", "", "3"}}},
		{"quoted", "\"_time\",\"x y\"\n\"1627354345.934\",\"a,b\"\n", []string{"_time", "x y"},
			[][]string{{"1627354345.934", "a,b"}}},
		{"quoted empty", "a,b\n\"\",\"\"\n", []string{"a", "b"}, [][]string{{"", ""}}},
		{"escaped quotes", "a\n\"say \"\"hi\"\"\"\n\"\"\"\"\n", []string{"a"}, [][]string{{`say "hi"`}, {`"`}}},
		{"embedded LF", "a,b\n\"x\ny\",2\n", []string{"a", "b"}, [][]string{{"x\ny", "2"}}},
		{"embedded CRLF kept", "a,b\n\"x\r\ny\",2\r\n", []string{"a", "b"}, [][]string{{"x\r\ny", "2"}}},
		{"embedded lone CR kept", "a,b\n\"x\ry\",\"\r\"\n", []string{"a", "b"}, [][]string{{"x\ry", "\r"}}},
		{"lone CR in unquoted field", "a,b\nx\ry,2\n", []string{"a", "b"}, [][]string{{"x\ry", "2"}}},
		{"CR at end of unquoted field", "a\nx\r", []string{"a"}, [][]string{{"x\r"}}},
		{"CR before CRLF", "a\nx\r\r\n", []string{"a"}, [][]string{{"x\r"}}},
		{"spaces kept", "a,b\n x ,\" y \"\n", []string{"a", "b"}, [][]string{{" x ", " y "}}},
		{"multibyte", "\"ทt\",b\n\"สวัสดี 🎉\",é\n", []string{"ทt", "b"}, [][]string{{"สวัสดี 🎉", "é"}}},
		{"invalid UTF-8 passed through", "a\n\xff\xfe\n\"\xc3\"\n", []string{"a"}, [][]string{{"\xff\xfe"}, {"\xc3"}}},
		{"empty line is one empty field", "a\n\n\n", []string{"a"}, [][]string{{""}, {""}}},
		{"empty header name", "\n1\n", []string{""}, [][]string{{"1"}}},
		{"trailing comma", "a,b\n1,\n", []string{"a", "b"}, [][]string{{"1", ""}}},
		{"quoted then EOF", "a,b\n1,\"2\"", []string{"a", "b"}, [][]string{{"1", "2"}}},
		{"newlines inside quotes do not confuse row estimate", "a,b\n\"\n\n\n\n\",1\n",
			[]string{"a", "b"}, [][]string{{"\n\n\n\n", "1"}}},
		{"multivalue columns", "host,\"__mv_host\"\n\"a\nb\",\"$a$;$b$\"\n",
			[]string{"host", "__mv_host"}, [][]string{{"a\nb", "$a$;$b$"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTable([]byte(tt.in))
			require.NoError(t, err, "input %q", tt.in)
			require.Equal(t, tt.header, got.Header, "input %q", tt.in)
			require.Equal(t, tt.rows, got.Rows, "input %q", tt.in)
			for _, row := range got.Rows {
				require.Len(t, row, len(got.Header))
			}

			// Writing the table back and re-reading it gives the same table.
			out := got.AppendCSV(nil)
			again, err := ParseTable(out)
			require.NoError(t, err, "re-encoded %q", out)
			require.Equal(t, got.Header, again.Header, "re-encoded %q", out)
			require.Equal(t, got.Rows, again.Rows, "re-encoded %q", out)
		})
	}
}

func TestParseTableErrors(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantErr    error
		wantRecord int
		wantLine   int
		wantMsg    string
	}{
		{"too many fields", "a,b,c,d\n1,2,3,4\n1,2,3,4\n1,2,3,4,5\n", ErrFieldCount, 3, 4,
			"csv record 3 (line 4): csv: wrong number of fields: has 5 fields, header has 4"},
		{"too few fields", "a,b\n1\n", ErrFieldCount, 1, 2, "has 1 fields, header has 2"},
		{"empty line with two columns", "a,b\n1,2\n\n", ErrFieldCount, 2, 3, "has 1 fields, header has 2"},
		{"line counts embedded newlines", "a,b\n\"x\ny\",2\n3\n", ErrFieldCount, 2, 4, ""},
		{"bare quote", "a,b\n1,x\"y\n", ErrBareQuote, 1, 2, `in field 2: "x\"y\n"`},
		{"bare quote after space", "a,b\n1, \"y\"\n", ErrBareQuote, 1, 2, ""},
		{"bare quote in header", "a\"b\n1\n", ErrBareQuote, 0, 1, "csv header (line 1)"},
		{"unterminated quote", "a,b\n1,2\n3,\"abc\n", ErrQuote, 2, 3, `quoted field 2 is never closed: "\"abc\n"`},
		{"unterminated quote at EOF", "a\n\"", ErrQuote, 1, 2, ""},
		{"triple quote", "a\n\"\"\"\n", ErrQuote, 1, 2, ""},
		{"data after closing quote", "a,b\n\"x\"y,2\n", ErrQuote, 1, 2, `unexpected 'y' after closing quote of field 1`},
		{"CR after closing quote", "a\n\"x\"\ry\n", ErrQuote, 1, 2, ""},
		{"long snippet truncated", "a\n\"" + strings.Repeat("x", 1000), ErrQuote, 1, 2, `"\"` + strings.Repeat("x", 39) + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ParseTable([]byte(tt.in))
			require.Nil(t, tab)
			require.ErrorIs(t, err, tt.wantErr)
			var ce *CSVError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tt.wantRecord, ce.Record, "record number")
			require.Equal(t, tt.wantLine, ce.Line, "line number")
			require.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

func TestParseTableHugeValue(t *testing.T) {
	// A 12 MB _raw with quotes, CRLF and lone CRs, between two ordinary fields.
	raw := strings.Repeat(`{"eventName":"GetObject","note":"line1`+"\r\nline2\rline3\n"+`"},`, 12<<20/64)
	require.Greater(t, len(raw), 10<<20)
	body := AppendRecord(nil, []string{"_time", "_raw", "n"})
	body = AppendRecord(body, []string{"1", raw, "x"})
	body = AppendRecord(body, []string{"2", "small", "y"})
	tab, err := ParseTable(body)
	require.NoError(t, err)
	require.Len(t, tab.Rows, 2)
	require.True(t, tab.Rows[0][1] == raw, "10 MB value must survive byte-exact")
	require.Equal(t, []string{"2", "small", "y"}, tab.Rows[1])
}

func TestTableColValues(t *testing.T) {
	body := "host,n,\"__mv_host\",\"__mv_n\",tag\n" +
		"\"a\nb\",1,\"$a$;$b$\",,\n" + // multivalue: prefer __mv_
		"c,,,,x\n" + // single value, empty n
		"\"$$\",2,\"$$$$\",\"$2$\",\n" + // '$' escaped in __mv_
		"d,3,\"$broken\",,\n" // malformed __mv_: fall back to plain
	tab, err := ParseTable([]byte(body))
	require.NoError(t, err)

	require.Equal(t, 0, tab.Col("host"))
	require.Equal(t, 2, tab.Col("__mv_host"))
	require.Equal(t, 4, tab.Col("tag"))
	require.Equal(t, -1, tab.Col("missing"))

	tests := []struct {
		row  int
		name string
		want []string
	}{
		{0, "host", []string{"a", "b"}},
		{0, "n", []string{"1"}},
		{0, "tag", nil},
		{0, "missing", nil},
		{1, "host", []string{"c"}},
		{1, "n", nil},
		{1, "tag", []string{"x"}},
		{2, "host", []string{"$"}},
		{2, "n", []string{"2"}},
		{3, "host", []string{"d"}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tab.Values(tt.row, tt.name), "row %d field %q", tt.row, tt.name)
	}
}

func TestTableColDuplicate(t *testing.T) {
	tab := &Table{Header: []string{"a", "b", "a"}}
	require.Equal(t, 0, tab.Col("a"), "first of duplicate columns wins")
	require.Equal(t, 1, tab.Col("b"))
}

func TestMultivalue(t *testing.T) {
	tests := []struct {
		enc  string
		vals []string
	}{
		{"", nil},
		{"$$", []string{""}},
		{"$a$", []string{"a"}},
		{"$a$;$b$", []string{"a", "b"}},
		{"$FIREFLY-WIN$;$beatles$", []string{"FIREFLY-WIN", "beatles"}},
		{"$$$$", []string{"$"}},
		{"$a$$b$;$$$$$$$$", []string{"a$b", "$$$"}},
		{"$$;$$", []string{"", ""}},
		{"$a;b$", []string{"a;b"}},
		{"$x\ny$;$ท$", []string{"x\ny", "ท"}},
	}
	for _, tt := range tests {
		got, err := DecodeMV(tt.enc)
		require.NoError(t, err, "decode %q", tt.enc)
		require.Equal(t, tt.vals, got, "decode %q", tt.enc)
		require.Equal(t, tt.enc, EncodeMV(tt.vals), "encode %q", tt.vals)
	}
	require.Empty(t, EncodeMV([]string{}))
}

func TestDecodeMVMalformed(t *testing.T) {
	for _, in := range []string{
		"a",       // not wrapped
		"$a",      // never closed
		"$a$$",    // "$$" escapes, so never closed
		"$a$b",    // junk after value
		"$a$;",    // trailing separator
		"$a$;b",   // second value not wrapped
		"$a$,$b$", // wrong separator
		";$a$",    // leading separator
		"$",       // lone dollar
		" $a$",    // leading space
	} {
		vals, err := DecodeMV(in)
		require.ErrorIs(t, err, ErrMultivalue, "input %q", in)
		require.Nil(t, vals, "input %q", in)
	}
}

func TestAppendRecord(t *testing.T) {
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{"plain", []string{"a", "66", "Noah"}, "a,66,Noah\n"},
		{"empty values", []string{"", "x", ""}, ",x,\n"},
		{"single empty field quoted", []string{""}, "\"\"\n"},
		{"zero fields", nil, "\n"},
		{"comma", []string{"a,b"}, "\"a,b\"\n"},
		{"quote", []string{`say "hi"`}, "\"say \"\"hi\"\"\"\n"},
		{"LF", []string{"a\nb"}, "\"a\nb\"\n"},
		{"CRLF kept", []string{"a\r\nb"}, "\"a\r\nb\"\n"},
		{"lone CR", []string{"a\rb"}, "\"a\rb\"\n"},
		{"leading space", []string{" a"}, "\" a\"\n"},
		{"trailing tab", []string{"a\t"}, "\"a\t\"\n"},
		{"inner space bare", []string{"a b"}, "a b\n"},
		{"punctuation bare", []string{"_time", "1627354345.934", "$a$;$b$"}, "_time,1627354345.934,$a$;$b$\n"},
		{"multibyte bare", []string{"ทt"}, "ทt\n"},
		{"invalid UTF-8 bare", []string{"\xff"}, "\xff\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendRecord([]byte("prefix|"), tt.fields)
			require.Equal(t, "prefix|"+tt.want, string(got))
		})
	}
}

func TestAppendCSVEmptyTable(t *testing.T) {
	require.Empty(t, (&Table{}).AppendCSV(nil))
	require.Equal(t, "a,b\n", string((&Table{Header: []string{"a", "b"}}).AppendCSV(nil)))
}

// TestRecordsAllocs guards the allocation budget of the CSV hot path:
// AppendRecord into a big enough buffer allocates nothing, and ParseTable
// allocates a constant number of times per table, not per record.
func TestRecordsAllocs(t *testing.T) {
	fields := []string{"1627354345.934", `{"a":"b, c"}`, "", "x\r\ny"}
	dst := make([]byte, 0, 1024)
	require.Zero(t, testing.AllocsPerRun(100, func() { dst = AppendRecord(dst[:0], fields) }))

	var body []byte
	body = AppendRecord(body, []string{"_time", "_raw", "empty", "multi"})
	const rows = 500
	for range rows {
		body = AppendRecord(body, fields)
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := ParseTable(body); err != nil {
			t.Fatal(err)
		}
	})
	// The body's string, the side buffer of `""` values (grown by append) and its string, the
	// cells, the rows, the fixups (grown by append) and the Table: none of them per record.
	require.LessOrEqual(t, allocs, float64(40))
}

func TestAppendRecordNums(t *testing.T) {
	fields := []string{"a", "b,c", "", "d", ""}
	cases := [][]Num{nil, {{0, 1.5}}, {{2, -0.25}}, {{4, 1e21}}, {{0, 3}, {1, 4}}, {{1, 12.5}, {4, 7}}, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}}
	for _, nums := range cases {
		want := append([]string(nil), fields...)
		for _, n := range nums {
			want[n.Col] = strconv.FormatFloat(n.V, 'f', -1, 64)
		}
		require.Equal(t, string(AppendRecord(nil, want)), string(AppendRecordNums(nil, fields, nums)), "%v", nums)
	}
}

// TestViewMatchesTable checks that the in-place View reads every cell as the Table does, on bodies
// with quoted, escaped, empty and CRLF values, and that its parse allocates a constant number of
// times however many records there are.
func TestViewMatchesTable(t *testing.T) {
	fields := []string{"1627354345.934", `{"a":"b, c"}`, "", "x\r\ny", `say ""hi""`}
	for _, rows := range []int{0, 1, 7, 300} {
		body := AppendRecord(nil, []string{"_time", "_raw", "empty", "multi", "q"})
		for range rows {
			body = AppendRecord(body, fields)
		}
		tab, err := ParseTable(body)
		require.NoError(t, err)
		v, err := ParseView(body)
		require.NoError(t, err)
		require.Equal(t, tab.Header, v.Header)
		require.Equal(t, rows, v.Len())
		row := make([]string, len(v.Header))
		for r := range rows {
			require.Equal(t, tab.Rows[r], v.Row(r, row))
			require.Equal(t, fields[4], v.Cell(r, 4))
		}
		require.Equal(t, 1, v.Col("_raw"))
		require.Equal(t, -1, v.Col("nope"))
	}
	body := AppendRecord(nil, []string{"a", "b"})
	for i := range 1000 {
		body = AppendRecord(body, []string{strconv.Itoa(i), `x"y`})
	}
	var v View
	require.NoError(t, v.Parse(body))
	allocs := testing.AllocsPerRun(20, func() { _ = v.Parse(body) })
	require.LessOrEqual(t, allocs, float64(6)) // body string, side buffer and its string, header
}

// TestFloatCache checks that cached texts are those strconv makes, for values that recur (hits),
// collide in a slot, or are too long to cache.
func TestFloatCache(t *testing.T) {
	var c FloatCache
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.0 / 3, 12.345678901234567, 1e21, -2.5e-300, 123456789012345678}
	for i := range 10000 {
		vals = append(vals, float64(i%97)*0.37-11, float64(i)*1e-9)
	}
	for _, v := range vals {
		want := strconv.FormatFloat(v, 'f', -1, 64)
		require.Equal(t, want, string(c.Append([]byte("x"), v))[1:], "%v", v)
		require.Equal(t, want, string(c.Append(nil, v)), "%v again", v)
	}
	require.Equal(t, "2.5", string((*FloatCache)(nil).Append(nil, 2.5)))
}

func TestAppendSplunkdRecord(t *testing.T) {
	cases := []struct {
		in   []string
		want string
	}{
		{[]string{"abc", "", "A1"}, "abc,,A1\n"},                                     // alphanumeric and empty: bare
		{[]string{"a b", "x.y", `say "hi"`}, "\"a b\",\"x.y\",\"say \"\"hi\"\"\"\n"}, // anything else: quoted, '"' doubled
		{[]string{"line\nbreak"}, "\"line\nbreak\"\n"},
	}
	for _, c := range cases {
		got := AppendSplunkdRecord(nil, c.in)
		require.Equal(t, c.want, string(got))
		tab, err := ParseTable(append([]byte("h"+strings.Repeat(",h", len(c.in)-1)+"\n"), got...))
		require.NoError(t, err)
		require.Equal(t, c.in, tab.Rows[0], "reads back")
	}
}

// TestViewRecordRaw checks that a record echoed raw with cells appended (AppendRawRecordNums)
// reads back as the record's values followed by those cells, whatever the input's quoting and
// terminators: CRLF, no final terminator, splunkd's quoting, quoted CR/LF and '""' inside values.
func TestViewRecordRaw(t *testing.T) {
	rows := [][]string{
		{"1627354345.934", `{"a":"b, c"}`, "", "x\r\ny", `say ""hi""`},
		{"", "", "", "", ""},
		{"a\r", "b\n", "\"", " lead", "trail\r"},
	}
	add := []string{"", "a,b", "plain", ""}
	nums := []Num{{Col: 3, V: 0.25}}
	for _, name := range []string{"minimal", "splunkd", "crlf", "noeol"} {
		var body []byte
		header := []string{"h1", "h2", "h3", "h4", "h5"}
		for i, r := range append([][]string{header}, rows...) {
			if name == "splunkd" {
				body = AppendSplunkdRecord(body, r)
			} else {
				body = AppendRecord(body, r)
			}
			if name == "crlf" {
				body = append(body[:len(body)-1], '\r', '\n')
			}
			if name == "noeol" && i == len(rows) {
				body = body[:len(body)-1]
			}
		}
		v, err := ParseView(body)
		require.NoError(t, err, name)
		require.Equal(t, len(rows), v.Len())
		var out []byte
		out = AppendRecord(out, append(header, "o1", "o2", "o3", "o4"))
		for r := range v.Len() {
			out = AppendRawRecordNums(out, v.Record(r), add, nums, nil)
		}
		tab, err := ParseTable(out)
		require.NoError(t, err, "%s: %q", name, out)
		for r, want := range rows {
			require.Equal(t, append(slices.Clone(want), "", "a,b", "plain", "0.25"), tab.Rows[r], name)
		}
	}
}

// TestFloatCacheBypass: a window of values that never recur turns the cache off for a while
// (each miss costs a cache line); then it is tried again, and recurring values hit it.
func TestFloatCacheBypass(t *testing.T) {
	var c FloatCache
	for i := range floatWindow {
		c.Append(nil, float64(i)+0.5)
	}
	require.Equal(t, floatBypass, c.skip, "a window without hits")
	for i := range floatBypass {
		v := float64(i) * 1.25
		require.Equal(t, strconv.FormatFloat(v, 'f', -1, 64), string(c.Append(nil, v)))
	}
	require.Zero(t, c.skip)
	for range 10 {
		c.Append(nil, 7777.125) // not seen before: one miss, then hits
	}
	require.Equal(t, 9, c.hits, "recurring values hit the cache again")
}
