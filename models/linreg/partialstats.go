package linreg

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// The map phase's partial statistics travel in one cell (fit.ColState) of one row per flush: a
// base64 (standard alphabet, no padding) binary record with a section per part (train, test).
// A section holds the value dictionary (every field's values, as the ids below refer to them) and
// the statistics in one of two exact forms, whichever is smaller for the train part:
//
//	'R' distinct rows: per row the value ids, the count, Σy (double-double) and Σ(y − ȳ)², plus
//	    each null pattern's exact Σy² (as a float expansion);
//	'M' moments: per null pattern N, Σy, exact Σy², per value its count and Σy, per pair of values
//	    of two fields the rows holding both (see Moments).
//
// The holdout's test part is sent as moments too when that is smaller and its fields' kind
// signature allows evaluating on it (see holdout.go); the signature precedes it ("" for 'R').
// Integers are unsigned varints (ids and pair keys delta-coded in ascending order), floats 8 bytes
// little-endian, strings a varint length and the bytes.
const (
	statsMagic = "LRS1"
	formRows   = 'R'
	formMoment = 'M'
	partTrain  = 0
	partTest   = 1
)

type enc struct{ bytes.Buffer }

func (e *enc) uv(v uint64) { e.Write(binary.AppendUvarint(nil, v)) }
func (e *enc) f64(v float64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
	e.Write(b[:])
}
func (e *enc) str(s string) { e.uv(uint64(len(s))); e.WriteString(s) }
func (e *enc) floats(fs []float64) {
	e.uv(uint64(len(fs)))
	for _, f := range fs {
		e.f64(f)
	}
}

type dec struct {
	b   []byte
	err error
}

var errStats = errors.New("truncated or corrupt partial statistics")

func (d *dec) uv() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errStats
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that must fit in what is left (each element takes at least min bytes).
func (d *dec) count(min int) int {
	v := d.uv()
	if d.err == nil && v > uint64(len(d.b)/max(min, 1)) {
		d.err = errStats
		return 0
	}
	return int(v)
}

func (d *dec) f64() float64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errStats
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.err = errStats
	}
	return v
}

func (d *dec) str() string {
	n := d.count(1)
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *dec) floats() []float64 {
	n := d.count(8)
	out := make([]float64, 0, n)
	for range n {
		out = append(out, d.f64())
	}
	return out
}

// EncodePartial encodes the map phase's statistics of train and test (same target and features).
// The train part is sent as distinct rows or as moments, whichever is shorter; form says which.
func EncodePartial(train, test *Aggregate) (blob string, form byte) {
	var e enc
	e.WriteString(statsMagic)
	e.uv(uint64(len(train.Features)))
	n := 1
	if len(test.n) > 0 || test.nullTarget+test.badTarget > 0 {
		n = 2
	}
	e.uv(uint64(n))
	rows := encodeRows(train)
	mom := encodeMoments(MomentsOf(train))
	form = formRows
	if len(mom) < len(rows) {
		rows, form = mom, formMoment
	}
	e.WriteByte(partTrain)
	e.Write(rows)
	if n == 2 {
		e.WriteByte(partTest)
		body, sig := encodeRows(test), ""
		if s, ok := kindSignature(test); ok {
			if mom := encodeMoments(MomentsOf(test)); len(mom)+len(s) < len(body) {
				body, sig = mom, s
			}
		}
		e.str(sig)
		e.Write(body)
	}
	return b64(e.Bytes()), form
}

// header writes what both forms share: the form, the dictionary and the target drops.
func encodeHeader(e *enc, form byte, vals [][]string, nullT, badT int64, firstBad string, maxAbsY float64, inexact bool) {
	e.WriteByte(form)
	for _, vs := range vals {
		e.uv(uint64(len(vs)))
		for _, v := range vs {
			e.str(v)
		}
	}
	e.uv(uint64(nullT))
	e.uv(uint64(badT))
	e.str(firstBad)
	e.f64(maxAbsY)
	if inexact {
		e.WriteByte(1)
	} else {
		e.WriteByte(0)
	}
}

