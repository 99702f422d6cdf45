package commands

import (
	"fmt"
	"slices"
	"strings"
)

// Subcommands of `| awsrisk <sub> ...`.
const (
	SubFit         = "fit"
	SubApply       = "apply"
	SubSummary     = "summary"
	SubListModels  = "listmodels"
	SubDeleteModel = "deletemodel"
	SubFeatures    = "features"
	SubScore       = "score"
	SubPipeline    = "pipeline" // local mode only
	SubIncidents   = "incidents"
	SubFeedback    = "feedback"
	SubLabels      = "labels"
)

// SyntaxError names the bad token and shows the right syntax.
type SyntaxError struct {
	Sub   string // subcommand, "" when the subcommand itself is bad
	Token string // offending token, "" when something is missing
	Msg   string
}

func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString("Syntax error: ")
	b.WriteString(e.Msg)
	if e.Token != "" {
		fmt.Fprintf(&b, " (at %q)", e.Token)
	}
	if s, ok := lookup(e.Sub); ok && s.handler != nil {
		b.WriteString(". Usage: ")
		b.WriteString(s.usage)
	} else {
		b.WriteString(". Usage: awsrisk " + names() + " ...")
	}
	return b.String()
}

// Command is a parsed `awsrisk` call in MLTK's grammar (mltk-parity.md §1.2).
type Command struct {
	Sub       string
	Algorithm string            // fit only
	Targets   []string          // fields before from/~ (fit with a target)
	Fields    []string          // feature fields after from/~, or positional fields when there is no from
	By        []string          // by <f1,f2>
	Model     string            // into <model> for fit; the model argument of apply/summary/deletemodel
	Namespace string            // "app" when the model was written app:<name>, else ""
	As        string            // as <output>
	Params    map[string]string // key=value, keys lower-cased as given (MLTK keys are case-sensitive; ours are documented lower case)
	Order     []string          // param keys in the order given, so the call can be re-rendered
}

// The grammar's two token shapes are matched by hand, not with package regexp: regexp and its
// syntax package are ~150 KB of the shipped binary, which has an 8 MB budget (issue 9), for two
// patterns. TestParamShape holds both to the regular expressions they replace.

// ValidModelName reports whether name is a legal model name: ^[A-Za-z_][A-Za-z0-9_]*$.
func ValidModelName(name string) bool { return identEnd(name) == len(name) && name != "" }

// identEnd is the length of the identifier [A-Za-z_][A-Za-z0-9_]* at the start of s, 0 if none.
func identEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return i
		}
	}
	return len(s)
}

// splitParam splits a key=value token, as ^([_a-zA-Z][_a-zA-Z0-9]*)\s*=(.*)$ does: an
// identifier, optional white space (\s: tab, newline, form feed, carriage return, space), '=',
// and a value without a newline ('.' does not match one).
func splitParam(t string) (key, value string, ok bool) {
	k := identEnd(t)
	if k == 0 {
		return "", "", false
	}
	i := k
	for i < len(t) && strings.IndexByte("\t\n\f\r ", t[i]) >= 0 {
		i++
	}
	if i == len(t) || t[i] != '=' || strings.IndexByte(t[i+1:], '\n') >= 0 {
		return "", "", false
	}
	return t[:k], t[i+1:], true
}

// isParam reports whether t is a key=value token (splitParam).
func isParam(t string) bool {
	_, _, ok := splitParam(t)
	return ok
}

// ParseModelName splits an optional namespace prefix. Only "app" is accepted as a namespace
// (models live in the app's lookups/, which the knowledge bundle carries to indexers).
func ParseModelName(sub, s string) (name, namespace string, err error) {
	name = s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		namespace, name = s[:i], s[i+1:]
		if strings.Contains(name, ":") {
			return "", "", &SyntaxError{Sub: sub, Token: s, Msg: `invalid model name: at most one ":" may separate the namespace and the model name, e.g. "app:aws_console"`}
		}
		if namespace != "app" {
			return "", "", &SyntaxError{Sub: sub, Token: s, Msg: `invalid model namespace: you may only specify namespace "app"`}
		}
	}
	if !ValidModelName(name) {
		return "", "", &SyntaxError{Sub: sub, Token: s, Msg: "invalid model name: use letters, digits and underscores, not starting with a digit"}
	}
	return name, namespace, nil
}

