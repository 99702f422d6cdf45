package models

// Applier is how a pipeline (package scorer) drives a model over chunks of events: the one
// contract it uses. A Scorer that needs nothing more is adapted once by [AsApplier]; a scorer
// with a faster path (LinearRegression: fields resolved to row positions once per chunk, the
// prediction written as a number, copies for a second goroutine) implements it itself.
//
// An Applier is used by one goroutine at a time.
type Applier interface {
	Scorer
	// Configure says what the pipeline reads of the results; it is called once, before any
	// chunk, on the Applier and never on its clones (they inherit it).
	Configure(ApplyOptions)
	// Prepare finishes loading (a model decoded lazily); it is called before every chunk and
	// is cheap after the first. Its error is reported on the chunk.
	Prepare() error
	// Bind resolves Fields once per chunk: pos(field) is i >= 0 for column i of a row, i < 0
	// for the derived value -1-i, ok false when the chunk has neither.
	Bind(pos func(field string) (i int, ok bool))
	// ScoreRow is Score for one row of the bound chunk, its Risk written whole into *r (which the
	// pipeline reuses from event to event: no 48-byte result copied through two calls).
	ScoreRow(row, derived []string, out []string, r *Risk)
	// Numeric is the first output of the last ScoreRow as a number, when the Applier was
	// configured with NumericOutput and left out[0] "" for the pipeline to format.
	Numeric() (float64, bool)
	// Clone is an independent copy for another goroutine, nil when the scorer keeps state
	// across events (SequenceModel) and must see every event in order on one goroutine.
	Clone() Applier
	// Merge folds a clone's counters back into the Applier it was cloned from.
	Merge(clone Applier)
	// Notes are the job inspector's messages at the end of a search of rows events.
	Notes(rows int64) []Note
	// Explain sets r.Reasons for the row of the last ScoreRow (r as it wrote it) when the
	// Applier was configured with ExplainLater and left them out; otherwise it does nothing.
	// It is called before the next ScoreRow, at most once a row.
	Explain(r *Risk)
}

// ApplyOptions are what a pipeline reads of an Applier's results.
type ApplyOptions struct {
	// Explain: Risk.Reasons are read (explain= or the risk fields); without it a scorer may
	// leave them out.
	Explain bool
	// NumericOutput: a first output that is a number may be left to Numeric.
	NumericOutput bool
	// ExplainLater (without Explain): the reasons are read for a few rows only (score's risk
	// fields, on events at or above the floor), so a scorer may leave them to Explain.
	ExplainLater bool
}

// Note is one message for the job inspector.
type Note struct {
	Warn bool   // a warning; else information
	Text string // the pipeline prefixes "awsrisk: model <name>: "
}

// AsApplier returns s as an Applier: s itself if it is one, else s behind an adapter that
// reads fields by name from the bound row.
func AsApplier(s Scorer) Applier {
	if a, ok := s.(Applier); ok {
		return a
	}
	return &byName{s: s}
}

// byName adapts a plain Scorer.
type byName struct {
	s       Scorer
	row     []string
	derived []string
	get     func(string) string
}

func (a *byName) Fields() []string                               { return a.s.Fields() }
func (a *byName) Outputs() []string                              { return a.s.Outputs() }
func (a *byName) Score(get func(string) string, o []string) Risk { return a.s.Score(get, o) }
func (a *byName) Configure(ApplyOptions)                         {}
func (a *byName) Prepare() error                                 { return nil }
func (a *byName) Numeric() (float64, bool)                       { return 0, false }
func (a *byName) Clone() Applier                                 { return nil }
func (a *byName) Merge(Applier)                                  {}
func (a *byName) Notes(int64) []Note                             { return nil }
func (a *byName) Explain(*Risk)                                  {} // Score gave the reasons

// Bind keeps pos for the Scorer's get: a scorer may read fields beyond its Fields (_time,
// by-fields), so the lookup stays by name, one map lookup a field as before the contract.
func (a *byName) Bind(pos func(string) (int, bool)) {
	a.get = func(f string) string {
		i, ok := pos(f)
		switch {
		case !ok:
			return ""
		case i >= 0:
			return a.row[i]
		}
		return a.derived[-1-i]
	}
}

func (a *byName) ScoreRow(row, derived []string, out []string, r *Risk) {
	a.row, a.derived = row, derived
	*r = a.s.Score(a.get, out)
}
