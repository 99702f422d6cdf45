package table

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// CSV body codec. splunkd's bodies are RFC 4180 CSV: comma separator, '"'
// quoting with '""' as the escaped quote, first record = header. This codec
// is byte-exact, unlike encoding/csv, which turns "\r\n" inside quoted values
// into "\n": an event's _raw read here and written back with [AppendRecord]
// is the same bytes.

// Causes of a [*CSVError]; test for them with [errors.Is].
var (
	ErrBareQuote  = errors.New(`csv: bare " in unquoted field`)
	ErrQuote      = errors.New(`csv: extraneous or missing " in quoted field`)
	ErrFieldCount = errors.New("csv: wrong number of fields")
	ErrMultivalue = errors.New("csv: malformed multivalue encoding")
)

// CSVError reports a malformed CSV body and where the problem is.
type CSVError struct {
	Record int   // 1-based data record number; 0 means the header
	Line   int   // 1-based line of the body on which the record starts
	Err    error // ErrBareQuote, ErrQuote or ErrFieldCount, wrapped with details
}

func (e *CSVError) Error() string {
	if e.Record == 0 {
		return fmt.Sprintf("csv header (line %d): %v", e.Line, e.Err)
	}
	return fmt.Sprintf("csv record %d (line %d): %v", e.Record, e.Line, e.Err)
}

func (e *CSVError) Unwrap() error { return e.Err }

// Table is a decoded CSV body.
//
// The strings do not alias the body they were parsed from, so a Table
// outlives the [Chunk] it came from. All values of one Table share a few
// allocations (one copy of the body, one buffer for the values that held
// '""'), so keeping any value keeps the whole body alive: code that keeps
// values beyond the chunk (a fit interning categories) must strings.Clone them.
type Table struct {
	Header []string   // column names exactly as in the body, including "__mv_<f>" columns
	Rows   [][]string // one []string per record, len == len(Header)

	col map[string]int // built by Col on first use
}

// ParseTable parses a CSV body.
//
// An empty body yields an empty Table (no header, no rows); a body that
// holds only a header yields zero rows. Records end with "\n" or "\r\n";
// the last record may lack its terminator. A line that is empty is a
// record of one empty field. Inside a quoted field every byte is kept as
// it is: LF, CRLF, a lone CR, any UTF-8 (invalid UTF-8 is passed through).
// Outside quotes a CR that is not followed by LF is data too.
//
// Errors are [*CSVError]s: a record whose field count differs from the
// header's ([ErrFieldCount]), a '"' inside an unquoted field
// ([ErrBareQuote]), and a quoted field that is not closed or is followed
// by anything other than a separator ([ErrQuote]).
//
// Cost: see [ParseView]; the Table adds one string header per value and
// one slice per row, still a constant number of allocations per chunk.
func ParseTable(body []byte) (*Table, error) {
	var v View
	if err := v.Parse(body); err != nil {
		return nil, err
	}
	return v.Table(), nil
}

// View is a parsed CSV body whose values stay in place: one string copy of
// the body, and for every cell two offsets into it. It holds no pointer per
// value, so the garbage collector has nothing to scan in it and parsing
// allocates a constant number of times per chunk; the streaming hot path
// (apply, score) reads rows through it. Values that held '""' are unescaped
// into a side string.
//
// The strings a View hands out alias its own copy of the body, never the
// chunk buffer, so they stay valid after the next [Reader.ReadChunk]; as with
// [Table], keeping one keeps the whole body alive.
type View struct {
	Header []string

	str   string   // string(body)
	side  string   // unescaped values of quoted fields that held '""'
	off   []uint32 // per cell: start, end; start has sideBit set when the value is in side
	recs  []uint32 // per record (header excluded): start, end of its bytes in str, terminator excluded
	ncol  int
	nrows int
	col   map[string]int
}

// sideBit marks a cell offset into View.side. Bodies are at most
// DefaultMaxBody (2 GiB) long, so offsets fit in the other 31 bits.
const sideBit = 1 << 31

// ParseView parses body into a new View; see [View.Parse].
func ParseView(body []byte) (*View, error) {
	v := &View{}
	if err := v.Parse(body); err != nil {
		return nil, err
	}
	return v, nil
}

