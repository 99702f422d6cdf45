package app

import (
	"awsrisk/app/table"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Local runs a command outside Splunk, the way splunkd would: one getinfo, then the CSV records of
// In cut into execute chunks of ChunkRows rows, the last one marked finished. Output bodies are
// concatenated into one CSV on Out; inspector messages go to Messages. It lets an incident
// responder use the same code path as the search command, with no Splunk.
type Local struct {
	Name      string    // the command's and its app's name: searchinfo's command and app, the prefix of messages
	ChunkRows int       // rows per execute chunk; 0 means DefaultLocalChunkRows
	Messages  io.Writer // inspector messages, "WARN: ..."; nil discards them
	Progress  io.Writer // rows and rows/s every few seconds on long runs; nil for none
}

// DefaultLocalChunkRows is local mode's chunk: 10,000 rows (~1.8 MB of CloudTrail CSV), not
// splunkd's 50,000 maxresultrows. A chunk that stays in the CPU caches while it is parsed, scored
// and written, and whose buffers the garbage collector hands back before the next, is faster and
// smaller: apply on 200,000 events took 0.27 s and 104 MB at 50,000 rows, 0.15 s and 45 MB at
// 10,000; fit 0.45 s and 132 MB, 0.37 s and 60 MB. Every handler gives the same result for any
// chunking (the tests drive chunks of 0 to 50,000 rows).
const DefaultLocalChunkRows = 10000

// Run executes args (e.g. ["apply", "m"]) with factory on CSV from in, writing CSV to out.
func (l Local) Run(args []string, in io.Reader, out io.Writer, factory Factory) error {
	chunkRows := l.ChunkRows
	if chunkRows <= 0 {
		chunkRows = DefaultLocalChunkRows
	}
	user := os.Getenv("USER")
	info := &GetInfo{Action: "getinfo", SearchInfo: SearchInfo{
		Args: args, Command: l.Name, App: l.Name, Owner: user, Username: user, MaxResultRows: chunkRows,
	}}
	h, reply, err := factory(info)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 1<<16)
	w := &localWriter{w: bw, msgs: l.Messages, name: l.Name}
	if reply.Generating {
		var o Output
		err := h.Execute(&table.Table{}, true, &o)
		w.messages(o.msgs)
		if err != nil {
			return err
		}
		if err := w.write(&o); err != nil {
			return err
		}
		return bw.Flush()
	}
	// Reading and parsing the next chunk overlaps with executing this one, as splunkd's own
	// search pipeline does.
	chunks := make(chan parsedChunk) // unbuffered: at most one parsed chunk waits, which bounds memory
	stop := make(chan struct{})
	defer close(stop)
	_, inPlace := h.(ViewHandler)
	go readChunks(newCSVChunker(in, chunkRows), chunks, stop, inPlace)
	start, lastReport := time.Now(), time.Now()
	var rows int64
	var o Output
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		o.Reset()
		var err error
		if c.v != nil {
			err = h.(ViewHandler).ExecuteView(c.v, c.finished, &o)
		} else {
			err = h.Execute(c.t, c.finished, &o)
		}
		w.messages(o.msgs)
		if err != nil {
			return err
		}
		if err := w.write(&o); err != nil {
			return err
		}
		rows += int64(c.rows())
		if l.Progress != nil && time.Since(lastReport) > 2*time.Second {
			lastReport = time.Now()
			el := time.Since(start).Seconds()
			fmt.Fprintf(l.Progress, "%s: %d rows, %.0f rows/s\n", l.Name, rows, float64(rows)/el)
		}
		if c.finished || o.finished {
			break
		}
	}
	if l.Progress != nil && time.Since(start) > 2*time.Second {
		fmt.Fprintf(l.Progress, "%s: done, %d rows in %.1fs\n", l.Name, rows, time.Since(start).Seconds())
	}
	return bw.Flush()
}

// parsedChunk is one execute chunk for Local.Run: its records, and whether it is the last.
type parsedChunk struct {
	t        *table.Table
	v        *table.View // instead of t, for a ViewHandler
	finished bool
	err      error
}

func (c parsedChunk) rows() int {
	if c.v != nil {
		return c.v.Len()
	}
	return len(c.t.Rows)
}

