package commands

import (
	"flag"
	"fmt"
	"io"
	"os"

	"awsrisk/app"
	"awsrisk/app/table"
	"awsrisk/cmd/internal/cloudtrail"
)

// local runs a subcommand from the shell: `awsrisk [flags] <subcommand> <args...> < events.csv`.
// Flags come before the subcommand; everything after it is the SPL argument list, unchanged.
func (e *env) local(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("awsrisk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	models := fs.String("models", "", "folder of model files (default: the app's lookups/, or $AWSRISK_MODELS)")
	input := fs.String("input", "-", "input file: CSV with Splunk's field names, or CloudTrail JSON; - for stdin")
	chunk := fs.Int("chunk-rows", app.DefaultLocalChunkRows, "rows per execute chunk (splunkd sends up to its maxresultrows, 50000)")
	quiet := fs.Bool("quiet", false, "no progress or inspector messages on stderr")
	maxField := fs.String("max-field-bytes", "", "largest CSV field accepted (default 64M, or $"+table.MaxFieldBytesEnv+")")
	maxRecord := fs.String("max-record-bytes", "", "largest CSV record accepted (default 128M, or $"+app.MaxRecordBytesEnv+")")
	fs.Usage = func() { fmt.Fprintln(stderr, "awsrisk --help shows the subcommands and flags") }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return help(nil, stdout)
		}
		return usageError{err}
	}
	for _, l := range []struct {
		flag string
		v    *string
		dst  *int
	}{{"--max-field-bytes", maxField, &table.MaxFieldBytes}, {"--max-record-bytes", maxRecord, &app.MaxRecordBytes}} {
		if *l.v == "" {
			continue
		}
		n, err := table.ParseByteLimit(*l.v)
		if err != nil {
			return usageError{fmt.Errorf("%s: %w", l.flag, err)}
		}
		*l.dst = n
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return usageError{fmt.Errorf("missing subcommand")}
	}
	switch rest[0] {
	case "help", "-h", "--help":
		return help(rest[1:], stdout)
	case "pipeline":
		if *models != "" {
			e.store.Dir = *models
		}
		var progress io.Writer = stderr
		if *quiet {
			progress = nil
		}
		return e.pipelineCmd(rest[1:], stdin, stdout, stderr, progress, *input)
	}
	for _, a := range rest[1:] {
		if a == "-h" || a == "--help" {
			return help(rest[:1], stdout)
		}
	}
	if *models != "" {
		e.store.Dir = *models
	}
	in := stdin
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return usageError{err}
		}
		defer f.Close()
		in = f
	}
	// CSV passes through; CloudTrail JSON ({"Records":[...]}, JSON lines, .gz) is flattened to
	// Splunk's dotted field names.
	rc, err := cloudtrail.Open(in)
	if err != nil {
		return err
	}
	defer rc.Close()
	in = rc
	l := app.Local{Name: "awsrisk", ChunkRows: *chunk, Messages: stderr, Progress: stderr}
	if *quiet {
		l.Messages, l.Progress = nil, nil
	}
	return l.Run(rest, in, stdout, e.factory)
}

const usageText = `awsrisk — AWS CloudTrail risk scoring, as a Splunk search command and a local tool.

In Splunk:   | awsrisk <subcommand> ...        (SCP v2; splunkd starts the binary with no arguments)
Locally:     awsrisk [flags] <subcommand> ... < events.csv > out.csv

`

const flagsText = `  --models DIR      folder of model files (default: the app's lookups/, or $AWSRISK_MODELS)
  --input FILE      input instead of stdin: CSV with Splunk's field names, or CloudTrail JSON
  --chunk-rows N    rows per execute chunk (default 10000; splunkd sends up to 50000)
  --quiet           no progress or inspector messages on stderr
  --max-field-bytes N, --max-record-bytes N
                    input limits (default 64M and 128M; or $AWSRISK_MAX_FIELD_BYTES, $AWSRISK_MAX_RECORD_BYTES)

Models are files in the app's lookups/ folder, so Splunk's knowledge bundle copies them to the
indexers where apply runs. "awsrisk help <subcommand>" shows one subcommand. The development
tools (generate, show, plot, evaluate) are in the separate awsrisk-dev command, not shipped.
`

func help(args []string, w io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(w, usageText)
		fmt.Fprintln(w, "Subcommands:")
		for _, s := range subcommands {
			fmt.Fprintf(w, "  %-12s %s\n", s.name, s.brief)
		}
		fmt.Fprintf(w, "  %-12s %s\n\n", "help", "help <subcommand>")
		fmt.Fprint(w, "Flags (before the subcommand):\n")
		fmt.Fprint(w, flagsText)
		return nil
	}
	s, ok := lookup(args[0])
	if !ok {
		return usageError{fmt.Errorf("no help for %q; subcommands: %s", args[0], names()+"|pipeline")}
	}
	fmt.Fprintln(w, "usage:", s.usage)
	if s.help != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, s.help)
	}
	return nil
}
