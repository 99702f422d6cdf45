package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Transport framing of the chunked search-command protocol (SCP v2). Each
// chunk, in either direction, is
//
//	chunked 1.0,<metadata_length>,<body_length>\n<metadata><body>
//
// where both lengths are decimal byte counts of the UTF-8 encoded payloads,
// the metadata is a JSON object and the body is CSV (see [ParseTable]).
// Nothing separates the metadata from the body or a body from the next
// header, so everything after the header line is read by length.

// Sentinel errors. [Reader.ReadChunk] returns them wrapped in a
// [*ProtocolError]; test for them with [errors.Is].
var (
	ErrBadHeader = errors.New("chunked: malformed transport header")
	ErrVersion   = errors.New("chunked: unsupported protocol version")
	ErrTooLarge  = errors.New("chunked: chunk exceeds size limit")
	ErrTruncated = errors.New("chunked: stream ended inside a chunk")
)

// ProtocolError reports a framing failure together with where it happened.
type ProtocolError struct {
	Chunk  int   // 1-based number of the chunk being read (the getinfo chunk is 1)
	Offset int64 // byte offset in the stream of the first byte of that chunk's header
	Err    error // ErrBadHeader, ErrVersion, ErrTooLarge, ErrTruncated or an I/O error, possibly wrapped
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("chunk %d (byte offset %d): %v", e.Chunk, e.Offset, e.Err)
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// Chunk is one decoded transport frame.
//
// Meta and Body alias buffers owned by the [Reader]: they are valid only
// until the next call to [Reader.ReadChunk]. Copy them (or everything
// derived from them without copying) to keep them longer. [ParseTable]
// copies, so a [Table] parsed from Body stays valid.
type Chunk struct {
	Meta []byte // JSON metadata, exactly metadata_length bytes
	Body []byte // CSV body, exactly body_length bytes; empty for getinfo
}

const (
	// DefaultMaxMeta is the default metadata size limit of a [Reader]. Real
	// metadata is at most a few KiB (getinfo); 64 MiB leaves room for
	// huge search strings without letting a corrupt header allocate gigabytes.
	DefaultMaxMeta int64 = 64 << 20
	// DefaultMaxBody is the default body size limit of a [Reader]. splunkd
	// has been seen sending 16 MB bodies (50,000 rows); 2 GiB is a sanity cap.
	DefaultMaxBody int64 = 2 << 30

	// maxHeaderLine caps the transport header line, terminator included.
	// The longest valid canonical header ("chunked 1.0," + two 19-digit
	// lengths + "," + "\n") is 52 bytes; the rest is slack for the
	// whitespace the Python SDK tolerates.
	maxHeaderLine = 128

	// chunkGrowStep is the largest buffer allocated ahead of data actually
	// arriving. Bigger payloads are read in growing steps, so that a header
	// that lies about its length cannot make the reader allocate gigabytes
	// for a stream that is only a few bytes long.
	chunkGrowStep = 4 << 20
)

// Reader decodes chunks from a stream (splunkd's stdout, our stdin).
//
// It owns a [bufio.Reader] on the underlying stream but never consumes
// bytes beyond the end of the chunk it returns, apart from read-ahead kept
// in that buffer. The Reader is not safe for concurrent use.
type Reader struct {
	br      *bufio.Reader
	maxMeta int64
	maxBody int64

	chunk  int   // number of chunks started, including the one being read
	offset int64 // bytes consumed from the stream
	meta   []byte
	body   []byte
	line   [maxHeaderLine]byte
	err    error // sticky error
}

// NewReader returns a Reader reading chunks from r with the default size
// limits [DefaultMaxMeta] and [DefaultMaxBody].
func NewReader(r io.Reader) *Reader {
	return &Reader{
		br:      bufio.NewReaderSize(r, 64<<10),
		maxMeta: DefaultMaxMeta,
		maxBody: DefaultMaxBody,
	}
}

// SetLimit sets the largest metadata and body lengths ReadChunk accepts; a
// header announcing more fails with [ErrTooLarge] before anything is
// allocated. A limit ≤ 0 restores the default. Call it before the first
// ReadChunk or between chunks.
func (r *Reader) SetLimit(maxMeta, maxBody int64) {
	if maxMeta <= 0 {
		maxMeta = DefaultMaxMeta
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	r.maxMeta, r.maxBody = maxMeta, maxBody
}

// ReadChunk reads the next chunk.
//
// It returns io.EOF (unwrapped) only when the stream ends cleanly at a
// chunk boundary, including a stream that is empty from the start. A
// stream that ends anywhere inside a chunk (header, metadata or body)
// yields [ErrTruncated]. All other failures are [*ProtocolError]s wrapping
// one of the sentinels or the underlying I/O error. Errors are sticky:
// once ReadChunk has failed it keeps returning the same error, because
// the position of the next header is unknown.
//
// The returned slices are only valid until the next call (see [Chunk]).
func (r *Reader) ReadChunk() (Chunk, error) {
	if r.err != nil {
		return Chunk{}, r.err
	}
	c, err := r.readChunk()
	if err != nil {
		r.err = err
	}
	return c, err
}

func (r *Reader) readChunk() (Chunk, error) {
	start := r.offset
	r.chunk++
	fail := func(err error) error {
		return &ProtocolError{Chunk: r.chunk, Offset: start, Err: err}
	}

	line, err := r.readHeaderLine()
	if err != nil {
		if err == io.EOF && len(line) == 0 {
			r.chunk-- // nothing of this chunk exists
			return Chunk{}, io.EOF
		}
		if err == io.EOF {
			// Stream ended inside the header. Report it as truncation only
			// if what we have could still have become a valid header.
			if _, _, perr := parseChunkHeader(line, true); !errors.Is(perr, ErrTruncated) {
				return Chunk{}, fail(perr)
			}
			return Chunk{}, fail(fmt.Errorf("%w: header %q is incomplete", ErrTruncated, line))
		}
		return Chunk{}, fail(err)
	}
	metaLen, bodyLen, err := parseChunkHeader(line, false)
	if err != nil {
		return Chunk{}, fail(err)
	}
	if metaLen > r.maxMeta {
		return Chunk{}, fail(fmt.Errorf("%w: metadata length %d > limit %d", ErrTooLarge, metaLen, r.maxMeta))
	}
	if bodyLen > r.maxBody {
		return Chunk{}, fail(fmt.Errorf("%w: body length %d > limit %d", ErrTooLarge, bodyLen, r.maxBody))
	}
	if metaLen > math.MaxInt || bodyLen > math.MaxInt {
		// Only reachable on 32-bit platforms with a raised limit.
		return Chunk{}, fail(fmt.Errorf("%w: lengths %d,%d do not fit in memory", ErrTooLarge, metaLen, bodyLen))
	}

	r.meta, err = r.readPayload(r.meta, int(metaLen))
	if err != nil {
		return Chunk{}, fail(r.payloadErr("metadata", len(r.meta), metaLen, err))
	}
	r.body, err = r.readPayload(r.body, int(bodyLen))
	if err != nil {
		return Chunk{}, fail(r.payloadErr("body", len(r.body), bodyLen, err))
	}
	return Chunk{Meta: r.meta, Body: r.body}, nil
}

func (r *Reader) payloadErr(what string, got int, want int64, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: stream ended after %d of %d %s bytes", ErrTruncated, got, want, what)
	}
	return fmt.Errorf("read %s: %w", what, err)
}

// readHeaderLine reads up to and including the first '\n' and returns the
// line without it. Reading stops after maxHeaderLine bytes (ErrBadHeader),
// so a stream that is not chunked cannot make us buffer without bound. At
// the end of the stream it returns what was read and io.EOF.
func (r *Reader) readHeaderLine() ([]byte, error) {
	n := 0
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return r.line[:n], err
		}
		r.offset++
		if c == '\n' {
			return r.line[:n], nil
		}
		if n == len(r.line) {
			return nil, fmt.Errorf("%w: no newline within %d bytes: %q", ErrBadHeader, maxHeaderLine, chunkSnippet(r.line[:]))
		}
		r.line[n] = c
		n++
		if n == 32 {
			// Fail fast on text that is clearly not a header (for example a
			// protocol v1 conversation) instead of waiting for 128 bytes.
			if _, _, err := parseChunkHeader(r.line[:n], true); !errors.Is(err, ErrTruncated) {
				return nil, err
			}
		}
	}
}

