package commands

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awsrisk/app/table"
)

// instanceWorld is four days of an instance role used by i-0123456789abcdef0 from its own
// address, and on day five one call with its credentials from elsewhere (eventID "attack"). Times
// are in eventTime only, as a local CloudTrail export has them.
func instanceWorld(t *testing.T, newestFirst bool) []byte {
	t.Helper()
	header := "eventTime,eventID,eventType,eventSource,eventName,sourceIPAddress,userAgent,userIdentity.type,userIdentity.arn,userIdentity.accountId,recipientAccountId"
	arn := "arn:aws:sts::111122223333:assumed-role/app-role/i-0123456789abcdef0"
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var rows []string
	row := func(at time.Time, id, ip string) string {
		return fmt.Sprintf("%s,%s,AwsApiCall,s3.amazonaws.com,GetObject,%s,aws-sdk-go/1.50,AssumedRole,%s,111122223333,111122223333",
			at.Format(time.RFC3339), id, ip, arn)
	}
	for d := range 4 {
		for i := range 30 {
			rows = append(rows, row(start.Add(time.Duration(d)*24*time.Hour+time.Duration(i)*17*time.Minute), fmt.Sprintf("e%d-%d", d, i), "3.80.1.1"))
		}
	}
	rows = append(rows, row(start.Add(4*24*time.Hour+time.Hour), "attack", "85.214.132.117"))
	if newestFirst {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	return []byte(header + "\n" + strings.Join(rows, "\n") + "\n")
}

func runPipeline(t *testing.T, in []byte, args ...string) (*table.Table, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "in.csv")
	require.NoError(t, os.WriteFile(path, in, 0o644))
	cmd := exec.Command(binPath, append([]string{"--models", dir, "--quiet", "--input", path, "pipeline", "--supervised", ""}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), errb.String())
	tb, err := table.ParseTable(out.Bytes())
	require.NoError(t, err)
	return tb, errb.String()
}

func scoreOf(t *testing.T, tb *table.Table, id, field string) float64 {
	t.Helper()
	ic, fc := tb.Col("eventID"), tb.Col(field)
	require.GreaterOrEqual(t, fc, 0, "no field %s in %v", field, tb.Header)
	for _, r := range tb.Rows {
		if r[ic] == id {
			v, err := strconv.ParseFloat(r[fc], 64)
			if err != nil {
				return 0 // empty: the model had nothing to say
			}
			return v
		}
	}
	t.Fatalf("no event %q", id)
	return 0
}

// TestPipelinePrequential: an attack is not part of its own baseline. Scored prequentially, the
// call from an address the instance never used is flagged by the identity baseline; fitted on
// everything (--batch 0), the attacker's address is already in the instance's history and the
// same event scores 0. The prequential scores do not depend on the input order, and _time is
// derived from eventTime.
func TestPipelinePrequential(t *testing.T) {
	args := []string{"--baselines", "awsrisk_identity"}
	pre, _ := runPipeline(t, instanceWorld(t, false), args...)
	all, _ := runPipeline(t, instanceWorld(t, false), append(args, "--batch", "0")...)
	require.GreaterOrEqual(t, pre.Col("_time"), 0, "_time derived from eventTime")

	require.GreaterOrEqual(t, scoreOf(t, pre, "attack", "ai_risk_score"), 45.0)
	require.Contains(t, pre.Rows[len(pre.Rows)-1][pre.Col("risk_reasons")], "an address the instance never used")
	require.Zero(t, scoreOf(t, all, "attack", "ai_risk_score"), "fit on everything: the attack taught its own address")

	// Day one is learned from, not judged; later ordinary calls stay at 0.
	require.Zero(t, scoreOf(t, pre, "e0-5", "ai_risk_score"))
	require.Zero(t, scoreOf(t, pre, "e3-5", "ai_risk_score"))

	rev, _ := runPipeline(t, instanceWorld(t, true), args...)
	require.Equal(t, "attack", rev.Rows[0][rev.Col("eventID")], "output in input order")
	for _, r := range pre.Rows {
		id := r[pre.Col("eventID")]
		require.Equal(t, scoreOf(t, pre, id, "ai_risk_score"), scoreOf(t, rev, id, "ai_risk_score"), "event %s: input order must not matter", id)
	}
}

