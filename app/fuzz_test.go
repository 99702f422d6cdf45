package app

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// Fuzz targets for the codecs. Run one at a time, for example
//
//	go test -run XXX -fuzz FuzzTableRoundTrip -fuzztime 20s ./app
//	go test -run XXX -fuzz FuzzReadChunk -fuzztime 20s ./app
//	go test -run XXX -fuzz FuzzMV -fuzztime 20s ./app
//
// Inputs above fuzzMaxInput are skipped: the properties do not depend on
// size, and big inputs only slow the fuzzer down.
const fuzzMaxInput = 1 << 20

// FuzzReadChunk checks that arbitrary bytes never make the Reader panic or
// break its contract, and that any (meta, body) pair survives a write-read
// round trip.
func FuzzReadChunk(f *testing.F) {
	f.Add([]byte("chunked 1.0,2,3\n{}a\n1"), []byte(`{"finished":true}`), []byte("a,b\n1,2\n"))
	f.Add([]byte("chunked 1.0,0,0\nchunked 1.0,0,0\n"), []byte{}, []byte{})
	f.Add([]byte("chunked  1.0 , 2 ,\t3 \r\n{}abc"), []byte("{}"), []byte("ทดสอบ\r\n"))
	f.Add([]byte("chunked 1.0,0,1000000000\nabc"), []byte("chunked 1.0,0,0\n"), []byte("\x00\xff"))
	f.Add([]byte("chunked 2.0,0,0\n"), []byte(nil), []byte("x"))
	f.Add([]byte("chunked 1.0,-1,0\n"), []byte(nil), []byte(nil))
	f.Add([]byte("chunked 1.0,5,99999999999999999999\n"), []byte(nil), []byte(nil))
	f.Fuzz(func(t *testing.T, stream, meta, body []byte) {
		if len(stream)+len(meta)+len(body) > fuzzMaxInput {
			t.Skip()
		}

		// Arbitrary input: only valid chunks or a well-formed error.
		r := NewReader(bytes.NewReader(stream))
		var consumed int64
		for {
			c, err := r.ReadChunk()
			if err == io.EOF {
				if consumed != int64(len(stream)) {
					t.Fatalf("io.EOF after %d of %d bytes", consumed, len(stream))
				}
				break
			}
			if err != nil {
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is not a *ProtocolError", err)
				}
				if !errors.Is(err, ErrBadHeader) && !errors.Is(err, ErrVersion) &&
					!errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrTruncated) {
					t.Fatalf("error %v wraps no sentinel", err)
				}
				if pe.Offset != consumed {
					t.Fatalf("error offset %d, chunk started at %d", pe.Offset, consumed)
				}
				break
			}
			// The chunk must re-encode to a prefix of what is left of the
			// stream, modulo header whitespace: compare the payloads.
			consumed = r.offset
			if int64(len(c.Meta)+len(c.Body)) > consumed {
				t.Fatalf("chunk bigger than the bytes consumed")
			}
			tail := stream[consumed-int64(len(c.Meta)+len(c.Body)) : consumed]
			if !bytes.Equal(tail, append(append([]byte{}, c.Meta...), c.Body...)) {
				t.Fatalf("chunk payload is not the bytes before offset %d", consumed)
			}
		}

		// Round trip: the pair written twice reads back twice, then io.EOF.
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for range 2 {
			if err := w.WriteChunk(meta, body); err != nil {
				t.Fatal(err)
			}
		}
		r = NewReader(&buf)
		for range 2 {
			c, err := r.ReadChunk()
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			if !bytes.Equal(c.Meta, meta) || !bytes.Equal(c.Body, body) {
				t.Fatalf("round trip changed the chunk: meta %q body %q, got %q %q", meta, body, c.Meta, c.Body)
			}
		}
		if _, err := r.ReadChunk(); err != io.EOF {
			t.Fatalf("after the last chunk: %v, want io.EOF", err)
		}
	})
}

// FuzzTableRoundTrip checks ParseTable → AppendRecord → ParseTable gives
// the same table, and that the encoding is then stable.
func FuzzTableRoundTrip(f *testing.F) {
	for _, s := range []string{
		"",
		"a,b\n1,2\n",
		"a,b\r\n1,2\r\n3,4",
		"\"_time\",\"_raw\",\"__mv__raw\"\n\"1627354345.934\",\"x \"\"q\"\" \r\ny\rz\n\",\"$a$;$b$\"\n",
		"a\n\n\"\"\n",
		"\n",
		"a,b\n,\n",
		"a\n x \n\"\t\"\n",
		"\"ทt\",b\n\"สวัสดี 🎉\",\xff\n",
		"a,b\n1,\"2\"",
		"a\nx\r\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > fuzzMaxInput {
			t.Skip()
		}
		t1, err := ParseTable(body)
		if err != nil {
			var ce *CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CSVError", err)
			}
			return
		}
		for i, row := range t1.Rows {
			if len(row) != len(t1.Header) {
				t.Fatalf("row %d has %d fields, header %d", i, len(row), len(t1.Header))
			}
		}
		out := t1.AppendCSV(nil)
		t2, err := ParseTable(out)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if !tableEqual(t1, t2) {
			t.Fatalf("round trip changed the table\nbody %q\nout  %q\nt1 %q %q\nt2 %q %q",
				body, out, t1.Header, t1.Rows, t2.Header, t2.Rows)
		}
		if out2 := t2.AppendCSV(nil); !bytes.Equal(out, out2) {
			t.Fatalf("encoding not stable: %q then %q", out, out2)
		}
	})
}

func tableEqual(a, b *Table) bool {
	if len(a.Header) != len(b.Header) || len(a.Rows) != len(b.Rows) {
		return false
	}
	for i := range a.Header {
		if a.Header[i] != b.Header[i] {
			return false
		}
	}
	for i := range a.Rows {
		for j := range a.Rows[i] {
			if a.Rows[i][j] != b.Rows[i][j] {
				return false
			}
		}
	}
	return true
}

// FuzzMV checks DecodeMV(EncodeMV(v)) == v for any values (split from the
// input at NUL bytes) and that every string DecodeMV accepts re-encodes
// to itself (the encoding is canonical).
func FuzzMV(f *testing.F) {
	for _, s := range []string{"", "$$", "$a$;$b$", "$$$$", "$a$$b$;$$$$$$$$", "a\x00b", "$\x00$$\x00;", "$a$;", "$a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > fuzzMaxInput {
			t.Skip()
		}
		vals := strings.Split(s, "\x00")
		got, err := DecodeMV(EncodeMV(vals))
		if err != nil {
			t.Fatalf("decode(encode(%q)): %v", vals, err)
		}
		if len(got) != len(vals) {
			t.Fatalf("decode(encode(%q)) = %q", vals, got)
		}
		for i := range vals {
			if got[i] != vals[i] {
				t.Fatalf("decode(encode(%q)) = %q", vals, got)
			}
		}

		if dec, err := DecodeMV(s); err == nil {
			if enc := EncodeMV(dec); enc != s {
				t.Fatalf("DecodeMV(%q) = %q re-encodes to %q", s, dec, enc)
			}
		}
	})
}
