package appinspect

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// This file checks the Splunk-native parts of issue 13 on the conf files: the Enterprise Security
// risk rules, scoring windows that survive ingest lag and never overlap training, the CIM fields,
// the filter macros and allow-list, the event types and tags, and lookup replication.

var riskRules = []string{"AWS Risk - Principal risk incident - Rule", "AWS Risk - High risk CloudTrail event - Rule"}

var techniqueRe = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// TestRiskRules checks each ES risk rule the ESCU way: the risk action with the normalised principal
// as risk object (typed user or system from a field), the source IP as threat object, a floor so
// that not every event becomes risk, correlation-search metadata with ATT&CK technique ids, and no
// notable.
func TestRiskRules(t *testing.T) {
	root := repoRoot(t)
	c := readConf(t, root, "default/savedsearches.conf")
	for _, name := range riskRules {
		s := c.Stanza(name)
		require.NotNil(t, s, "missing risk rule [%s]", name)
		v := s.Vals
		require.Equal(t, "1", v["action.risk"], "[%s] action.risk", name)
		require.Equal(t, "1", v["disabled"], "[%s] ships disabled", name)

		var entries []map[string]any
		require.NoError(t, json.Unmarshal([]byte(v["action.risk.param._risk"]), &entries), "[%s] _risk is not JSON", name)
		objects := map[string]string{} // risk_object_type -> field
		threats := map[string]string{} // threat_object_type -> field
		for _, e := range entries {
			if f, ok := e["risk_object_field"].(string); ok {
				objects[e["risk_object_type"].(string)] = f
				score, ok := e["risk_score"].(float64)
				require.True(t, ok && score > 0 && score <= 100, "[%s] static risk_score %v", name, e["risk_score"])
			}
			if f, ok := e["threat_object_field"].(string); ok {
				threats[e["threat_object_type"].(string)] = f
			}
		}
		require.Equal(t, map[string]string{"user": "risk_user", "system": "risk_system"}, objects, "[%s] risk objects", name)
		require.Equal(t, map[string]string{"ip_address": "src"}, threats, "[%s] threat objects", name)

		search := v["search"]
		require.Regexp(t, "where (ai_risk_score|incident_score) >= `awsrisk_risk_floor`", search, "[%s] must keep only rows above the floor", name)
		require.Contains(t, search, "`awsrisk_allowlist`", "[%s] must drop allow-listed automation", name)
		// risk_user and risk_system come from one field, risk_object_type, so the type follows the identity.
		fieldsMacro := "awsrisk_event_risk_fields"
		if strings.Contains(search, "awsrisk incidents") {
			fieldsMacro = "awsrisk_incident_risk_fields"
		}
		require.Contains(t, search, "`"+fieldsMacro+"`")
		def := readConf(t, root, "default/macros.conf").Get(fieldsMacro, "definition")
		require.Contains(t, def, `risk_user=if(risk_object_type=="system", null(), risk_object)`)
		require.Contains(t, def, `risk_system=if(risk_object_type=="system", risk_object, null())`)
		require.Regexp(t, `risk_score=round\((ai_risk_score|incident_score), 0\)`, def, "the result's risk_score carries the model's score")
		for _, f := range []string{"risk_object", "risk_user", "risk_system", "risk_score", "src"} {
			require.Regexp(t, `\b`+f+`\b`, search[strings.LastIndex(search, "| table"):], "[%s] must output %s", name, f)
		}

		require.Equal(t, "1", v["action.correlationsearch.enabled"], "[%s]", name)
		require.Equal(t, name, v["action.correlationsearch.label"], "[%s] label", name)
		var ann struct {
			MitreAttack []string `json:"mitre_attack"`
		}
		require.NoError(t, json.Unmarshal([]byte(v["action.correlationsearch.annotations"]), &ann), "[%s] annotations", name)
		require.NotEmpty(t, ann.MitreAttack)
		for _, id := range ann.MitreAttack {
			require.Regexp(t, techniqueRe, id, "[%s] ATT&CK id", name)
		}
		require.Contains(t, []string{"", "0"}, v["action.notable"], "[%s] notables are left to ES risk incident rules", name)
		require.NotEmpty(t, v["action.risk.param._risk_message"])
	}
	floor, err := strconv.Atoi(readConf(t, root, "default/macros.conf").Get("awsrisk_risk_floor", "definition"))
	require.NoError(t, err, "awsrisk_risk_floor must be a number")
	require.True(t, floor >= 40 && floor <= 90, "awsrisk_risk_floor %d", floor)
}

