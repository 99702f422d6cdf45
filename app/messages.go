package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// GetInfo is the metadata of splunkd's first chunk (scp-v2.md §1.3). Unknown keys are ignored.
type GetInfo struct {
	Action                      string     `json:"action"`
	Preview                     bool       `json:"preview"`
	StreamingCommandWillRestart bool       `json:"streaming_command_will_restart"`
	SearchInfo                  SearchInfo `json:"searchinfo"`
}

// SearchInfo describes the search that started the command.
type SearchInfo struct {
	Args          []string   `json:"args"`
	RawArgs       []string   `json:"raw_args"`
	DispatchDir   string     `json:"dispatch_dir"`
	SID           string     `json:"sid"`
	App           string     `json:"app"`
	Owner         string     `json:"owner"`
	Username      string     `json:"username"`
	SessionKey    string     `json:"session_key"`
	SplunkdURI    string     `json:"splunkd_uri"`
	SplunkVersion FlexString `json:"splunk_version"`
	Search        string     `json:"search"`
	Command       string     `json:"command"`
	MaxResultRows int        `json:"maxresultrows"`
	EarliestTime  FlexString `json:"earliest_time"`
	LatestTime    FlexString `json:"latest_time"`
}

// FlexString accepts a JSON string or number: splunkd sends epoch times as strings, the SDK's
// re-encoded recordings as floats (scp-v2.md §1.3).
type FlexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return fmt.Errorf("want a string or a number, got %q", b)
	}
	*f = FlexString(b)
	return nil
}

// Execute is the metadata of an execute request.
type Execute struct {
	Action   string `json:"action"`
	Finished bool   `json:"finished"`
}

// Command types a getinfo reply may declare (scp-v2.md §2.1).
const (
	TypeStreaming = "streaming"
	TypeStateful  = "stateful"
	TypeEvents    = "events"
	TypeReporting = "reporting"
)

// Reply is the metadata of every chunk the command writes: the getinfo reply uses Type and the fields
// after it, execute replies use Finished, and any reply may carry Error or Inspector messages.
type Reply struct {
	Type           string     `json:"type,omitempty"`
	Generating     bool       `json:"generating,omitempty"`
	RequiredFields []string   `json:"required_fields,omitempty"`
	StreamingPreop string     `json:"streaming_preop,omitempty"`
	Finished       *bool      `json:"finished,omitempty"`
	Error          string     `json:"error,omitempty"`
	Inspector      *Inspector `json:"inspector,omitempty"`
}

// Inspector carries non-terminal messages shown in the job inspector: [["WARN","text"], ...].
type Inspector struct {
	Messages [][2]string `json:"messages"`
}

// Message levels splunkd understands.
const (
	LevelDebug = "DEBUG"
	LevelInfo  = "INFO"
	LevelWarn  = "WARN"
	LevelError = "ERROR"
)

// BoolPtr returns a pointer to b, for Reply.Finished.
func BoolPtr(b bool) *bool { return &b }