// Parse parses body into v, reusing v's offset storage (the strings handed
// out before stay valid: the body is copied afresh). Syntax and errors are
// those of [ParseTable]. On error v is empty.
func (v *View) Parse(body []byte) error {
	off, recs := v.off[:0], v.recs[:0]
	*v = View{}
	if len(body) == 0 {
		return nil
	}
	if int64(len(body)) >= sideBit {
		return fmt.Errorf("csv: body of %d bytes is too large, the limit is %d", len(body), sideBit-1)
	}
	p := csvParser{buf: body, off: off}
	if err := p.scanRecord(); err != nil {
		return err
	}
	ncol := len(p.off) / 2

	// Every record ends in '\n' (except perhaps the last), so the newline
	// count bounds the number of rows; so does the body length, since a
	// record of ncol fields takes at least ncol bytes (separators and
	// terminator). The smaller bound sizes the offsets ahead.
	est := min(bytes.Count(body[p.pos:], []byte{'\n'})+1, len(body[p.pos:])/ncol+1)
	p.off = slices.Grow(p.off, 2*ncol*est)
	recs = slices.Grow(recs, 2*est)
	nrows := 0
	for p.pos < len(body) {
		p.record++
		first := len(p.off)
		if err := p.scanRecord(); err != nil {
			return err
		}
		if n := (len(p.off) - first) / 2; n != ncol {
			return p.errorf(ErrFieldCount, "has %d fields, header has %d", n, ncol)
		}
		// The terminator is "\n" or "\r\n" (a CR before the LF is never data, see scanRecord),
		// or nothing at the end of the body.
		end := p.pos
		if end > p.start && body[end-1] == '\n' {
			end--
			if end > p.start && body[end-1] == '\r' {
				end--
			}
		}
		recs = append(recs, uint32(p.start), uint32(end))
		nrows++
	}
	v.str = string(body)
	v.side = p.side.String()
	v.off, v.recs, v.ncol, v.nrows = p.off, recs, ncol, nrows
	v.Header = make([]string, ncol)
	v.Row(-1, v.Header)
	return nil
}

// Len is the number of records, not counting the header.
func (v *View) Len() int { return v.nrows }

// Cell returns the value of column c in record r (0-based, header excluded).
func (v *View) Cell(r, c int) string {
	k := 2 * ((r+1)*v.ncol + c)
	return v.cell(v.off[k], v.off[k+1])
}

func (v *View) cell(a, b uint32) string {
	if a&sideBit != 0 {
		return v.side[a&^sideBit : b]
	}
	return v.str[a:b]
}

// Row fills dst (len(dst) == len(Header)) with the values of record r and
// returns it. Reusing dst across rows allocates nothing.
func (v *View) Row(r int, dst []string) []string {
	off := v.off[2*(r+1)*v.ncol : 2*(r+2)*v.ncol]
	dst = dst[:v.ncol]
	for c := range dst {
		dst[c] = v.cell(off[2*c], off[2*c+1])
	}
	return dst
}

// Record returns the bytes of record r as they are in the body, quotes and all, without the line
// terminator: a reply that echoes a record unchanged and adds cells copies it instead of
// re-encoding every value (see [AppendRawRecordNums]).
func (v *View) Record(r int) string {
	return v.str[v.recs[2*r]:v.recs[2*r+1]]
}

// Col returns the index of the first column called name, or -1.
func (v *View) Col(name string) int {
	if v.col == nil {
		v.col = make(map[string]int, len(v.Header))
		for i := len(v.Header) - 1; i >= 0; i-- {
			v.col[v.Header[i]] = i
		}
	}
	if i, ok := v.col[name]; ok {
		return i
	}
	return -1
}

// Table materialises v: the same strings, as rows of a [Table].
func (v *View) Table() *Table {
	t := &Table{}
	if v.ncol == 0 {
		return t
	}
	t.Header = v.Header
	cells := make([]string, v.nrows*v.ncol)
	t.Rows = make([][]string, v.nrows)
	for r := range t.Rows {
		t.Rows[r] = v.Row(r, cells[r*v.ncol:(r+1)*v.ncol:(r+1)*v.ncol])
	}
	return t
}