// normalizeTokens rejoins key=value pairs that Splunk split around '=' (`b = "two"` arrives as
// ["b","=","two"], scp-v2.md §1.3) and drops empty tokens.
func normalizeTokens(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		t := args[i]
		switch {
		case t == "":
			continue
		case t == "=" && len(out) > 0 && i+1 < len(args):
			out[len(out)-1] += "=" + args[i+1]
			i++
			continue
		case strings.HasSuffix(t, "=") && isParam(t) && i+1 < len(args) && !isParam(args[i+1]):
			out = append(out, t+args[i+1])
			i++
			continue
		case strings.HasPrefix(t, "=") && len(t) > 1 && len(out) > 0:
			out[len(out)-1] += t
			continue
		}
		out = append(out, t)
	}
	return out
}

// ParseArgs parses the tokens after `awsrisk` (searchinfo.args: quotes already removed).
func ParseArgs(args []string) (*Command, error) {
	toks := normalizeTokens(args)
	if len(toks) == 0 {
		return nil, &SyntaxError{Msg: "missing subcommand"}
	}
	c := &Command{Sub: strings.ToLower(toks[0]), Params: map[string]string{}}
	rest := toks[1:]
	sub, ok := lookup(c.Sub)
	if !ok || sub.handler == nil {
		return nil, &SyntaxError{Token: toks[0], Msg: "unknown subcommand"}
	}
	parse := sub.parse
	if parse == nil {
		parse = (*Command).parseParams
	}
	if err := parse(c, rest); err != nil {
		return nil, err
	}
	return c, nil
}

// parseScore reads `score <model>... [key=value...]`; models may be separated by commas.
func (c *Command) parseScore(rest []string) error {
	for _, t := range rest {
		if k, v, ok := splitParam(t); ok {
			if err := c.setParam(k, v); err != nil {
				return err
			}
			continue
		}
		for _, f := range splitFields(t) {
			name, _, err := ParseModelName(c.Sub, f)
			if err != nil {
				return err
			}
			if slices.Contains(c.Fields, name) {
				return &SyntaxError{Sub: c.Sub, Token: f, Msg: fmt.Sprintf("model %q is listed twice; each model counts once in the combined score", name)}
			}
			c.Fields = append(c.Fields, name)
		}
	}
	if len(c.Fields) == 0 {
		return &SyntaxError{Sub: c.Sub, Msg: "score needs at least one model"}
	}
	return nil
}

// parseFeatures reads `features [<set>] [key=value...]`.
func (c *Command) parseFeatures(rest []string) error {
	for _, t := range rest {
		if k, v, ok := splitParam(t); ok {
			if err := c.setParam(k, v); err != nil {
				return err
			}
			continue
		}
		if len(c.Fields) > 0 {
			return &SyntaxError{Sub: c.Sub, Token: t, Msg: "features takes one feature set"}
		}
		c.Fields = append(c.Fields, t)
	}
	return nil
}

// setParam records k=v; a repeated key is an error, since silently keeping one of two values
// hides a typo in a long search.
func (c *Command) setParam(k, v string) error {
	if old, dup := c.Params[k]; dup {
		return &SyntaxError{Sub: c.Sub, Token: k + "=" + v, Msg: fmt.Sprintf("parameter %q is given twice (first %s=%s); give it once", k, k, old)}
	}
	c.Order = append(c.Order, k)
	c.Params[k] = strings.TrimSpace(v)
	return nil
}