func encodeRows(a *Aggregate) []byte {
	var e enc
	encodeHeader(&e, formRows, a.vals, a.nullTarget, a.badTarget, a.firstBad, a.maxAbsY, a.inexact)
	keys := slices.Sorted(maps.Keys(a.sq))
	e.uv(uint64(len(keys)))
	for _, key := range keys {
		e.str(key)
		e.floats(a.sq[key].Expansion())
	}
	k := len(a.Features)
	live := 0
	for _, n := range a.n {
		if n > 0 {
			live++
		}
	}
	e.uv(uint64(live))
	for g, n := range a.n {
		if n == 0 {
			continue
		}
		for _, id := range a.ids[g*k : (g+1)*k] {
			e.uv(uint64(id + 1)) // nullID (-1) is 0
		}
		e.uv(uint64(n))
		e.f64(a.sum[g])
		e.f64(a.lo[g])
		e.f64(a.m2[g])
	}
	return e.Bytes()
}

func encodeMoments(m *Moments) []byte {
	var e enc
	encodeHeader(&e, formMoment, m.vals, m.nullTarget, m.badTarget, m.firstBad, m.maxAbsY, m.inexact)
	k := len(m.Features)
	keys := slices.Sorted(maps.Keys(m.pats))
	e.uv(uint64(len(keys)))
	for _, key := range keys {
		p := m.pats[key]
		e.str(key)
		e.uv(uint64(p.n))
		e.f64(p.sum.hi)
		e.f64(p.sum.lo)
		e.floats(p.sq.Expansion())
		for i := range k {
			if p.null[i] {
				continue
			}
			live := 0
			for _, c := range p.cnt[i] {
				if c > 0 {
					live++
				}
			}
			e.uv(uint64(live))
			last := -1
			for id, c := range p.cnt[i] {
				if c == 0 {
					continue
				}
				e.uv(uint64(id - last))
				last = id
				e.uv(uint64(c))
				e.f64(p.sy[i][id].hi)
				e.f64(p.sy[i][id].lo)
			}
			for b := i + 1; b < k; b++ {
				if p.null[b] {
					continue
				}
				tab := p.pairs[i*k+b]
				pk := tab.sortedKeys()
				e.uv(uint64(len(pk)))
				var prev uint64
				for _, key := range pk {
					e.uv(key - prev)
					prev = key
					e.uv(uint64(tab.get(key)))
				}
			}
		}
	}
	return e.Bytes()
}