type csvParser struct {
	buf    []byte
	pos    int             // start of the next record
	start  int             // start of the current record
	record int             // current record number, 0 = header
	off    []uint32        // start, end of every field parsed so far (see View.off)
	side   strings.Builder // unescaped contents of quoted fields that held '""'
}

// csvSpecial marks the bytes that end an unquoted run of field content.
var csvSpecial = [256]bool{',': true, '\n': true, '\r': true, '"': true}

// scanRecord appends the fields of the record starting at p.pos to p.off
// and moves p.pos past its terminator.
func (p *csvParser) scanRecord() error {
	buf := p.buf
	i := p.pos
	p.start = i
	nf := 0 // fields of this record so far
	for {
		if i < len(buf) && buf[i] == '"' {
			// Quoted field: jump from quote to quote. Without '""' the value
			// is a substring of the body; with one, it is unescaped into side.
			j := i + 1
			a := -1 // start of this value in p.side once a '""' was seen
			for {
				k := bytes.IndexByte(buf[j:], '"')
				if k < 0 {
					return p.errorf(ErrQuote, "quoted field %d is never closed: %q", nf+1, csvSnippet(buf[i:]))
				}
				if j+k+1 < len(buf) && buf[j+k+1] == '"' {
					if a < 0 {
						if p.side.Cap() == 0 {
							// Room for every quoted value left in the body, so that the side
							// buffer is allocated once; String() then returns it without a copy.
							p.side.Grow(len(buf) - i)
						}
						a = p.side.Len()
						p.side.Write(buf[i+1 : j])
					}
					p.side.Write(buf[j : j+k+1]) // the run and one '"'
					j += k + 2
					continue
				}
				if a < 0 {
					p.off = append(p.off, uint32(i+1), uint32(j+k))
				} else {
					p.side.Write(buf[j : j+k])
					p.off = append(p.off, uint32(a)|sideBit, uint32(p.side.Len()))
				}
				j += k
				break
			}
			if n := int(p.off[len(p.off)-1]) - int(p.off[len(p.off)-2]&^sideBit); n > MaxFieldBytes {
				return p.errorf(fieldTooLong(n), "field %d", nf+1)
			}
			nf++
			i = j + 1
			if i == len(buf) {
				p.pos = i
				return nil
			}
			switch buf[i] {
			case ',':
				i++
				continue
			case '\n':
				p.pos = i + 1
				return nil
			case '\r':
				if i+1 < len(buf) && buf[i+1] == '\n' {
					p.pos = i + 2
					return nil
				}
			}
			return p.errorf(ErrQuote, "unexpected %q after closing quote of field %d: %q",
				buf[i], nf, csvSnippet(buf[j-min(j-p.start, 20):]))
		}

		// Unquoted field.
		j := i
		for {
			j = plainPrefix(buf, j)
			if j < len(buf) && buf[j] == '\r' && (j+1 == len(buf) || buf[j+1] != '\n') {
				j++ // a lone CR is data
				continue
			}
			break
		}
		if j-i > MaxFieldBytes {
			return p.errorf(fieldTooLong(j-i), "field %d", nf+1)
		}
		p.off = append(p.off, uint32(i), uint32(j))
		nf++
		if j == len(buf) {
			p.pos = j
			return nil
		}
		switch buf[j] {
		case ',':
			i = j + 1
		case '\n':
			p.pos = j + 1
			return nil
		case '\r': // followed by '\n', see above
			p.pos = j + 2
			return nil
		default: // '"'
			return p.errorf(ErrBareQuote, "in field %d: %q", nf, csvSnippet(buf[i:]))
		}
	}
}

func (p *csvParser) errorf(cause error, format string, args ...any) error {
	line := 1 + bytes.Count(p.buf[:p.start], []byte{'\n'})
	return &CSVError{Record: p.record, Line: line, Err: fmt.Errorf("%w: "+format, append([]any{cause}, args...)...)}
}

// csvSnippet truncates b for quoting in an error message.
func csvSnippet(b []byte) []byte {
	const max = 40
	if len(b) > max {
		return b[:max]
	}
	return b
}

