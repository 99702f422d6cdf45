package app

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
)

// framingChunk is a chunk with string fields, for readable tables.
type framingChunk struct{ meta, body string }

// framingReaders are the adversarial wrappers every good case is read through.
var framingReaders = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"plain", func(r io.Reader) io.Reader { return r }},
	{"OneByte", iotest.OneByteReader},
	{"Half", iotest.HalfReader},
	{"DataErr", iotest.DataErrReader},
	{"DataErrOneByte", func(r io.Reader) io.Reader { return iotest.DataErrReader(iotest.OneByteReader(r)) }},
}

// framingReadAll reads chunks until an error and returns copies of them.
func framingReadAll(r *Reader) ([]framingChunk, error) {
	var got []framingChunk
	for {
		c, err := r.ReadChunk()
		if err != nil {
			return got, err
		}
		got = append(got, framingChunk{string(c.Meta), string(c.Body)})
	}
}

func TestReadChunkGood(t *testing.T) {
	thai := "name,text\nNoah,\"ทดสอบ 🎉\"\n" // 25 characters, 38 bytes: 5 Thai letters × 3 bytes, a 4-byte emoji
	getinfo := `{"action":"getinfo","preview":false}`
	tests := []struct {
		name string
		in   string
		want []framingChunk
	}{
		{"empty stream", "", nil},
		{"empty chunk", "chunked 1.0,0,0\n", []framingChunk{{"", ""}}},
		{"meta only", "chunked 1.0,36,0\n" + getinfo, []framingChunk{{getinfo, ""}}},
		{"body only", "chunked 1.0,0,4\na\n1\n", []framingChunk{{"", "a\n1\n"}}},
		{"meta and body", "chunked 1.0,2,4\n{}a\n1\n", []framingChunk{{"{}", "a\n1\n"}}},
		{"multibyte body counted in bytes", "chunked 1.0,2,38\n{}" + thai, []framingChunk{{"{}", thai}}},
		{"body without trailing newline", "chunked 1.0,2,3\n{}a\n1", []framingChunk{{"{}", "a\n1"}}},
		{"body holding a fake header", "chunked 1.0,0,16\nchunked 1.0,0,0\n", []framingChunk{{"", "chunked 1.0,0,0\n"}}},
		{"space variants", "chunked  1.0 , 2 ,\t3 \n{}abc", []framingChunk{{"{}", "abc"}}},
		{"tab after chunked", "chunked\t1.0,0,1\nx", []framingChunk{{"", "x"}}},
		{"CRLF header", "chunked 1.0,2,1\r\n{}x", []framingChunk{{"{}", "x"}}},
		{"leading zeros", "chunked 1.0,002,0001\n{}x", []framingChunk{{"{}", "x"}}},
		{
			"back to back",
			"chunked 1.0,2,0\n{}chunked 1.0,0,2\nabchunked 1.0,0,0\nchunked 1.0,1,1\n12",
			[]framingChunk{{"{}", ""}, {"", "ab"}, {"", ""}, {"1", "2"}},
		},
	}
	if len(thai) != 38 || len([]rune(thai)) != 25 {
		t.Fatalf("test setup: thai body is %d bytes", len(thai))
	}
	for _, tt := range tests {
		for _, rd := range framingReaders {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				got, err := framingReadAll(NewReader(rd.wrap(strings.NewReader(tt.in))))
				require.Equal(t, io.EOF, err, "a clean end must be io.EOF itself, not wrapped")
				require.Equal(t, tt.want, got, "input %q", tt.in)
			})
		}
	}
}

func TestReadChunkManyChunks(t *testing.T) {
	var stream bytes.Buffer
	w := NewWriter(&stream)
	var want []framingChunk
	for i := range 1000 {
		c := framingChunk{strings.Repeat("m", i%7), strings.Repeat("b\n", i%300)}
		want = append(want, c)
		require.NoError(t, w.WriteChunk([]byte(c.meta), []byte(c.body)))
	}
	for _, rd := range framingReaders {
		t.Run(rd.name, func(t *testing.T) {
			got, err := framingReadAll(NewReader(rd.wrap(bytes.NewReader(stream.Bytes()))))
			require.Equal(t, io.EOF, err)
			require.Equal(t, want, got)
		})
	}
}

func TestReadChunkErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		limit     [2]int64 // SetLimit arguments, if non-zero
		wantOK    int      // chunks read before the error
		wantErr   error
		wantInMsg string
	}{
		{"truncated in header", "chunked 1.0,2", [2]int64{}, 0, ErrTruncated, "incomplete"},
		{"truncated after chunked", "chunked", [2]int64{}, 0, ErrTruncated, ""},
		{"truncated in version", "chunked 1.", [2]int64{}, 0, ErrTruncated, ""},
		{"truncated before newline", "chunked 1.0,2,3", [2]int64{}, 0, ErrTruncated, ""},
		{"truncated in meta", "chunked 1.0,5,0\n{\"a\"", [2]int64{}, 0, ErrTruncated, "4 of 5 metadata bytes"},
		{"truncated in body", "chunked 1.0,2,10\n{}abc", [2]int64{}, 0, ErrTruncated, "3 of 10 body bytes"},
		{"truncated at body start", "chunked 1.0,2,10\n{}", [2]int64{}, 0, ErrTruncated, "0 of 10 body bytes"},
		{"truncated second chunk", "chunked 1.0,0,1\nxchunked 1.0,0,1\n", [2]int64{}, 1, ErrTruncated, "chunk 2 (byte offset 17)"},
		{"body shorter than declared", "chunked 1.0,0,5\nabc", [2]int64{}, 0, ErrTruncated, ""},
		{"body longer than declared", "chunked 1.0,0,2\nabcdef", [2]int64{}, 1, ErrBadHeader, "chunk 2 (byte offset 18)"},
		{"garbage", "hello world\n", [2]int64{}, 0, ErrBadHeader, "commands.conf"},
		{"garbage without newline", "hello", [2]int64{}, 0, ErrBadHeader, ""},
		{"protocol v1 style", "splunkVersion:8.2.1\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"uppercase", "CHUNKED 1.0,0,0\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"no space after chunked", "chunked1.0,0,0\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"missing version", "chunked ,0,0\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"missing body length", "chunked 1.0,5\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"empty length", "chunked 1.0,,0\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"negative length", "chunked 1.0,-1,0\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"plus sign", "chunked 1.0,+1,0\nx", [2]int64{}, 0, ErrBadHeader, ""},
		{"hex length", "chunked 1.0,0x10,0\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"trailing junk", "chunked 1.0,0,0 x\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"extra field", "chunked 1.0,0,0,0\n", [2]int64{}, 0, ErrBadHeader, ""},
		{"overflowing length", "chunked 1.0,0,99999999999999999999\n", [2]int64{}, 0, ErrBadHeader, "out of range"},
		{"header too long", "chunked 1.0," + strings.Repeat(" ", 200) + "0,0\n", [2]int64{}, 0, ErrBadHeader, "no newline within 128 bytes"},
		{"bad header after good chunk", "chunked 1.0,0,0\nnope\n", [2]int64{}, 1, ErrBadHeader, "chunk 2"},
		{"version 2.0", "chunked 2.0,0,0\n", [2]int64{}, 0, ErrVersion, `got "2.0"`},
		{"version 1.1", "chunked 1.1,0,0\n", [2]int64{}, 0, ErrVersion, "speaks only"},
		{"version 1", "chunked 1,0,0\n", [2]int64{}, 0, ErrVersion, ""},
		{"version 1.00", "chunked 1.00,0,0\n", [2]int64{}, 0, ErrVersion, ""},
		{"body above default limit", "chunked 1.0,0,3000000000\n", [2]int64{}, 0, ErrTooLarge, "body length 3000000000 > limit 2147483648"},
		{"meta above default limit", "chunked 1.0,100000000,0\n", [2]int64{}, 0, ErrTooLarge, "metadata length"},
		{"body above set limit", "chunked 1.0,0,11\n01234567890", [2]int64{10, 10}, 0, ErrTooLarge, ""},
		{"meta above set limit", "chunked 1.0,11,0\n01234567890", [2]int64{10, 10}, 0, ErrTooLarge, ""},
		{"at set limit", "chunked 1.0,10,10\n01234567890123456789chunked 1.0,0,11\n", [2]int64{10, 10}, 1, ErrTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in))
			if tt.limit != [2]int64{} {
				r.SetLimit(tt.limit[0], tt.limit[1])
			}
			got, err := framingReadAll(r)
			require.Len(t, got, tt.wantOK)
			require.ErrorIs(t, err, tt.wantErr)
			var pe *ProtocolError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tt.wantOK+1, pe.Chunk)
			require.Contains(t, err.Error(), tt.wantInMsg)
			// Errors are sticky.
			_, err2 := r.ReadChunk()
			require.Equal(t, err, err2)
		})
	}
}

// TestReadChunkLyingLength checks that a header announcing a big (but
// allowed) body does not allocate it before the data arrives.
func TestReadChunkLyingLength(t *testing.T) {
	r := NewReader(strings.NewReader("chunked 1.0,0,1000000000\nabc"))
	_, err := r.ReadChunk()
	require.ErrorIs(t, err, ErrTruncated)
	require.LessOrEqual(t, cap(r.body), chunkGrowStep)
}