// readPayload reads exactly n bytes into buf (reusing its storage) and
// returns the filled buffer. Payloads larger than chunkGrowStep are read in
// growing steps so that memory use tracks the data actually received.
func (r *Reader) readPayload(buf []byte, n int) ([]byte, error) {
	if n <= cap(buf) || n <= chunkGrowStep {
		if n > cap(buf) {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		k, err := io.ReadFull(r.br, buf)
		r.offset += int64(k)
		return buf[:k], err
	}
	buf = buf[:0]
	for len(buf) < n {
		if len(buf) == cap(buf) {
			c := min(max(2*cap(buf), chunkGrowStep), n)
			nb := make([]byte, len(buf), c)
			copy(nb, buf)
			buf = nb
		}
		k, err := io.ReadFull(r.br, buf[len(buf):cap(buf)])
		r.offset += int64(k)
		buf = buf[:len(buf)+k]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// parseChunkHeader parses a header line without its '\n'. It accepts what
// the Python SDK's regular expression accepts,
//
//	chunked\s+1.0\s*,\s*(\d+)\s*,\s*(\d+)\s*\n
//
// with \s meaning ASCII whitespace (so a trailing '\r' is accepted too).
// If partial is true, line is a prefix of a header cut short by the end of
// the stream: the function then returns ErrTruncated if line can still be
// completed into a valid header, and ErrBadHeader or ErrVersion otherwise.
func parseChunkHeader(line []byte, partial bool) (metaLen, bodyLen int64, err error) {
	i := 0
	// more reports whether line has a byte at i. At the end of a complete
	// line it sets a bad-header error; at the end of a partial line a
	// truncation error.
	more := func(what string) bool {
		if i < len(line) {
			return true
		}
		if partial {
			err = ErrTruncated
		} else {
			err = fmt.Errorf("%w: %q ends before the %s", ErrBadHeader, line, what)
		}
		return false
	}
	bad := func(what string) error {
		return fmt.Errorf("%w: expected %s at byte %d of %q", ErrBadHeader, what, i, chunkSnippet(line))
	}
	skipSpace := func() {
		for i < len(line) && isChunkSpace(line[i]) {
			i++
		}
	}
	number := func(what string) int64 {
		skipSpace()
		if !more(what) {
			return 0
		}
		j := i
		for i < len(line) && '0' <= line[i] && line[i] <= '9' {
			i++
		}
		if i == j {
			err = bad(what)
			return 0
		}
		v, perr := strconv.ParseInt(string(line[j:i]), 10, 64)
		if perr != nil {
			err = fmt.Errorf("%w: %s %q out of range", ErrBadHeader, what, line[j:i])
			return 0
		}
		return v
	}

	const magic = "chunked"
	for k := 0; k < len(magic); k++ {
		if !more(`"chunked"`) {
			return 0, 0, err
		}
		if line[i] != magic[k] {
			return 0, 0, fmt.Errorf("%w: %q does not start with \"chunked 1.0,\" (is chunked = true set "+
				"for this command in commands.conf? did the previous chunk declare the wrong lengths?)", ErrBadHeader, chunkSnippet(line))
		}
		i++
	}
	if !more("version") {
		return 0, 0, err
	}
	if !isChunkSpace(line[i]) {
		return 0, 0, bad("space after \"chunked\"")
	}
	skipSpace()
	if !more("version") {
		return 0, 0, err
	}
	j := i
	for i < len(line) && line[i] != ',' && !isChunkSpace(line[i]) {
		i++
	}
	if i == j {
		return 0, 0, bad("version")
	}
	if version := string(line[j:i]); version != "1.0" {
		if partial && i == len(line) && len(version) < 3 && version == "1.0"[:len(version)] {
			return 0, 0, ErrTruncated
		}
		return 0, 0, fmt.Errorf("%w: got %q, this awsrisk binary speaks only \"chunked 1.0\" (custom search command protocol v2); "+
			"use a Splunk version that sends chunked 1.0 or an awsrisk build that supports %q", ErrVersion, chunkSnippet(line[j:i]), chunkSnippet(line[j:i]))
	}
	skipSpace()
	if !more(`","`) {
		return 0, 0, err
	}
	if line[i] != ',' {
		return 0, 0, bad(`","`)
	}
	i++
	metaLen = number("metadata length")
	if err != nil {
		return 0, 0, err
	}
	skipSpace()
	if !more(`","`) {
		return 0, 0, err
	}
	if line[i] != ',' {
		return 0, 0, bad(`","`)
	}
	i++
	bodyLen = number("body length")
	if err != nil {
		return 0, 0, err
	}
	skipSpace()
	if i != len(line) {
		return 0, 0, bad("end of line")
	}
	if partial {
		// Even a complete-looking prefix lacks its '\n'.
		return 0, 0, ErrTruncated
	}
	return metaLen, bodyLen, nil
}

// isChunkSpace reports whether c is ASCII whitespace other than '\n'
// (the header terminator), i.e. Python's \s restricted to one line.
func isChunkSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// chunkSnippet truncates b for quoting in an error message.
func chunkSnippet(b []byte) []byte {
	const max = 64
	if len(b) > max {
		return b[:max]
	}
	return b
}

// Writer encodes chunks to a stream (our stdout, splunkd's stdin).
// It is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	buf []byte // header (+ small payloads) staged for a single Write
}

// NewWriter returns a Writer writing chunks to w. If w has a
// Flush() error method (for example a *bufio.Writer), every chunk is
// flushed as soon as it is written, so splunkd never waits for a reply
// that sits in a buffer.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w}
}

// writeStageMax is the largest chunk staged in one buffer and written with
// a single Write call; bigger bodies are written separately rather than copied.
const writeStageMax = 64 << 10

// WriteChunk writes "chunked 1.0,<len(meta)>,<len(body)>\n", meta and body,
// then flushes the underlying writer if it can be flushed. The lengths are
// byte counts, which is what the protocol requires.
func (w *Writer) WriteChunk(meta, body []byte) error {
	b := append(w.buf[:0], "chunked 1.0,"...)
	b = strconv.AppendInt(b, int64(len(meta)), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, '\n')
	b = append(b, meta...)
	small := len(b)+len(body) <= writeStageMax
	if small {
		b = append(b, body...)
	}
	if cap(b) <= writeStageMax {
		w.buf = b // keep the staging buffer, but never a huge one
	}
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("chunked: write chunk: %w", err)
	}
	if !small && len(body) > 0 {
		if _, err := w.w.Write(body); err != nil {
			return fmt.Errorf("chunked: write chunk body: %w", err)
		}
	}
	if f, ok := w.w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("chunked: flush chunk: %w", err)
		}
	}
	return nil
}