// relTime evaluates the Splunk relative times the app uses ("now", "@d", "-31d@d", "-4h@h", "-70m@m",
// "-7d") at now, in UTC.
func relTime(s string, now time.Time) (time.Time, error) {
	if s == "now" || s == "" {
		return now, nil
	}
	m := regexp.MustCompile(`^(?:([+-]\d+)([smhdw]))?(?:@([smhdw]))?$`).FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("unsupported relative time %q", s)
	}
	t := now
	if m[1] != "" {
		n, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "s":
			t = t.Add(time.Duration(n) * time.Second)
		case "m":
			t = t.Add(time.Duration(n) * time.Minute)
		case "h":
			t = t.Add(time.Duration(n) * time.Hour)
		case "d":
			t = t.AddDate(0, 0, n)
		case "w":
			t = t.AddDate(0, 0, 7*n)
		}
	}
	switch m[3] {
	case "s":
		t = t.Truncate(time.Second)
	case "m":
		t = t.Truncate(time.Minute)
	case "h":
		t = t.Truncate(time.Hour)
	case "d":
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	case "w":
		t = time.Date(t.Year(), t.Month(), t.Day()-int(t.Weekday()), 0, 0, 0, 0, t.Location())
	}
	return t, nil
}

func TestRelTime(t *testing.T) {
	now := time.Date(2026, 3, 4, 13, 47, 12, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"now":    now,
		"@d":     time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
		"-1d@d":  time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		"-31d@d": time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		"-4h@h":  time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC),
		"-70m@m": time.Date(2026, 3, 4, 12, 37, 0, 0, time.UTC),
		"-7d":    time.Date(2026, 2, 25, 13, 47, 12, 0, time.UTC),
	} {
		got, err := relTime(in, now)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := relTime("yesterday", now)
	require.Error(t, err)
}

// TestScheduleWindows checks the rules of the README's schedules section: scoring searches select
// by index time (late events are scored when they arrive), hourly, with an event-time range that
// tolerates hours of lag; and every training window ends before any window a scoring search reads,
// at every hour of a week.
func TestScheduleWindows(t *testing.T) {
	root := repoRoot(t)
	c := readConf(t, root, "default/savedsearches.conf")
	window := readConf(t, root, "default/macros.conf").Get("awsrisk_scoring_window", "definition")
	require.Equal(t, "_index_earliest=-1h@h _index_latest=@h", window)

	var training, scoring []*Stanza
	for _, s := range c.Stanzas {
		search := s.Vals["search"]
		switch {
		case strings.Contains(search, "awsrisk fit "):
			training = append(training, s)
		case strings.Contains(search, "`awsrisk_pipeline`") && s.Name != "AWS Risk - Backfill scored summary":
			scoring = append(scoring, s)
		}
	}
	require.Len(t, training, 8) // + the identity baseline (issue 11), the incident history
	require.GreaterOrEqual(t, len(scoring), 5, "scoring searches: both summary searches, the alert and both risk rules")
	for _, s := range scoring {
		require.Contains(t, s.Vals["search"], "`awsrisk_scoring_window`", "[%s] must select by index time", s.Name)
		require.Equal(t, "10 * * * *", s.Vals["cron_schedule"], "[%s] runs hourly after the index-time hour closes", s.Name)
		require.Equal(t, "now", s.Vals["dispatch.latest_time"], "[%s]", s.Name)
	}
	backfill := c.Stanza("AWS Risk - Backfill scored summary")
	require.NotNil(t, backfill)
	require.Equal(t, "1", backfill.Vals["disabled"])
	require.NotContains(t, backfill.Vals["search"], "awsrisk_scoring_window", "the backfill selects by event time")

	start := time.Date(2026, 3, 1, 0, 10, 0, 0, time.UTC)
	for h := 0; h < 7*24; h++ {
		now := start.Add(time.Duration(h) * time.Hour)
		for _, s := range scoring {
			earliest, err := relTime(s.Vals["dispatch.earliest_time"], now)
			require.NoError(t, err, s.Name)
			lag := now.Sub(earliest)
			require.GreaterOrEqual(t, lag, 3*time.Hour, "[%s] must reach events indexed hours after their API call", s.Name)
			for _, tr := range training {
				trEarliest, err := relTime(tr.Vals["dispatch.earliest_time"], now)
				require.NoError(t, err, tr.Name)
				trLatest, err := relTime(tr.Vals["dispatch.latest_time"], now)
				require.NoError(t, err, tr.Name)
				require.True(t, trEarliest.Before(trLatest), "[%s] empty window", tr.Name)
				require.False(t, trLatest.After(earliest), "[%s] (ends %v) overlaps what [%s] scores (from %v) at %v", tr.Name, trLatest, s.Name, earliest, now)
			}
		}
	}
}

// slug is the filter-macro name of a saved search: "AWS Risk - Score CloudTrail (parallel run)" ->
// "awsrisk_score_cloudtrail_parallel_run_filter".
func slug(name string) string {
	name = strings.ToLower(strings.TrimPrefix(name, "AWS Risk - "))
	name = regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(name, "_")
	return "awsrisk_" + strings.Trim(name, "_") + "_filter"
}