func TestReadChunkLargeBody(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 3*chunkGrowStep/16+5) // > chunkGrowStep: stepwise growth
	var stream bytes.Buffer
	w := NewWriter(&stream)
	require.NoError(t, w.WriteChunk([]byte("{}"), body))
	require.NoError(t, w.WriteChunk(nil, body[:10]))
	r := NewReader(iotest.HalfReader(&stream))
	c, err := r.ReadChunk()
	require.NoError(t, err)
	require.Equal(t, "{}", string(c.Meta))
	require.True(t, bytes.Equal(body, c.Body))
	c, err = r.ReadChunk()
	require.NoError(t, err)
	require.Equal(t, string(body[:10]), string(c.Body))
	_, err = r.ReadChunk()
	require.Equal(t, io.EOF, err)
}

// framingErrReader returns data and then a non-EOF error.
type framingErrReader struct {
	data []byte
	err  error
}

func (e *framingErrReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReadChunkIOError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{"", "chunk", "chunked 1.0,2,2\n{", "chunked 1.0,2,2\n{}a"} {
		r := NewReader(&framingErrReader{[]byte(in), boom})
		_, err := r.ReadChunk()
		require.ErrorIs(t, err, boom, "input %q", in)
		var pe *ProtocolError
		require.ErrorAs(t, err, &pe, "input %q", in)
	}
}

// TestReadChunkDoesNotReadAhead checks that ReadChunk returns a chunk as
// soon as its bytes are available, without waiting for more input: the
// protocol is request/response, so the next request only comes after our
// reply.
func TestReadChunkDoesNotReadAhead(t *testing.T) {
	pr, pw := io.Pipe()
	defer pr.Close()
	go func() {
		w := NewWriter(pw)
		_ = w.WriteChunk([]byte(`{"action":"getinfo"}`), nil)
		// Never write more, never close: a reader that wants more blocks forever.
	}()
	done := make(chan error, 1)
	go func() {
		r := NewReader(pr)
		c, err := r.ReadChunk()
		if err == nil && string(c.Meta) != `{"action":"getinfo"}` {
			err = errors.New("wrong chunk")
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("ReadChunk blocked waiting for bytes beyond the chunk")
	}
}

func TestProtocolErrorMessage(t *testing.T) {
	err := error(&ProtocolError{Chunk: 3, Offset: 1234, Err: ErrBadHeader})
	require.Equal(t, "chunk 3 (byte offset 1234): chunked: malformed transport header", err.Error())
	require.ErrorIs(t, err, ErrBadHeader)
}

func TestWriteChunk(t *testing.T) {
	big := strings.Repeat("x", writeStageMax+1)
	tests := []struct {
		name, meta, body, want string
	}{
		{"empty", "", "", "chunked 1.0,0,0\n"},
		{"meta", `{"finished":false}`, "", "chunked 1.0,18,0\n{\"finished\":false}"},
		{"multibyte", "{}", "a\nท\n", "chunked 1.0,2,6\n{}a\nท\n"},
		{"big body", "{}", big, "chunked 1.0,2,65537\n{}" + big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, NewWriter(&buf).WriteChunk([]byte(tt.meta), []byte(tt.body)))
			require.Equal(t, tt.want, buf.String())

			c, err := NewReader(&buf).ReadChunk()
			require.NoError(t, err)
			require.Equal(t, tt.meta, string(c.Meta))
			require.Equal(t, tt.body, string(c.Body))
		})
	}
}

func TestWriteChunkFlushes(t *testing.T) {
	var out bytes.Buffer
	bw := bufio.NewWriterSize(&out, 1<<16)
	require.NoError(t, NewWriter(bw).WriteChunk([]byte("{}"), []byte("a\n")))
	require.Equal(t, "chunked 1.0,2,2\n{}a\n", out.String(), "chunk must be flushed through the bufio.Writer")
}

// framingFailWriter fails every Write after the first n bytes.
type framingFailWriter struct{ n int }

func (f *framingFailWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriteChunkError(t *testing.T) {
	big := bytes.Repeat([]byte("x"), writeStageMax+1)
	for _, n := range []int{0, 10, 30} {
		err := NewWriter(&framingFailWriter{n}).WriteChunk([]byte("{}"), big)
		require.ErrorContains(t, err, "disk full", "fail after %d bytes", n)
	}
}

// TestFramingAllocs guards the steady state of the framing hot path: once
// the buffers have grown, reading and writing a chunk allocates nothing.
func TestFramingAllocs(t *testing.T) {
	meta := []byte(`{"action":"execute","finished":false}`)
	body := bytes.Repeat([]byte("a,b\n1,2\n"), 1000)
	var one bytes.Buffer
	require.NoError(t, NewWriter(&one).WriteChunk(meta, body))

	src := bytes.NewReader(one.Bytes())
	r := NewReader(src)
	w := NewWriter(io.Discard)
	allocs := testing.AllocsPerRun(100, func() {
		src.Reset(one.Bytes())
		c, err := r.ReadChunk()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteChunk(c.Meta, c.Body); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}
