package app

import (
	"awsrisk/app/table"
	"awsrisk/internal/cputime"
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// Codec benchmarks. Compare before/after a change with
//
//	go test -run XXX -bench 'ParseTable|PassThrough|ReadChunk|AppendRecord' -benchmem -count 6 ./app > new.txt
//	benchstat old.txt new.txt
//
// The input is a 10,000-row CloudTrail-like execute body written the way
// splunkd writes it: every non-empty cell holding anything outside
// [A-Za-z0-9] quoted, a "__mv_" column for every field (mostly empty), and
// a JSON _raw of about 1 KB per event.

// benchRows is the number of events in the benchmark chunk.
const benchRows = 10000

var benchBody = sync.OnceValue(func() []byte { return benchCloudTrailBody(benchRows) })

// benchCloudTrailBody builds a splunkd-style CSV body of n CloudTrail events.
func benchCloudTrailBody(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 1))
	fields := []string{"_time", "_raw", "eventName", "eventSource", "awsRegion", "sourceIPAddress",
		"userIdentity.arn", "userAgent", "errorCode", "_chunked_idx"}
	header := append([]string{}, fields...)
	for _, f := range fields {
		header = append(header, "__mv_"+f)
	}
	events := []string{"GetObject", "PutObject", "AssumeRole", "DescribeInstances", "ConsoleLogin", "ListBuckets", "CreateAccessKey"}
	sources := []string{"s3.amazonaws.com", "sts.amazonaws.com", "ec2.amazonaws.com", "signin.amazonaws.com", "iam.amazonaws.com"}
	regions := []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	agents := []string{"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22", "Boto3/1.34.0 md/Botocore#1.34.0", "console.amazonaws.com"}
	errs := []string{"", "", "", "", "AccessDenied", "NoSuchKey"}

	body := table.AppendSplunkdRecord(nil, header)
	row := make([]string, len(header))
	for i := range n {
		t := 1700000000 + float64(i)*0.731
		ev, src, reg := events[rng.IntN(len(events))], sources[rng.IntN(len(sources))], regions[rng.IntN(len(regions))]
		ip := fmt.Sprintf("%d.%d.%d.%d", 10+rng.IntN(200), rng.IntN(256), rng.IntN(256), rng.IntN(256))
		arn := fmt.Sprintf("arn:aws:iam::%012d:user/user%03d", 123456789012, rng.IntN(500))
		agent, errc := agents[rng.IntN(len(agents))], errs[rng.IntN(len(errs))]
		raw := fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA%016X","arn":"%s","accountId":"123456789012"},`+
			`"eventTime":"2023-11-14T22:%02d:%02dZ","eventSource":"%s","eventName":"%s","awsRegion":"%s","sourceIPAddress":"%s",`+
			`"userAgent":"%s","errorCode":"%s","requestParameters":{"bucketName":"logs-%d","key":"2023/11/14/part-%05d.json.gz"},`+
			`"responseElements":null,"requestID":"%016X","eventID":"%08x-%04x-%04x-%04x-%012x","readOnly":true,"eventType":"AwsApiCall",`+
			`"managementEvent":false,"recipientAccountId":"123456789012","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256"}}`,
			rng.Uint64(), arn, (i/60)%60, i%60, src, ev, reg, ip, agent, errc, rng.IntN(9), i, rng.Uint64(),
			rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<16), rng.IntN(1<<16), rng.Uint64()&(1<<48-1))
		clear(row)
		copy(row, []string{fmt.Sprintf("%.3f", t), raw, ev, src, reg, ip, arn, agent, errc, fmt.Sprint(i)})
		if i%50 == 0 { // an occasional multivalue field
			row[4] = reg + "\n" + regions[0]
			row[len(fields)+4] = table.EncodeMV([]string{reg, regions[0]})
		}
		body = table.AppendSplunkdRecord(body, row)
	}
	return body
}

func TestBenchBodyParses(t *testing.T) {
	body := benchCloudTrailBody(200)
	tab, err := table.ParseTable(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 200 || len(tab.Header) != 20 {
		t.Fatalf("got %d rows × %d columns", len(tab.Rows), len(tab.Header))
	}
	if got := tab.Values(0, "awsRegion"); len(got) != 2 {
		t.Fatalf("row 0 awsRegion = %q, want two values", got)
	}
}

func BenchmarkParseTable(b *testing.B) {
	body := benchBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := cputime.Start()
	for b.Loop() {
		if _, err := table.ParseTable(body); err != nil {
			b.Fatal(err)
		}
	}
	cpu.Report(b, len(body))
}

// BenchmarkPassThrough is what a streaming command that echoes its input
// costs in the codec: parse the body in place (View), then re-encode every record.
func BenchmarkPassThrough(b *testing.B) {
	body := benchBody()
	out := make([]byte, 0, len(body)+len(body)/8)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := cputime.Start()
	var v table.View
	var row []string
	for b.Loop() {
		if err := v.Parse(body); err != nil {
			b.Fatal(err)
		}
		out = table.AppendRecord(out[:0], v.Header)
		row = append(row[:0], v.Header...)
		for i := range v.Len() {
			out = table.AppendRecord(out, v.Row(i, row))
		}
	}
	cpu.Report(b, len(body))
}

func BenchmarkAppendRecord(b *testing.B) {
	tab, err := table.ParseTable(benchBody())
	if err != nil {
		b.Fatal(err)
	}
	var out []byte
	out = tab.AppendCSV(out)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		out = tab.AppendCSV(out[:0])
	}
}

// BenchmarkReadChunk measures framing alone: a stream of 16 execute chunks
// carrying the benchmark body.
func BenchmarkReadChunk(b *testing.B) {
	var stream bytes.Buffer
	w := NewWriter(&stream)
	for range 16 {
		if err := w.WriteChunk([]byte(`{"action":"execute","finished":false}`), benchBody()); err != nil {
			b.Fatal(err)
		}
	}
	src := bytes.NewReader(stream.Bytes())
	r := NewReader(src)
	b.SetBytes(int64(stream.Len()))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(stream.Bytes())
		for range 16 {
			if _, err := r.ReadChunk(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
