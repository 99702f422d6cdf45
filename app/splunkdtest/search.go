package splunkdtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"awsrisk/app"

	"awsrisk/app/table"
)

// Starter starts a fresh command process (splunkd starts one per probe and per phase).
type Starter func() (*Process, error)

// Tokenize splits an SPL argument string like splunkd: on whitespace outside double quotes.
// args has the quotes removed and \" \\ unescaped; raw keeps each token as typed (scp-v2.md §1.3).
func Tokenize(spl string) (args, raw []string) {
	var a, r strings.Builder
	inQuote, have := false, false
	flush := func() {
		if have {
			args, raw = append(args, a.String()), append(raw, r.String())
		}
		a.Reset()
		r.Reset()
		have = false
	}
	for i := 0; i < len(spl); i++ {
		c := spl[i]
		switch {
		case c == '"':
			inQuote = !inQuote
			r.WriteByte(c)
			have = true
		case c == '\\' && inQuote && i+1 < len(spl) && (spl[i+1] == '"' || spl[i+1] == '\\'):
			r.WriteByte(c)
			r.WriteByte(spl[i+1])
			a.WriteByte(spl[i+1])
			i++
		case (c == ' ' || c == '\t' || c == '\n') && !inQuote:
			flush()
		default:
			a.WriteByte(c)
			r.WriteByte(c)
			have = true
		}
	}
	flush()
	return args, raw
}

// Info is the getinfo request splunkd 8.2 sends for `| awsrisk <spl>`.
func Info(spl string) *app.GetInfo {
	args, raw := Tokenize(spl)
	return &app.GetInfo{Action: "getinfo", SearchInfo: app.SearchInfo{
		Args: args, RawArgs: raw, DispatchDir: "/opt/splunk/var/run/splunk/dispatch/1700000000.42",
		SID: "1700000000.42", App: "search", Owner: "admin", Username: "admin", SessionKey: "k",
		SplunkdURI: "https://127.0.0.1:8089", SplunkVersion: "9.1.2", Command: "awsrisk",
		Search: "%7C%20awsrisk%20" + strings.ReplaceAll(spl, " ", "%20"), MaxResultRows: 50000,
		EarliestTime: "0", LatestTime: "0",
	}}
}

// Result is what a simulated search returned.
type Result struct {
	GetInfo  *app.Reply   // the getinfo reply of the process whose output is Events
	Events   *table.Table // final results (streaming: the full events with the command's fields merged in)
	Messages [][2]string  // inspector messages of every reply
	Error    string       // the terminal error, if the command sent one
	Replies  int          // execute replies received
}

// Probe runs n getinfo-only processes: each must answer getinfo and exit 0 when stdin closes.
func Probe(start Starter, info *app.GetInfo, n int) error {
	for i := 0; i < n; i++ {
		p, err := start()
		if err != nil {
			return err
		}
		if _, err := p.GetInfo(info); err != nil {
			return fmt.Errorf("probe %d: %w", i, err)
		}
		if err := p.Close(); err != nil {
			return fmt.Errorf("probe %d: %w", i, err)
		}
	}
	return nil
}

// Chunks cuts rows 0..n into consecutive chunk sizes, cycling through sizes. A size of 0 yields
// an empty (header-only) chunk, which splunkd sends "sometimes" (scp-v2.md §3.1).
func Chunks(n int, sizes []int) [][2]int {
	if len(sizes) == 0 {
		sizes = []int{50000}
	}
	var out [][2]int
	for i, at := 0, 0; at < n; i++ {
		s := sizes[i%len(sizes)]
		end := min(at+s, n)
		out = append(out, [2]int{at, end})
		at = end
		if i > 10*n+len(sizes) { // all-zero sizes would never advance
			break
		}
	}
	return out
}