// Col returns the index of the first column called name, or -1.
//
// The first call builds an index of Header; modify Header only before
// that. Because of that lazy index, Col (and [Table.Values]) must not be
// called for the first time from several goroutines at once.
func (t *Table) Col(name string) int {
	if t.col == nil {
		t.col = make(map[string]int, len(t.Header))
		for i := len(t.Header) - 1; i >= 0; i-- {
			t.col[t.Header[i]] = i
		}
	}
	if i, ok := t.col[name]; ok {
		return i
	}
	return -1
}

// Values returns the values of field name in row i. It prefers the
// multivalue column "__mv_"+name when that is present and non-empty in the
// row (decoded with [DecodeMV]), and otherwise returns the plain column's
// value as a one-element slice. It returns nil when the field is absent or
// its value is empty. A malformed "__mv_" value falls back to the plain
// column, because the plain column always holds the data too.
func (t *Table) Values(i int, name string) []string {
	row := t.Rows[i]
	if j := t.Col("__mv_" + name); j >= 0 && row[j] != "" {
		if vals, err := DecodeMV(row[j]); err == nil {
			return vals
		}
	}
	if j := t.Col(name); j >= 0 && row[j] != "" {
		return []string{row[j]}
	}
	return nil
}

// DecodeMV decodes splunkd's multivalue encoding, as found in "__mv_"
// columns: each value wrapped in '$', values joined by ';', and '$' inside
// a value doubled. "$a$;$b$" → [a b], "$x$$y$" → [x$y], "$$" → [""].
// The empty string decodes to nil (no values). Anything else, including a
// trailing ';', is an error wrapping [ErrMultivalue].
func DecodeMV(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	vals := make([]string, 0, strings.Count(s, ";")+1)
	i := 0
	for {
		if i >= len(s) || s[i] != '$' {
			return nil, fmt.Errorf("%w: expected '$' at byte %d of %q", ErrMultivalue, i, mvSnippet(s))
		}
		i++
		start, escaped := i, false
		for {
			k := strings.IndexByte(s[i:], '$')
			if k < 0 {
				return nil, fmt.Errorf("%w: value starting at byte %d of %q is never closed", ErrMultivalue, start-1, mvSnippet(s))
			}
			i += k
			if i+1 < len(s) && s[i+1] == '$' {
				escaped = true
				i += 2
				continue
			}
			break
		}
		v := s[start:i]
		if escaped {
			v = strings.ReplaceAll(v, "$$", "$")
		}
		vals = append(vals, v)
		i++ // closing '$'
		if i == len(s) {
			return vals, nil
		}
		if s[i] != ';' {
			return nil, fmt.Errorf("%w: expected ';' at byte %d of %q", ErrMultivalue, i, mvSnippet(s))
		}
		i++
	}
}

func mvSnippet(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max]
	}
	return s
}

// EncodeMV is the inverse of [DecodeMV]: [a b] → "$a$;$b$". No values
// encode to "".
func EncodeMV(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	n := 0
	for _, v := range vals {
		n += len(v) + 3 + strings.Count(v, "$")
	}
	var b strings.Builder
	b.Grow(n)
	for k, v := range vals {
		if k > 0 {
			b.WriteByte(';')
		}
		b.WriteByte('$')
		for {
			j := strings.IndexByte(v, '$')
			if j < 0 {
				break
			}
			b.WriteString(v[:j+1])
			b.WriteByte('$')
			v = v[j+1:]
		}
		b.WriteString(v)
		b.WriteByte('$')
	}
	return b.String()
}

// AppendRecord appends one CSV record to dst: fields joined by ',' and
// terminated by '\n' (never "\r\n", which splunkd does not need).
//
// Quoting is minimal. A field is quoted iff it contains ',', '"', '\n' or
// '\r', or starts or ends with ' ' or '\t' (other readers may trim
// unquoted space), or it is the only field of the record and empty (an
// empty line would be skipped by many readers, Python's csv writer does
// the same). Inside quotes '"' is doubled; every other byte, including
// invalid UTF-8, is written as is. [ParseTable] reads the result back to
// the same strings.
//
// A record of zero fields is written as an empty line, which reads back as
// one empty field.
func AppendRecord(dst []byte, fields []string) []byte {
	for k, f := range fields {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendField(dst, f, len(fields) == 1)
	}
	return append(dst, '\n')
}