// TestPipelineNoTime: without _time or eventTime the input is one batch, with a WARN.
func TestPipelineNoTime(t *testing.T) {
	in := []byte("eventID,eventName,userIdentity.arn\na,GetObject,arn:aws:iam::111122223333:user/alice\nb,GetObject,arn:aws:iam::111122223333:user/bob\n")
	tb, stderr := runPipeline(t, in, "--baselines", "awsrisk_baseline")
	require.Len(t, tb.Rows, 2)
	require.Contains(t, stderr, "neither _time nor eventTime")
}

func TestEventTimes(t *testing.T) {
	for _, c := range []struct {
		name   string
		csv    string
		want   []float64 // -1 = no time
		ok     bool
		header string // last header column afterwards
	}{
		{"_time wins", "_time,eventTime\n100,2024-03-01T00:00:00Z\n", []float64{100}, true, "eventTime"},
		{"eventTime only: _time added", "eventTime\n2024-03-01T00:00:01Z\n2024-03-01T00:00:00\n", []float64{1709251201, 1709251200}, true, "_time"},
		{"bad _time falls back to eventTime", "_time,eventTime\nx,2024-03-01T00:00:00Z\n", []float64{1709251200}, true, "eventTime"},
		{"neither", "eventName\nGetObject\n", []float64{-1}, false, "eventName"},
		{"one row without", "eventTime\n2024-03-01T00:00:00Z\nnot a time\n", []float64{1709251200, -1}, true, "_time"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, err := table.ParseTable([]byte(c.csv))
			require.NoError(t, err)
			got, ok := EventTimes(tb)
			require.Equal(t, c.ok, ok)
			for i, w := range c.want {
				if w < 0 {
					require.True(t, got[i] > 1e300, "row %d has no time", i)
					continue
				}
				require.Equal(t, w, got[i], "row %d", i)
			}
			require.Equal(t, c.header, tb.Header[len(tb.Header)-1])
			for _, r := range tb.Rows {
				require.Len(t, r, len(tb.Header))
			}
		})
	}
}

// TestScoreSkipsUntrainedBaselines: on day one no baseline exists; `score` skips the baseline
// names with a WARN and scores with the rest, but a missing model of any other name is an error.
func TestScoreSkipsUntrainedBaselines(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	require.NoError(t, os.WriteFile(in, instanceWorld(t, false), 0o644))
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(binPath, append([]string{"--models", dir, "--input", in}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	_, stderr, err := run("fit", "CategoricalOutlier", "sourceIPAddress", "by", "userIdentity.arn", "into", "mine")
	require.NoError(t, err, stderr)

	out, stderr, err := run("score", "mine", "awsrisk_hours", "awsrisk_identity")
	require.NoError(t, err, stderr)
	require.Contains(t, stderr, "model awsrisk_hours is not trained yet: skipped")
	require.Contains(t, stderr, "model awsrisk_identity is not trained yet: skipped")
	require.Contains(t, out, "ai_risk_score")

	_, stderr, err = run("score", "mine", "nosuch")
	require.Error(t, err)
	require.Contains(t, stderr, `model "nosuch"`)

	_, stderr, err = run("score", "awsrisk_hours")
	require.Error(t, err)
	require.Contains(t, stderr, "none of the models awsrisk_hours is trained yet")
}

// TestPipelineIncidents: the pipeline's last stage is `incidents mode=events`: every event gets
// its incident, and --incidents=false gives the combined event score alone, the same scores
// for every event that carries no lift.
func TestPipelineIncidents(t *testing.T) {
	args := []string{"--baselines", "awsrisk_identity"}
	with, _ := runPipeline(t, instanceWorld(t, false), args...)
	without, _ := runPipeline(t, instanceWorld(t, false), append(args, "--incidents=false")...)
	require.GreaterOrEqual(t, with.Col("incident_id"), 0)
	require.Equal(t, -1, without.Col("incident_id"))
	require.Equal(t, -1, without.Col("ai_event_risk_score"))
	for _, r := range with.Rows {
		id := r[with.Col("eventID")]
		require.NotEmpty(t, r[with.Col("incident_id")], "event %s has an incident", id)
		own := scoreOf(t, without, id, "ai_risk_score")
		if r[with.Col("ai_event_risk_score")] == "" {
			require.Equal(t, own, scoreOf(t, with, id, "ai_risk_score"), "event %s not lifted", id)
		} else {
			require.Equal(t, own, scoreOf(t, with, id, "ai_event_risk_score"), "event %s keeps its own score", id)
			require.GreaterOrEqual(t, scoreOf(t, with, id, "ai_risk_score"), own)
		}
	}
}