// Stream runs a streaming (or stateful) command over events cut into chunks. When the getinfo reply
// declares required_fields, only those plus _chunked_idx are sent and the reply rows are merged
// back into the full events by _chunked_idx, as splunkd's selected-fields mode does.
func Stream(start Starter, info *app.GetInfo, events *table.Table, sizes []int) (*Result, error) {
	p, err := start()
	if err != nil {
		return nil, err
	}
	defer p.Close()
	rep, err := p.GetInfo(info)
	if err != nil {
		return nil, err
	}
	res := &Result{GetInfo: rep}
	if rep.Error != "" {
		res.Error = rep.Error
		return res, nil
	}
	selected := len(rep.RequiredFields) > 0 && !slices.Contains(rep.RequiredFields, "*")
	fields := events.Header
	if selected {
		fields = append(slices.Clone(rep.RequiredFields), "_chunked_idx")
	}
	out := &table.Table{}
	if selected {
		out.Header = slices.Clone(events.Header)
	}
	chunks := Chunks(len(events.Rows), sizes)
	if len(chunks) == 0 {
		chunks = [][2]int{{0, 0}}
	}
	for ci, c := range chunks {
		finished := ci == len(chunks)-1
		body := EncodeBody(events, fields, c[0], c[1])
		r, t, err := p.Execute(body, finished)
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", ci, err)
		}
		res.Replies++
		if r.Inspector != nil {
			res.Messages = append(res.Messages, r.Inspector.Messages...)
		}
		if r.Error != "" {
			res.Error = r.Error
			return res, nil
		}
		if r.Finished == nil || *r.Finished != finished {
			return nil, fmt.Errorf("chunk %d: reply finished=%v, want %v (streaming commands mirror finished)", ci, r.Finished, finished)
		}
		if selected {
			if err := mergeBack(out, events, t, c[0]); err != nil {
				return nil, fmt.Errorf("chunk %d: %w", ci, err)
			}
		} else {
			appendTable(out, t)
		}
	}
	res.Events = out
	return res, nil
}

// mergeBack adds the reply's rows to out: each reply row names its event by _chunked_idx; the
// event keeps its own fields and takes the reply's values for every column the reply carries.
func mergeBack(out, events, reply *table.Table, offset int) error {
	if len(reply.Header) == 0 {
		return nil
	}
	idx := reply.Col("_chunked_idx")
	if idx < 0 {
		return fmt.Errorf("reply has no _chunked_idx column; splunkd cannot merge it back")
	}
	widen(out, reply.Header)
	pos := make([]int, len(reply.Header))
	for j, f := range reply.Header {
		pos[j] = slices.Index(out.Header, f)
	}
	for _, row := range reply.Rows {
		k, err := strconv.Atoi(row[idx])
		if err != nil || offset+k >= len(events.Rows) || k < 0 {
			return fmt.Errorf("reply row has a bad _chunked_idx %q", row[idx])
		}
		ev := make([]string, len(out.Header))
		copy(ev, events.Rows[offset+k])
		for j, f := range reply.Header {
			if f != "_chunked_idx" {
				ev[pos[j]] = row[j]
			}
		}
		out.Rows = append(out.Rows, ev)
	}
	return nil
}

// appendTable appends t's rows to out, widening out's header to the union.
func appendTable(out, t *table.Table) {
	if len(t.Header) == 0 {
		return
	}
	widen(out, t.Header)
	pos := make([]int, len(t.Header))
	for j, f := range t.Header {
		pos[j] = slices.Index(out.Header, f)
	}
	for _, row := range t.Rows {
		ev := make([]string, len(out.Header))
		for j := range t.Header {
			ev[pos[j]] = row[j]
		}
		out.Rows = append(out.Rows, ev)
	}
}

// widen adds the fields out lacks (except _chunked_idx, which belongs to the wire) to out's
// header, with empty values in the rows it already has. out must not have used Col yet.
func widen(out *table.Table, fields []string) {
	for _, f := range fields {
		if f != "_chunked_idx" && !slices.Contains(out.Header, f) {
			out.Header = append(out.Header, f)
			for i := range out.Rows {
				out.Rows[i] = append(out.Rows[i], "")
			}
		}
	}
}