// appendField appends one cell; only is true when it is the record's only field (an empty only
// field is written "" so that the record is not an empty line).
func appendField(dst []byte, f string, only bool) []byte {
	if f == "" && !only {
		return dst
	}
	if !fieldNeedsQuotes(f) && f != "" {
		return append(dst, f...)
	}
	return appendQuoted(dst, f)
}

// AppendField appends one cell of a record that has several, quoted as [AppendRecord] quotes
// it: a caller writing a record cell by cell puts the ',' between them.
func AppendField(dst []byte, f string) []byte { return appendField(dst, f, false) }

// NeedsQuotes reports whether AppendField quotes f.
func NeedsQuotes(f string) bool { return fieldNeedsQuotes(f) }

// AppendSplunkdRecord appends one record quoted as splunkd quotes the bodies it sends to a
// command: a cell is quoted iff it is non-empty and has a byte outside [A-Za-z0-9]
// (scp-v2.md §4). [ParseTable] reads it back to the same strings; the splunkd simulator and the
// benchmarks use it to send what splunkd sends.
func AppendSplunkdRecord(dst []byte, fields []string) []byte {
	for k, f := range fields {
		if k > 0 {
			dst = append(dst, ',')
		}
		if alnum(f) {
			dst = append(dst, f...)
			continue
		}
		dst = appendQuoted(dst, f)
	}
	return append(dst, '\n')
}

// alnum reports whether every byte of f is in [A-Za-z0-9] (true for "").
func alnum(f string) bool {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// appendQuoted appends f in double quotes, with '"' doubled.
func appendQuoted(dst []byte, f string) []byte {
	dst = append(dst, '"')
	for {
		j := strings.IndexByte(f, '"')
		if j < 0 {
			break
		}
		dst = append(dst, f[:j+1]...)
		dst = append(dst, '"')
		f = f[j+1:]
	}
	dst = append(dst, f...)
	return append(dst, '"')
}

// Num is a numeric cell for [AppendRecordNums]: the value of column Col.
type Num struct {
	Col int
	V   float64
}

// AppendRecordNums is [AppendRecord] with the cells of nums (sorted by Col) written straight from
// their float64 values, formatted as strconv.FormatFloat(v, 'f', -1, 64) would, without making a
// string of each: the apply hot path writes one prediction per event.
func AppendRecordNums(dst []byte, fields []string, nums []Num) []byte {
	return AppendRecordNumsCached(dst, fields, nums, nil)
}

// AppendRecordNumsCached is [AppendRecordNums] remembering recent texts in c (nil for none).
func AppendRecordNumsCached(dst []byte, fields []string, nums []Num, c *FloatCache) []byte {
	for k, f := range fields {
		if k > 0 {
			dst = append(dst, ',')
		}
		if len(nums) > 0 && nums[0].Col == k {
			dst = c.Append(dst, nums[0].V) // digits, '.', '-': never quoted
			nums = nums[1:]
			continue
		}
		dst = appendField(dst, f, len(fields) == 1)
	}
	return append(dst, '\n')
}

// AppendRawRecordNums appends the record raw (a record's CSV bytes, without terminator, e.g.
// [View.Record]) followed by the cells fields, each after a ',', with the cells of nums (sorted
// by Col, an index into fields) written as by [AppendRecordNums], then '\n'. raw must hold at
// least one field (a record is never empty: an empty line is one empty field, and then fields
// must not be empty either, or the line would read as nothing).
func AppendRawRecordNums(dst []byte, raw string, fields []string, nums []Num, c *FloatCache) []byte {
	dst = append(dst, raw...)
	for k, f := range fields {
		dst = append(dst, ',')
		if len(nums) > 0 && nums[0].Col == k {
			dst = c.Append(dst, nums[0].V)
			nums = nums[1:]
			continue
		}
		dst = appendField(dst, f, false)
	}
	return append(dst, '\n')
}

// FloatCache remembers the text of recently formatted float64s, direct-mapped by their bits:
// shortest-form formatting costs ~25 ns ([AppendFloat]; strconv ~60), a hit a few. A model over categorical fields
// predicts one value per combination of categories, so the same predictions recur chunk after
// chunk. The zero value is ready; it is not safe for concurrent use.
type FloatCache struct {
	slots [floatCacheSlots]floatSlot
	// Predictions that never repeat (a model with a numeric or a per-principal feature) make
	// every lookup a miss that costs a cache line: after a window of lookups with few hits the
	// cache is bypassed for a while, then tried again.
	looks, hits int
	skip        int
}

const (
	floatCacheBits  = 12
	floatCacheSlots = 1 << floatCacheBits // 32 bytes each, 128 KiB: fits in L2

	floatWindow = 1024      // lookups between two looks at the hit rate
	floatBypass = 16 * 1024 // values formatted without the cache after a window of < 1/8 hits
)

type floatSlot struct {
	bits uint64
	n    uint8 // 0 = empty
	text [23]byte
}

// Append appends strconv.FormatFloat(v, 'f', -1, 64) to dst. A nil c formats every time.
func (c *FloatCache) Append(dst []byte, v float64) []byte {
	if c == nil {
		return AppendFloat(dst, v)
	}
	if c.skip > 0 {
		c.skip--
		return AppendFloat(dst, v)
	}
	if c.looks++; c.looks == floatWindow {
		if c.hits < floatWindow/8 {
			c.skip = floatBypass
		}
		c.looks, c.hits = 0, 0
	}
	bits := math.Float64bits(v)
	s := &c.slots[(bits*0x9E3779B97F4A7C15)>>(64-floatCacheBits)] // Fibonacci hashing
	if s.n > 0 && s.bits == bits {
		c.hits++
		return append(dst, s.text[:s.n]...)
	}
	n := len(dst)
	dst = AppendFloat(dst, v)
	if t := dst[n:]; len(t) <= len(s.text) {
		s.bits, s.n = bits, uint8(copy(s.text[:], t))
	}
	return dst
}

// fieldNeedsQuotes reports whether f must be quoted (see [AppendRecord]).
func fieldNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if c := f[0]; c == ' ' || c == '\t' {
		return true
	}
	if c := f[len(f)-1]; c == ' ' || c == '\t' {
		return true
	}
	if len(f) >= 64 {
		// Long values (_raw): four vectorised scans beat a word loop.
		return strings.IndexByte(f, '"') >= 0 || strings.IndexByte(f, ',') >= 0 ||
			strings.IndexByte(f, '\n') >= 0 || strings.IndexByte(f, '\r') >= 0
	}
	return !plainString(f)
}

