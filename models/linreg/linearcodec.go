package linreg

import (
	"awsrisk/models"
	"awsrisk/models/internal/jsonscan"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// The LinearRegression body (the "model" of a model file, see store.go) is one JSON object:
//
//	{
//	  "target": "risk_score",
//	  "features": ["eventName", "sourceIPAddress", "bytes_out"],
//	  "fit_intercept": true,
//	  "intercept": 3.25,
//	  "numeric": {"bytes_out": 0.01},
//	  "means": {"bytes_out": 512},
//	  "stats": {...FitStats...},
//	  "categorical_tables": {
//	    "eventName": {
//	      "count": 2,
//	      "values": ["CreateUser", "StopLogging"],
//	      "coefficients": "AAAAAAAAPkAAAAAAAABOQA=="
//	    }
//	  }
//	}
//
// Each categorical field is a table: its training values as JSON strings, sorted byte-wise
// (strictly increasing: no duplicates), and their coefficients in the same order as standard
// base64 (RFC 4648, padded) of little-endian IEEE-754 float64s, 8 bytes per value — the way MLTK
// stores numpy arrays, bit-exact and about half the size of decimal text. count is the number of
// values. Python reads a table with
//
//	numpy.frombuffer(base64.b64decode(t["coefficients"]), dtype="<f8")
//
// DecodeLinear reads this with a hand-written scanner instead of encoding/json (a 1M-category
// model loads in tens of milliseconds rather than seconds) and indexes each table with an
// open-addressing hash table rather than a Go map. The other keys are small and go through
// encoding/json. A body written before file version 2 has "categorical" instead: an object of
// field → {value: coefficient}; DecodeLinear and json.Unmarshal read it too (slowly).

// linearFields are the body's small keys; Categorical is the version-1 form of the tables.
type linearFields struct {
	Target       string                        `json:"target"`
	Features     []string                      `json:"features"`
	FitIntercept bool                          `json:"fit_intercept"`
	Intercept    float64                       `json:"intercept"`
	Numeric      map[string]float64            `json:"numeric"`
	Means        map[string]float64            `json:"means,omitempty"`
	Stats        FitStats                      `json:"stats"`
	Categorical  map[string]map[string]float64 `json:"categorical,omitempty"`
}

const tablesKey = "categorical_tables"

// catTable is one categorical field's coefficients: parallel values and coef, and an
// open-addressing (linear probing) index over values.
type catTable struct {
	text  string   // the text the values are in: the body, or (from a map) their concatenation
	pos   []uint64 // value k: text[pos>>32 : uint32(pos)], or esc[uint32(pos)] when pos&escaped
	esc   []string // values that are not in text as they are (escaped in the file)
	coef  []float64
	slots []uint32 // 1 + index into pos, 0 for an empty slot; a power of two ≥ 2·len(pos)
	mask  uint64
}

var tableSeed = maphash.MakeSeed()

const escaped = 1 << 63 // in catTable.pos

func (t *catTable) len() int { return len(t.pos) }

// value is value k. It does not allocate.
func (t *catTable) value(k int) string {
	p := t.pos[k]
	if p&escaped != 0 {
		return t.esc[uint32(p)]
	}
	return t.text[p>>32 : uint32(p)]
}

// add appends value v, which is text[start:start+len(v)] unless it is not in text.
func (t *catTable) add(v string, start int) {
	if v == "" || (start+len(v) <= len(t.text) && unsafe.StringData(v) == unsafe.StringData(t.text[start:])) {
		t.pos = append(t.pos, uint64(start)<<32|uint64(start+len(v)))
		return
	}
	t.pos = append(t.pos, escaped|uint64(len(t.esc)))
	t.esc = append(t.esc, v)
}

// index builds t.slots. values must be distinct. A big table is filled region by region (a
// counting sort of the values by the top bits of their home slot first) rather than in random
// order: random writes over megabytes of slots miss the cache on almost every value.
func (t *catTable) index() {
	size := 8
	for size < 2*t.len() {
		size <<= 1
	}
	slots := make([]uint32, size)
	mask := uint64(size - 1)
	t.slots, t.mask = slots, mask
	const small = 1 << 14
	if size <= small {
		for i := range t.pos {
			j := maphash.String(tableSeed, t.value(i)) & mask
			for slots[j] != 0 {
				j = (j + 1) & mask
			}
			slots[j] = uint32(i + 1)
		}
		return
	}
	shift := bits.Len(uint(size)) - 1 - 10 // 1024 regions of size/1024 slots
	home := make([]uint32, t.len())
	var count [1024 + 1]uint32
	for i := range t.pos {
		h := uint32(maphash.String(tableSeed, t.value(i)) & mask)
		home[i] = h
		count[h>>shift+1]++
	}
	for r := 1; r <= 1024; r++ {
		count[r] += count[r-1]
	}
	order := make([]uint32, t.len())
	for i, h := range home {
		r := h >> shift
		order[count[r]] = uint32(i)
		count[r]++
	}
	for _, i := range order {
		j := uint64(home[i])
		for slots[j] != 0 {
			j = (j + 1) & mask
		}
		slots[j] = i + 1
	}
}

// lookup returns x's coefficient. It does not allocate.
func (t *catTable) lookup(x string) (float64, bool) {
	if k := t.find(x); k >= 0 {
		return t.coef[k], true
	}
	return 0, false
}

// find returns the index of value x, or -1. It does not allocate.
func (t *catTable) find(x string) int {
	j := maphash.String(tableSeed, x) & t.mask
	for {
		k := t.slots[j]
		if k == 0 {
			return -1
		}
		if t.value(int(k-1)) == x {
			return int(k - 1)
		}
		j = (j + 1) & t.mask
	}
}

// tableFromMap is a field's coefficients as an indexed table, values sorted.
func tableFromMap(vs map[string]float64) *catTable {
	values := make([]string, 0, len(vs))
	n := 0
	for v := range vs {
		values = append(values, v)
		n += len(v)
	}
	slices.Sort(values)
	var text strings.Builder
	text.Grow(n)
	for _, v := range values {
		text.WriteString(v)
	}
	t := &catTable{text: text.String(), pos: make([]uint64, len(values)), coef: make([]float64, len(values))}
	at := 0
	for i, v := range values {
		t.pos[i] = uint64(at)<<32 | uint64(at+len(v))
		at += len(v)
		t.coef[i] = vs[v]
	}
	t.index()
	return t
}

// values are t's values.
func (t *catTable) values() []string {
	out := make([]string, t.len())
	for i := range out {
		out[i] = t.value(i)
	}
	return out
}

// table returns field f's values (sorted) and coefficients, or ok false if f is not categorical.
func (m *Linear) table(f string) (values []string, coef []float64, ok bool) {
	if m.Categorical != nil {
		vs, ok := m.Categorical[f]
		if !ok {
			return nil, nil, false
		}
		t := tableFromMap(vs)
		return t.values(), t.coef, true
	}
	t, ok := m.tables[f]
	if !ok {
		return nil, nil, false
	}
	return t.values(), t.coef, true
}

// categoricalFields are the model's categorical fields, sorted.
func (m *Linear) categoricalFields() []string {
	var fs []string
	if m.Categorical != nil {
		for f := range m.Categorical {
			fs = append(fs, f)
		}
	} else {
		for f := range m.tables {
			fs = append(fs, f)
		}
	}
	slices.Sort(fs)
	return fs
}

// EncodeLinear returns m's saved body (compact JSON, see the layout above). The coefficients
// round-trip bit-exactly through DecodeLinear.
func EncodeLinear(m *Linear) ([]byte, error) {
	b, err := json.Marshal(linearFields{Target: m.Target, Features: m.Features, FitIntercept: m.FitIntercept,
		Intercept: m.Intercept, Numeric: m.Numeric, Means: m.Means, Stats: m.Stats})
	if err != nil {
		return nil, err
	}
	b = b[:len(b)-1] // the closing brace
	b = append(b, `,"`+tablesKey+`":{`...)
	for i, f := range m.categoricalFields() {
		values, coef, _ := m.table(f)
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f)
		b = append(b, `:{"count":`...)
		b = strconv.AppendInt(b, int64(len(values)), 10)
		b = append(b, `,"values":[`...)
		for j, v := range values {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, `],"coefficients":"`...)
		raw := make([]byte, 8*len(coef))
		for j, c := range coef {
			if math.IsNaN(c) || math.IsInf(c, 0) {
				return nil, fmt.Errorf("models: non-finite coefficient for %s=%s", f, values[j])
			}
			binary.LittleEndian.PutUint64(raw[8*j:], math.Float64bits(c))
		}
		b = base64.StdEncoding.AppendEncode(b, raw)
		b = append(b, `"}`...)
	}
	return append(b, "}}"...), nil
}