// Run runs a non-streaming command (reporting/events, or generating) in one process: all events
// in chunks, replies to non-final chunks must be empty, the final reply is the result.
func Run(start Starter, info *app.GetInfo, events *table.Table, sizes []int) (*Result, error) {
	p, err := start()
	if err != nil {
		return nil, err
	}
	defer p.Close()
	rep, err := p.GetInfo(info)
	if err != nil {
		return nil, err
	}
	res := &Result{GetInfo: rep, Events: &table.Table{}}
	if rep.Error != "" {
		res.Error = rep.Error
		return res, nil
	}
	if rep.Generating {
		events = &table.Table{}
	}
	fields := events.Header
	if len(rep.RequiredFields) > 0 && len(events.Header) > 0 {
		fields = nil
		for _, f := range rep.RequiredFields {
			if events.Col(f) >= 0 {
				fields = append(fields, f)
			}
		}
	}
	chunks := Chunks(len(events.Rows), sizes)
	if len(chunks) == 0 {
		chunks = [][2]int{{0, 0}}
	}
	for ci, c := range chunks {
		finished := ci == len(chunks)-1
		var body []byte
		if len(fields) > 0 {
			body = EncodeBody(events, fields, c[0], c[1])
		}
		r, t, err := p.Execute(body, finished)
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", ci, err)
		}
		res.Replies++
		if r.Inspector != nil {
			res.Messages = append(res.Messages, r.Inspector.Messages...)
		}
		if r.Error != "" {
			res.Error = r.Error
			return res, nil
		}
		appendTable(res.Events, t)
		if r.Finished != nil && *r.Finished {
			break
		}
	}
	return res, nil
}

// MapReduce runs a reporting command the way a distributed search does: the reduce process's
// getinfo names a streaming_preop; each of k indexers runs it as its own process over its share
// of the events (contiguous blocks, in chunks, through Stream: in selected-fields mode when the map
// declares required_fields, so its rows must carry _chunked_idx and come back merged into the
// events they name, and events without a reply row are gone); splunkd concatenates the map outputs
// and feeds them to the reduce process, which gets only its own required_fields. k == 0 skips the
// map phase, as splunkd may, and sends raw events.
func MapReduce(start Starter, info *app.GetInfo, events *table.Table, k int, sizes []int) (*Result, error) {
	p, err := start()
	if err != nil {
		return nil, err
	}
	rep, err := p.GetInfo(info)
	if err != nil {
		p.Close()
		return nil, err
	}
	if err := p.Close(); err != nil { // that was the search head's probe of the reduce side
		return nil, err
	}
	if rep.Error != "" {
		return &Result{GetInfo: rep, Error: rep.Error}, nil
	}
	if k == 0 {
		return Run(start, info, events, sizes)
	}
	if rep.StreamingPreop == "" {
		return nil, fmt.Errorf("reporting command declared no streaming_preop")
	}
	preop := strings.TrimPrefix(rep.StreamingPreop, info.SearchInfo.Command+" ")
	mapInfo := Info(preop)
	mapped := &table.Table{}
	var msgs [][2]string
	n := len(events.Rows)
	for i := 0; i < k; i++ {
		lo, hi := i*n/k, (i+1)*n/k
		part := &table.Table{Header: events.Header, Rows: events.Rows[lo:hi]}
		res, err := Stream(start, mapInfo, part, sizes)
		if err != nil {
			return nil, fmt.Errorf("indexer %d: %w", i, err)
		}
		if res.Error != "" {
			return res, nil
		}
		if res.GetInfo.Type != app.TypeStreaming {
			return nil, fmt.Errorf("map phase declared type %q, want streaming", res.GetInfo.Type)
		}
		msgs = append(msgs, res.Messages...)
		appendTable(mapped, res.Events)
	}
	res, err := Run(start, info, mapped, sizes)
	if err != nil {
		return nil, err
	}
	res.Messages = append(msgs, res.Messages...)
	return res, nil
}