// DecodePartial reads an EncodePartial blob: the train part into train (distinct rows) or mom
// (moments), the test part into test or hm.
func DecodePartial(blob string, train, test *Aggregate, mom *Moments, hm *HoldoutMoments) error {
	raw, err := base64.RawStdEncoding.DecodeString(blob)
	if err != nil {
		return fmt.Errorf("partial statistics: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(statsMagic)) {
		return fmt.Errorf("partial statistics: not an awsrisk %s record", statsMagic)
	}
	d := &dec{b: raw[len(statsMagic):]}
	k := len(train.Features)
	if got := d.uv(); d.err == nil && got != uint64(k) {
		return fmt.Errorf("partial statistics for %d features, the fit has %d", got, k)
	}
	sections := d.count(1)
	for range sections {
		if d.err != nil || len(d.b) < 2 {
			return errStats
		}
		part := d.b[0]
		d.b = d.b[1:]
		sig := ""
		if part == partTest {
			sig = d.str()
		}
		if d.err != nil || len(d.b) < 1 {
			return errStats
		}
		form := d.b[0]
		d.b = d.b[1:]
		dst := train
		if part == partTest {
			dst = test
		}
		switch {
		case form == formRows && sig == "":
			a := NewAggregate(train.Target, train.Features)
			if err := decodeRows(d, a); err != nil {
				return err
			}
			if err := dst.Merge(a); err != nil {
				return err
			}
		case form == formMoment && part == partTrain:
			m := newMoments(train.Target, train.Features)
			if err := decodeMoments(d, m); err != nil {
				return err
			}
			if err := mom.Merge(m); err != nil {
				return err
			}
		case form == formMoment && part == partTest && validSignature(sig, k):
			m := newMoments(train.Target, train.Features)
			if err := decodeMoments(d, m); err != nil {
				return err
			}
			if err := hm.merge(sig, m); err != nil {
				return err
			}
		default:
			return errStats
		}
	}
	if d.err == nil && len(d.b) != 0 {
		return errStats
	}
	return d.err
}

func decodeHeader(d *dec, k int) (vals [][]string, nullT, badT int64, firstBad string, maxAbsY float64, inexact bool) {
	vals = make([][]string, k)
	for i := range k {
		n := d.count(1)
		vals[i] = make([]string, 0, n)
		seen := make(map[string]bool, n)
		for range n {
			v := d.str()
			if seen[v] || v == "" { // ids must name distinct, non-null values
				d.err = errStats
			}
			seen[v] = true
			vals[i] = append(vals[i], v)
		}
	}
	nullT, badT = int64(d.uv()), int64(d.uv())
	firstBad = d.str()
	maxAbsY = d.f64()
	if d.err == nil && len(d.b) > 0 {
		inexact = d.b[0] == 1
		d.b = d.b[1:]
	} else {
		d.err = errStats
	}
	return
}

func decodeRows(d *dec, a *Aggregate) error {
	k := len(a.Features)
	vals, nullT, badT, firstBad, maxAbsY, inexact := decodeHeader(d, k)
	a.nullTarget, a.badTarget, a.firstBad, a.maxAbsY, a.inexact = nullT, badT, firstBad, maxAbsY, inexact
	for range d.count(2) {
		key := d.str()
		if !validPattern(key, k) {
			d.err = errStats
		}
		a.addSquares(key, d.floats())
	}
	xs := make([]string, k)
	for range d.count(k + 25) {
		for i := range k {
			id := d.uv()
			switch {
			case id == 0:
				xs[i] = ""
			case id <= uint64(len(vals[i])):
				xs[i] = vals[i][id-1]
			default:
				d.err = errStats
			}
		}
		n, hi, lo, m2 := int64(d.uv()), d.f64(), d.f64(), d.f64()
		if d.err != nil || n <= 0 {
			return errStats
		}
		a.addGroupDD(xs, n, ddSum{hi, lo}, m2)
	}
	a.maxAbsY = max(a.maxAbsY, maxAbsY)
	return d.err
}

func decodeMoments(d *dec, m *Moments) error {
	k := len(m.Features)
	vals, nullT, badT, firstBad, maxAbsY, inexact := decodeHeader(d, k)
	if d.err != nil {
		return d.err
	}
	m.nullTarget, m.badTarget, m.firstBad, m.maxAbsY, m.inexact = nullT, badT, firstBad, maxAbsY, inexact
	m.groups = -1
	for i := range k {
		for _, v := range vals[i] {
			m.intern(i, v)
		}
	}
	for range d.count(2) {
		key := d.str()
		if d.err != nil || !validPattern(key, k) || m.pats[key] != nil {
			return errStats
		}
		p := m.pattern(key)
		n := d.uv()
		if n > 1<<62 {
			return errStats
		}
		p.n = int64(n)
		p.sum = ddSum{d.f64(), d.f64()}
		for _, f := range d.floats() {
			p.sq.Add(f)
		}
		for i := range k {
			if p.null[i] {
				continue
			}
			id, total := -1, int64(0)
			for range d.count(18) {
				delta, c := d.uv(), d.uv()
				s := ddSum{d.f64(), d.f64()}
				if d.err != nil || delta == 0 || delta > uint64(len(vals[i])) || c == 0 || c > uint64(p.n-total) {
					return errStats
				}
				id += int(delta)
				if id >= len(vals[i]) {
					return errStats
				}
				total += int64(c)
				m.addValue(p, i, int32(id), int64(c), s)
			}
			if total != p.n { // every row of the pattern has a value of each of its non-null fields
				return errStats
			}
			for b := i + 1; b < k; b++ {
				if p.null[b] {
					continue
				}
				tab := p.pairs[i*k+b]
				var key uint64
				for range d.count(2) {
					key += d.uv()
					c := int64(d.uv())
					x, y := splitPair(key)
					if d.err != nil || c <= 0 || c > p.n || x < 0 || y < 0 || int(x) >= len(vals[i]) || int(y) >= len(vals[b]) {
						return errStats
					}
					tab.add(key, c)
				}
			}
		}
	}
	return d.err
}

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

// validPattern reports whether key is a patternKey for k features: "" (no null), or k bytes of
// 0 and 1 with at least one 1, so that one null pattern has one key.
func validPattern(key string, k int) bool {
	if key == "" {
		return true
	}
	if len(key) != k || !strings.Contains(key, "\x01") {
		return false
	}
	return strings.Trim(key, "\x00\x01") == ""
}

// validSignature reports whether sig is a kind signature for k features.
func validSignature(sig string, k int) bool {
	return len(sig) == k && strings.Trim(sig, string([]byte{sigNone, sigNumeric, sigText})) == ""
}