// appendString appends s as a JSON string: as is when it is printable ASCII without a quote or
// backslash, else as encoding/json writes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string: cannot fail
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// DecodeLinear reads a saved LinearRegression body (either version) and prepares it for
// Predict. The categorical coefficients of a version-2 body stay in compact tables:
// m.Categorical is nil, and Columns, Predict and EncodeLinear read the tables. Errors wrap
// ErrCorrupt.
//
// The model's strings share body's memory (a model's values are most of its body, and copying
// them costs as much as parsing them): body must not be modified afterwards. json.Unmarshal
// copies.
func DecodeLinear(body []byte) (*Linear, error) {
	m, err := decodeLinear(body, true)
	if err != nil {
		return nil, fmt.Errorf("%w (LinearRegression body: %v)", models.ErrCorrupt, err)
	}
	m.Prepare()
	return m, nil
}

// decodeLinear parses body. With fast, its strings share body's memory and its tables are indexed
// (each in a goroutine that starts as soon as the table's values are read).
func decodeLinear(body []byte, fast bool) (*Linear, error) {
	p := &scanner{Scanner: jsonscan.Scanner{B: body}, index: fast}
	if fast {
		p.S = unsafe.String(unsafe.SliceData(body), len(body))
	} else {
		p.S = string(body)
	}
	defer p.wg.Wait()
	rest := []byte{'{'} // the small keys, for encoding/json
	var tables map[string]*catTable
	err := p.Object(func(key string, ks, ke int) error {
		if key == tablesKey {
			if tables != nil {
				return fmt.Errorf("duplicate %q", tablesKey)
			}
			var err error
			tables, err = p.tables()
			return err
		}
		vs := p.I
		if err := p.Skip(); err != nil {
			return err
		}
		if len(rest) > 1 {
			rest = append(rest, ',')
		}
		rest = append(rest, p.S[ks:ke]...)
		rest = append(rest, ':')
		rest = append(rest, p.S[vs:p.I]...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.WS(); p.I != len(p.S) {
		return nil, fmt.Errorf("data after the body at byte %d", p.I)
	}
	var lf linearFields
	if err := json.Unmarshal(append(rest, '}'), &lf); err != nil {
		return nil, err
	}
	m := &Linear{Target: lf.Target, Features: lf.Features, FitIntercept: lf.FitIntercept, Intercept: lf.Intercept,
		Numeric: lf.Numeric, Categorical: lf.Categorical, Stats: lf.Stats, Means: lf.Means, tables: tables}
	if m.Categorical != nil && tables != nil {
		return nil, fmt.Errorf("both %q and %q", "categorical", tablesKey)
	}
	// A body like {} decodes to a model predicting 0 for everything: refuse what fit never writes.
	if m.Target == "" {
		return nil, fmt.Errorf("no %q: not a LinearRegression body", "target")
	}
	if len(m.Features) == 0 {
		return nil, fmt.Errorf("no %q: not a LinearRegression body", "features")
	}
	if m.Numeric == nil {
		m.Numeric = map[string]float64{}
	}
	if m.Categorical == nil && tables == nil {
		m.Categorical = map[string]map[string]float64{}
	}
	return m, nil
}

// materialize moves the tables into m.Categorical (the form json.Unmarshal returns).
func (m *Linear) materialize() {
	if m.Categorical != nil {
		return
	}
	m.Categorical = make(map[string]map[string]float64, len(m.tables))
	for f, t := range m.tables {
		vs := make(map[string]float64, t.len())
		for i := range t.pos {
			vs[t.value(i)] = t.coef[i]
		}
		m.Categorical[f] = vs
	}
	m.tables = nil
}

// scanner is the JSON scanner with what the tables need beside it.
type scanner struct {
	jsonscan.Scanner

	index bool           // tables: index each table in a goroutine
	wg    sync.WaitGroup // those goroutines
}

// tables reads the categorical_tables object.
func (p *scanner) tables() (map[string]*catTable, error) {
	tables := map[string]*catTable{}
	err := p.Object(func(f string, _, _ int) error {
		if _, dup := tables[f]; dup {
			return fmt.Errorf("field %q twice in %s", f, tablesKey)
		}
		t, err := p.table()
		if err != nil {
			return fmt.Errorf("%s %q: %w", tablesKey, f, err)
		}
		tables[f] = t
		return nil
	})
	return tables, err
}

// table reads one field's {"count", "values", "coefficients"}.
func (p *scanner) table() (*catTable, error) {
	t := &catTable{}
	count := -1
	var haveValues, haveCoef bool
	err := p.Object(func(key string, _, _ int) error {
		switch key {
		case "count":
			vs := p.I
			if err := p.Skip(); err != nil {
				return err
			}
			n, err := strconv.Atoi(p.S[vs:p.I])
			if err != nil || n < 0 || n > math.MaxUint32/2 {
				return fmt.Errorf("bad count %q", p.S[vs:p.I])
			}
			count = n
		case "values":
			if haveValues {
				return errors.New(`"values" twice`)
			}
			haveValues = true
			if err := p.values(t, count); err != nil {
				return err
			}
			if p.index {
				p.wg.Go(t.index)
			}
		case "coefficients":
			if haveCoef {
				return errors.New(`"coefficients" twice`)
			}
			haveCoef = true
			var err error
			t.coef, err = p.coefs()
			return err
		default:
			return p.Skip()
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case !haveValues || !haveCoef || count < 0:
		return nil, errors.New(`want "count", "values" and "coefficients"`)
	case t.len() != count || len(t.coef) != count:
		return nil, fmt.Errorf("count %d, %d values, %d coefficients", count, t.len(), len(t.coef))
	}
	return t, nil
}

// values reads the sorted array of values.
func (p *scanner) values(t *catTable, count int) error {
	if err := p.Expect('['); err != nil {
		return err
	}
	if len(p.S) >= 1<<31 {
		return errors.New("body over 2 GiB")
	}
	t.text = p.S
	t.pos = make([]uint64, 0, max(count, 0))
	if p.WS(); p.I < len(p.S) && p.S[p.I] == ']' {
		p.I++
		return nil
	}
	prev, sep := "", ""
	for {
		p.WS()
		start := p.I + 1
		v, err := p.Str()
		if err != nil {
			return err
		}
		if t.len() > 0 && v <= prev {
			return fmt.Errorf("values not sorted or repeated at %q", v)
		}
		t.add(v, start)
		prev = v
		// Fast path for the usual separator: the one after the first value (a comma, a newline,
		// the indentation).
		if sep != "" && strings.HasPrefix(p.S[p.I:], sep) {
			p.I += len(sep)
			continue
		}
		sepAt := p.I
		p.WS()
		if p.I >= len(p.S) {
			return jsonscan.ErrEOF
		}
		switch p.S[p.I] {
		case ',':
			p.I++
			p.WS()
			if sep == "" && p.I-sepAt <= 16 {
				sep = p.S[sepAt:p.I]
			}
		case ']':
			p.I++
			return nil
		default:
			return fmt.Errorf("want ',' or ']' at byte %d, have %q", p.I, p.S[p.I])
		}
	}
}

// coefs reads the base64 little-endian float64 coefficients.
func (p *scanner) coefs() ([]float64, error) {
	if p.I >= len(p.S) || p.S[p.I] != '"' {
		return nil, fmt.Errorf("want a base64 string at byte %d", p.I)
	}
	start := p.I
	n := bytes.IndexByte(p.B[start+1:], '"')
	if n < 0 {
		return nil, jsonscan.ErrEOF
	}
	src := p.B[start+1 : start+1+n]
	p.I = start + n + 2
	if bytes.IndexByte(src, '\\') >= 0 { // an escape (\/ from some other writer)
		p.I = start
		if _, err := p.RawStr(); err != nil {
			return nil, err
		}
		var v string
		if err := json.Unmarshal(p.B[start:p.I], &v); err != nil {
			return nil, err
		}
		src = []byte(v)
	}
	enc := base64.StdEncoding.Strict()
	if len(src)%4 != 0 {
		return nil, errors.New("coefficients: base64 length is not a multiple of 4")
	}
	size := enc.DecodedLen(len(src))
	if len(src) > 0 && src[len(src)-1] == '=' {
		size--
		if src[len(src)-2] == '=' {
			size--
		}
	}
	if size%8 != 0 {
		return nil, fmt.Errorf("coefficients: %d bytes is not a whole number of float64s", size)
	}
	out := make([]float64, size/8)
	const chunk = 4096 // base64 characters: 3072 bytes, 384 float64s
	var buf [chunk / 4 * 3]byte
	k := 0
	for off := 0; off < len(src); off += chunk {
		got, err := enc.Decode(buf[:], src[off:min(off+chunk, len(src))])
		if err != nil {
			return nil, fmt.Errorf("coefficients: %w", err)
		}
		if got%8 != 0 || k+got/8 > len(out) {
			return nil, errors.New("coefficients: bad length")
		}
		for j := 0; j < got; j += 8 {
			c := math.Float64frombits(binary.LittleEndian.Uint64(buf[j:]))
			if math.IsNaN(c) || math.IsInf(c, 0) {
				return nil, fmt.Errorf("coefficients: non-finite value %v", c)
			}
			out[k] = c
			k++
		}
	}
	if k != len(out) {
		return nil, errors.New("coefficients: bad length")
	}
	return out, nil
}