// AppendCSV appends t to dst as a CSV body: the header, then every row,
// each written by [AppendRecord]. An empty Table (no header) appends
// nothing, so it round-trips through [ParseTable] as an empty body.
func (t *Table) AppendCSV(dst []byte) []byte {
	if len(t.Header) == 0 {
		return dst
	}
	dst = AppendRecord(dst, t.Header)
	for _, row := range t.Rows {
		dst = AppendRecord(dst, row)
	}
	return dst
}

// Word-at-a-time search for the CSV special bytes ',' '"' '\n' '\r', eight bytes per step: most
// values are short runs of plain text, where bytes.IndexAny costs more to set up than it saves.
// A byte b of x is zero iff ((x-lo)&^x&hi) has its high bit set, for the lowest such byte exactly
// (the classic haszero test); XOR with a broadcast byte turns "equals c" into "is zero".

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

func zeroBytes(x uint64) uint64 { return (x - lo8) &^ x & hi8 }

// specialMask is non-zero iff one of the eight bytes of x is ',', '"', '\n' or '\r'.
func specialMask(x uint64) uint64 {
	return zeroBytes(x^(lo8*',')) | zeroBytes(x^(lo8*'"')) | zeroBytes(x^(lo8*'\n')) | zeroBytes(x^(lo8*'\r'))
}

// plainPrefix returns the length of the longest prefix of b[i:] free of special bytes, plus i.
func plainPrefix(b []byte, i int) int {
	for i+8 <= len(b) && specialMask(binary.LittleEndian.Uint64(b[i:])) == 0 {
		i += 8
	}
	for i < len(b) && !csvSpecial[b[i]] {
		i++
	}
	return i
}

// plainString reports whether s holds no special byte.
func plainString(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if specialMask(x) != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if csvSpecial[s[i]] {
			return false
		}
	}
	return true
}
