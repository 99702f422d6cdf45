package app

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// TestChunkerSameBodies: the block chunker cuts every input into the bodies, and fails with the
// errors, of the line-by-line chunker it replaced, whatever the read sizes: quoted newlines,
// CRLF, a BOM, a last record without newline, an unclosed quote, records over the size limit,
// empty input and a header alone.
func TestChunkerSameBodies(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	cells := []string{"", "a", "bb", "\"q,\"", "\"multi\nline\"", "\"x\"\"y\"", "1234567890", "\"\r\n\""}
	var inputs []string
	for range 300 {
		var b strings.Builder
		if r.IntN(10) == 0 {
			b.WriteString("\xef\xbb\xbf")
		}
		rows := r.IntN(40)
		for i := range rows + 1 {
			for k := range 3 {
				if k > 0 {
					b.WriteByte(',')
				}
				b.WriteString(cells[r.IntN(len(cells))])
			}
			if i < rows || r.IntN(3) > 0 {
				b.WriteString([]string{"\n", "\r\n"}[r.IntN(2)])
			}
		}
		inputs = append(inputs, b.String())
	}
	inputs = append(inputs, "", "h", "h\n", "a,b\n1,\"open\n", "a,b\n\"x\n\ny\"\n", strings.Repeat("z", 300)+"\n1\n")
	limit := MaxRecordBytes
	defer func() { MaxRecordBytes = limit }()
	for k, in := range inputs {
		for _, n := range []int{1, 3, 50000} {
			for _, max := range []int{limit, 64} {
				MaxRecordBytes = max
				want, wantErr := bodies(newLineChunker(strings.NewReader(in), n))
				for _, src := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in)), iotest.HalfReader(strings.NewReader(in))} {
					got, gotErr := bodies(newCSVChunker(src, n))
					require.Equal(t, want, got, "input %d %q, n=%d, limit %d", k, in, n, max)
					require.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(gotErr), "input %d %q, n=%d, limit %d", k, in, n, max)
				}
			}
		}
	}
}

// bodies runs a chunker to its end: its bodies and its error (nil at io.EOF).
func bodies(c interface{ next() ([]byte, error) }) ([]string, error) {
	var out []string
	for {
		b, err := c.next()
		if b != nil {
			out = append(out, string(b))
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// lineChunker is the line-by-line chunker csvChunker replaced (bufio.Reader.ReadSlice per line),
// kept as the reference its bodies and errors are held to.
type lineChunker struct {
	r      *bufio.Reader
	n      int
	header []byte
	err    error
	buf    []byte // the body, reused: readChunks parses one before it reads the next
	last   int    // length of the last body
}

func newLineChunker(r io.Reader, n int) *lineChunker {
	return &lineChunker{r: bufio.NewReaderSize(r, 1<<20), n: n}
}

// record appends one whole record (with its terminator) to dst.
func (c *lineChunker) record(dst []byte) ([]byte, error) {
	quotes := 0
	start := len(dst)
	for {
		line, err := c.r.ReadSlice('\n')
		dst = append(dst, line...)
		quotes += bytes.Count(line, []byte{'"'})
		if len(dst)-start > MaxRecordBytes {
			return nil, fmt.Errorf("%w: a CSV record (row) is longer than %d bytes (%s): is the input CSV? An unclosed quote also makes the rest of the file one record; raise the limit with --max-record-bytes or %s if the data is genuine",
				ErrRecordTooLong, MaxRecordBytes, human(MaxRecordBytes), MaxRecordBytesEnv)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil:
			if len(dst) > start {
				if quotes%2 == 1 {
					return dst, fmt.Errorf("input ends inside a quoted value: %w", io.ErrUnexpectedEOF)
				}
				return append(dst, '\n'), nil
			}
			return dst, err
		}
		if quotes%2 == 0 {
			return dst, nil
		}
	}
}

// next returns the next body (header + up to n records); io.EOF with the last, possibly
// header-only, body when the input is exhausted.
func (c *lineChunker) next() ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.header == nil {
		h, err := c.record(nil)
		if err != nil {
			if errors.Is(err, io.EOF) {
				c.err = io.EOF
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read input header: %w", err)
		}
		h = bytes.TrimPrefix(h, []byte("\xef\xbb\xbf")) // a UTF-8 BOM from spreadsheet exports
		c.header = h
	}
	// Reuse the buffer (ParseTable copies what it keeps) sized like the last body, so reading a
	// chunk does not copy it over and over as it grows.
	body := slices.Grow(c.buf[:0], max(c.last+c.last/8, 64<<10))
	body = append(body, c.header...)
	defer func() { c.buf, c.last = body[:0], len(body) }()
	for i := 0; i < c.n && len(body) < maxChunkBytes; i++ {
		if i == 1024 && c.last == 0 {
			// The first body: size it for n records like these 1024 now, rather than let
			// append copy it while it doubles up to its size (a tenth of local apply's time).
			if need := min(len(body)/i*(c.n-i)*9/8, maxChunkBytes); need > cap(body)-len(body) {
				body = slices.Grow(body, need)
			}
		}
		var err error
		body, err = c.record(body)
		if errors.Is(err, io.EOF) {
			c.err = io.EOF
			return body, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("read input: %w", err)
		}
	}
	// Peek: if nothing follows, this body is the last.
	if _, err := c.r.Peek(1); errors.Is(err, io.EOF) {
		c.err = io.EOF
		return body, io.EOF
	}
	return body, nil
}