// readChunks cuts the input into chunks and parses them, one chunk ahead of the consumer. The
// chunk that ends the input is marked finished (an empty input is one empty, finished chunk).
func readChunks(cr *csvChunker, out chan<- parsedChunk, stop <-chan struct{}, inPlace bool) {
	defer close(out)
	send := func(c parsedChunk) bool {
		select {
		case out <- c:
			return true
		case <-stop:
			return false
		}
	}
	var read int64
	for {
		// next returns io.EOF together with the last body (a body that may hold records), and
		// (nil, io.EOF) only for an input without even a header.
		body, err := cr.next()
		if err != nil && !errors.Is(err, io.EOF) {
			send(parsedChunk{err: err})
			return
		}
		last := errors.Is(err, io.EOF)
		var c parsedChunk
		var perr error
		if inPlace {
			c.v, perr = table.ParseView(body)
		} else {
			c.t, perr = table.ParseTable(body)
		}
		if perr != nil {
			send(parsedChunk{err: fmt.Errorf("input records %d-: %w", read+1, perr)})
			return
		}
		read += int64(c.rows())
		c.finished = last
		if !send(c) || last {
			return
		}
	}
}

// localWriter concatenates reply bodies into one CSV: the first header is written once, and a
// later chunk with other columns is re-ordered into it (new columns are an error, since a CSV file
// cannot grow columns).
type localWriter struct {
	w      *bufio.Writer
	header []string
	msgs   io.Writer
	name   string
}

func (lw *localWriter) messages(msgs [][2]string) {
	if lw.msgs == nil {
		return
	}
	for _, m := range msgs {
		io.WriteString(lw.msgs, FormatMessage(lw.name, m[0], m[1]))
	}
}

func (lw *localWriter) write(o *Output) error {
	if len(o.body) == 0 || o.header == nil {
		return nil
	}
	if lw.header == nil {
		// A local CSV has no multivalue fields: the __mv_<f> columns of the protocol (scp-v2.md
		// §4.2) are left out; <f> itself holds the values joined by newlines, as Splunk's CSV
		// export shows them.
		lw.header = slices.DeleteFunc(slices.Clone(o.header), isMVColumn)
		if len(lw.header) == len(o.header) {
			_, err := lw.w.Write(o.body)
			return err
		}
		if _, err := lw.w.Write(table.AppendRecord(nil, lw.header)); err != nil {
			return err
		}
	} else if slices.Equal(lw.header, o.header) {
		_, err := lw.w.Write(o.body[o.headerLen:])
		return err
	}
	t, err := table.ParseTable(o.body)
	if err != nil {
		return err
	}
	idx := make([]int, len(lw.header))
	for i, f := range lw.header {
		idx[i] = t.Col(f)
	}
	for _, f := range t.Header {
		if !slices.Contains(lw.header, f) && !isMVColumn(f) {
			return fmt.Errorf("output field %q appeared after the first chunk; a CSV cannot add columns", f)
		}
	}
	rec := make([]string, len(lw.header))
	var buf []byte
	for _, row := range t.Rows {
		for i, c := range idx {
			rec[i] = ""
			if c >= 0 {
				rec[i] = row[c]
			}
		}
		buf = table.AppendRecord(buf[:0], rec)
		if _, err := lw.w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// csvChunker cuts a CSV stream into bodies of at most n records, each starting with the header.
// It only finds record boundaries (a newline outside double quotes); ParseTable does the parsing.
type csvChunker struct {
	r      *bufio.Reader
	n      int
	header []byte
	err    error
	buf    []byte // the body, reused: readChunks parses one before it reads the next
	last   int    // length of the last body
}

func newCSVChunker(r io.Reader, n int) *csvChunker {
	return &csvChunker{r: bufio.NewReaderSize(r, 1<<20), n: n}
}

// record appends one whole record (with its terminator) to dst.
func (c *csvChunker) record(dst []byte) ([]byte, error) {
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
func (c *csvChunker) next() ([]byte, error) {
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
	body := slices.Grow(c.buf[:0], max(c.last+c.last/8, 1<<22))
	body = append(body, c.header...)
	defer func() { c.buf, c.last = body[:0], len(body) }()
	for i := 0; i < c.n && len(body) < maxChunkBytes; i++ {
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

// isMVColumn reports a protocol multivalue column, __mv_<field>.
func isMVColumn(f string) bool { return strings.HasPrefix(f, "__mv_") }

// FormatMessage is one inspector message on a terminal: "awsrisk: WARN: fit: ...". The messages
// name the command for Splunk's job inspector ("awsrisk fit: ..."); the terminal line already
// starts with the name, so a leading "<name>: " or "<name> " is not repeated.
func FormatMessage(name, level, text string) string {
	if rest, ok := strings.CutPrefix(text, name+": "); ok {
		text = rest
	} else if rest, ok := strings.CutPrefix(text, name+" "); ok {
		text = rest
	}
	return name + ": " + level + ": " + text + "\n"
}