// splitFields splits a field-list token on commas, as MLTK does: "a,b" and "a," are fields a and
// b, a lone "," is none. Splunk keeps a comma attached to the word before it ("a," "b").
func splitFields(t string) []string {
	if !strings.Contains(t, ",") {
		return []string{t}
	}
	var out []string
	for _, f := range strings.Split(t, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (c *Command) parseParams(toks []string) error {
	for _, t := range toks {
		k, v, ok := splitParam(t)
		if !ok {
			return &SyntaxError{Sub: c.Sub, Token: t, Msg: c.Sub + " takes no positional arguments"}
		}
		if err := c.setParam(k, v); err != nil {
			return err
		}
	}
	return nil
}

// parseModelCommand parses `<model> [as <out>] [k=v...]`.
func (c *Command) parseModelCommand(toks []string, allowAs bool) error {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if allowAs && strings.EqualFold(t, "as") {
			if c.As != "" {
				return &SyntaxError{Sub: c.Sub, Token: t, Msg: `you may specify "as" only once`}
			}
			if i+1 >= len(toks) {
				return &SyntaxError{Sub: c.Sub, Token: t, Msg: `"as" keyword requires argument`}
			}
			c.As = toks[i+1]
			i++
			continue
		}
		if k, v, ok := splitParam(t); ok {
			if err := c.setParam(k, v); err != nil {
				return err
			}
			continue
		}
		if c.Model != "" {
			return &SyntaxError{Sub: c.Sub, Token: t, Msg: c.Sub + " does not accept positional arguments after the model name"}
		}
		name, ns, err := ParseModelName(c.Sub, t)
		if err != nil {
			return err
		}
		c.Model, c.Namespace = name, ns
	}
	if c.Model == "" {
		if len(c.Order) > 0 {
			k := c.Order[0]
			return &SyntaxError{Sub: c.Sub, Token: k + "=" + c.Params[k], Msg: "first argument must be a saved model name; this reads as a parameter " + k + " (no spaces around = in a model name)"}
		}
		return &SyntaxError{Sub: c.Sub, Msg: "first argument must be a saved model"}
	}
	if c.Sub == SubDeleteModel && len(c.Params) > 0 {
		return &SyntaxError{Sub: c.Sub, Token: c.Order[0], Msg: "deletemodel takes exactly one argument"}
	}
	return nil
}

func (c *Command) parseFit(toks []string) error {
	if len(toks) == 0 {
		return &SyntaxError{Sub: c.Sub, Msg: "missing algorithm"}
	}
	var before, after []string
	seenFrom := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		lower := strings.ToLower(t)
		next := func(kw string) (string, error) {
			if i+1 >= len(toks) {
				return "", &SyntaxError{Sub: c.Sub, Token: t, Msg: fmt.Sprintf("%q keyword requires argument", kw)}
			}
			i++
			return toks[i], nil
		}
		switch {
		case lower == "into":
			if c.Model != "" {
				return &SyntaxError{Sub: c.Sub, Token: t, Msg: `you may specify "into" only once`}
			}
			v, err := next("into")
			if err != nil {
				return err
			}
			if c.Model, c.Namespace, err = ParseModelName(c.Sub, v); err != nil {
				return err
			}
		case lower == "by":
			if c.By != nil {
				return &SyntaxError{Sub: c.Sub, Token: t, Msg: `you may specify "by" only once`}
			}
			v, err := next("by")
			if err != nil {
				return err
			}
			for _, f := range strings.Split(v, ",") {
				if f = strings.TrimSpace(f); f != "" {
					c.By = append(c.By, f)
				}
			}
			// MLTK reads one token; Splunk strips commas between names, so accept more plain
			// names up to the next keyword or parameter.
			for i+1 < len(toks) && !isKeyword(toks[i+1]) && !isParam(toks[i+1]) {
				i++
				c.By = append(c.By, splitFields(toks[i])...)
			}
		case lower == "as":
			if c.As != "" {
				return &SyntaxError{Sub: c.Sub, Token: t, Msg: `you may specify "as" only once`}
			}
			v, err := next("as")
			if err != nil {
				return err
			}
			c.As = v
		case lower == "from" || t == "~":
			if seenFrom {
				return &SyntaxError{Sub: c.Sub, Token: t, Msg: `you may specify "from" only once`}
			}
			seenFrom = true
		case isParam(t):
			k, v, _ := splitParam(t)
			if err := c.setParam(k, v); err != nil {
				return err
			}
		case c.Algorithm == "":
			c.Algorithm = t
		case seenFrom:
			after = append(after, splitFields(t)...)
		default:
			before = append(before, splitFields(t)...)
		}
	}
	if c.Algorithm == "" {
		return &SyntaxError{Sub: c.Sub, Msg: "missing algorithm"}
	}
	if seenFrom {
		c.Targets, c.Fields = before, after
		if len(c.Targets) == 0 {
			return &SyntaxError{Sub: c.Sub, Token: "from", Msg: `expected "<target> from <field> ..."`}
		}
		if len(c.Fields) == 0 {
			return &SyntaxError{Sub: c.Sub, Token: "from", Msg: `expected at least one field after "from"`}
		}
	} else {
		c.Fields = before
	}
	return nil
}

func isKeyword(t string) bool {
	switch strings.ToLower(t) {
	case "into", "by", "as", "from", "~":
		return true
	}
	return false
}