// TestFilterMacros checks every saved search ends its event processing in its own ESCU-style filter
// macro, defined as `search *` so that tuning is a local/ edit of one macro.
func TestFilterMacros(t *testing.T) {
	root := repoRoot(t)
	macros := readConf(t, root, "default/macros.conf")
	require.Equal(t, "awsrisk_score_cloudtrail_parallel_run_filter", slug("AWS Risk - Score CloudTrail (parallel run)"))
	for _, s := range readConf(t, root, "default/savedsearches.conf").Stanzas {
		m := slug(s.Name)
		require.Contains(t, s.Vals["search"], "`"+m+"`", "[%s] must use its filter macro %s", s.Name, m)
		require.Equal(t, "search *", macros.Get(m, "definition"), "macros.conf [%s]", m)
	}
}

// TestCIMFields checks the CIM names are derived (without overriding the Add-on's values) and kept
// in the summary index and in the event risk rule's output.
func TestCIMFields(t *testing.T) {
	root := repoRoot(t)
	macros := readConf(t, root, "default/macros.conf")
	cim := macros.Get("awsrisk_cim_fields", "definition")
	summary := macros.Get("awsrisk_summary_fields", "definition")
	rule := readConf(t, root, "default/savedsearches.conf").Get("AWS Risk - High risk CloudTrail event - Rule", "search")
	for _, f := range []string{"user", "src", "user_agent", "signature", "vendor_account", "vendor_region", "action", "dest"} {
		require.Regexp(t, `\b`+f+`=coalesce\(`+f+`, `, cim, "%s must keep the Add-on's value first", f)
		require.Regexp(t, `\b`+f+`\b`, summary, "the summary index must keep %s", f)
		require.Regexp(t, `\b`+f+`\b`, rule[strings.LastIndex(rule, "| table"):], "the risk rule must output %s", f)
	}
	for _, name := range []string{"AWS Risk - Score CloudTrail", "AWS Risk - Score CloudTrail (parallel run)", "AWS Risk - High risk event"} {
		require.Contains(t, readConf(t, root, "default/savedsearches.conf").Get(name, "search"), "`awsrisk_cim_fields`", "[%s]", name)
	}
}

// TestLookupsAndTags checks the allow-list lookup, that the samples stay off the indexers, and that
// event types and tags cover only the app's own output.
func TestLookupsAndTags(t *testing.T) {
	root := repoRoot(t)
	tr := readConf(t, root, "default/transforms.conf")
	for _, st := range []string{"aws_console_signin_sample", "aws_api_call_sample"} {
		require.Equal(t, "false", tr.Get(st, "replicate"), "[%s] samples must not reach indexers", st)
		_, err := os.Stat(filepath.Join(root, "lookups", tr.Get(st, "filename")))
		require.NoError(t, err)
	}
	al := tr.Stanza("awsrisk_allowlist")
	require.NotNil(t, al)
	require.NotEqual(t, "false", al.Vals["replicate"], "the allow-list runs on indexers after awsrisk score")
	require.Equal(t, "awsrisk_allowlist.csv", al.Vals["filename"])
	for _, f := range []string{"principal", "src", "user_agent"} {
		require.Contains(t, al.Vals["match_type"], "WILDCARD("+f+")")
	}
	f, err := os.Open(filepath.Join(root, "lookups", "awsrisk_allowlist.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"principal", "src", "user_agent", "enabled", "reason"}, rows[0])
	for _, r := range rows[1:] {
		require.Equal(t, "0", r[3], "shipped allow-list rows are disabled examples: %v", r)
	}
	def := readConf(t, root, "default/macros.conf").Get("awsrisk_allowlist", "definition")
	require.Contains(t, def, "lookup awsrisk_allowlist principal AS")
	require.Contains(t, def, `awsrisk_al_enabled!="1"`)

	et := readConf(t, root, "default/eventtypes.conf")
	for _, s := range et.Stanzas {
		require.True(t, strings.HasPrefix(s.Name, "awsrisk_"), "eventtype %s", s.Name)
		require.Contains(t, s.Vals["search"], "source=awsrisk_score", "[%s] covers the app's output only", s.Name)
		require.NotContains(t, s.Vals["search"], "aws:cloudtrail", "[%s] must not tag the Add-on's data", s.Name)
	}
	require.NotNil(t, et.Stanza("awsrisk_scored"))
	tags := readConf(t, root, "default/tags.conf")
	for _, s := range tags.Stanzas {
		name, ok := strings.CutPrefix(s.Name, "eventtype=")
		require.True(t, ok, "tags.conf [%s]: only the app's event types are tagged", s.Name)
		require.NotNil(t, et.Stanza(name), "tags.conf [%s]: no such event type", s.Name)
		for _, k := range s.Keys {
			require.Contains(t, []string{"enabled", "disabled"}, s.Vals[k])
		}
	}
	require.Equal(t, "enabled", tags.Get("eventtype=awsrisk_scored", "risk"))
}
