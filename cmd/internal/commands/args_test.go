package commands

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseArgs(t *testing.T) {
	cases := []struct {
		in   string
		want Command
	}{
		{`fit LinearRegression risk_score from sourceIPAddress userIdentity.arn into app:aws_console`,
			Command{Sub: "fit", Algorithm: "LinearRegression", Targets: []string{"risk_score"},
				Fields: []string{"sourceIPAddress", "userIdentity.arn"}, Model: "aws_console", Namespace: "app"}},
		{`FIT LinearRegression fit_intercept=f y ~ x1 x2 as pred holdout=0.3`,
			Command{Sub: "fit", Algorithm: "LinearRegression", Targets: []string{"y"}, Fields: []string{"x1", "x2"}, As: "pred",
				Params: map[string]string{"fit_intercept": "f", "holdout": "0.3"}, Order: []string{"fit_intercept", "holdout"}}},
		{`fit CategoricalOutlier sourceIPAddress awsRegion by userIdentity.arn into base min_support = 5`,
			Command{Sub: "fit", Algorithm: "CategoricalOutlier", Fields: []string{"sourceIPAddress", "awsRegion"},
				By: []string{"userIdentity.arn"}, Model: "base", Params: map[string]string{"min_support": "5"}, Order: []string{"min_support"}}},
		{`fit DensityFunction ct_hour by user,awsRegion into h`,
			Command{Sub: "fit", Algorithm: "DensityFunction", Fields: []string{"ct_hour"}, By: []string{"user", "awsRegion"}, Model: "h"}},
		{`apply m as risk explain=3`,
			Command{Sub: "apply", Model: "m", As: "risk", Params: map[string]string{"explain": "3"}, Order: []string{"explain"}}},
		{`score a app:b explain=2`,
			Command{Sub: "score", Fields: []string{"a", "b"}, Params: map[string]string{"explain": "2"}, Order: []string{"explain"}}},
		{`summary _m1`, Command{Sub: "summary", Model: "_m1"}},
		{`listmodels`, Command{Sub: "listmodels"}},
		{`deletemodel m`, Command{Sub: "deletemodel", Model: "m"}},
		{`features apicall tz=Europe/Berlin`,
			Command{Sub: "features", Fields: []string{"apicall"}, Params: map[string]string{"tz": "Europe/Berlin"}, Order: []string{"tz"}}},
	}
	for _, c := range cases {
		got, err := ParseArgs(strings.Fields(c.in))
		require.NoError(t, err, c.in)
		if c.want.Params == nil {
			c.want.Params = map[string]string{}
		}
		require.Equal(t, c.want, *got, c.in)
	}
}

func TestParseArgsErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, "missing subcommand"},
		{`predict m`, `unknown subcommand (at "predict")`},
		{`fit`, "missing algorithm"},
		{`fit LinearRegression y from`, `expected at least one field after "from"`},
		{`fit LinearRegression from x`, `expected "<target> from <field> ..."`},
		{`fit LinearRegression y from x into`, `"into" keyword requires argument`},
		{`fit LinearRegression y from x into a into b`, `you may specify "into" only once`},
		{`fit LinearRegression y from x from z`, `you may specify "from" only once`},
		{`fit LinearRegression y from x into 9m`, `(at "9m")`},
		{`fit LinearRegression y from x into a:b:c`, `at most one ":"`},
		{`fit LinearRegression y from x into user:m`, `you may only specify namespace "app"`},
		{`apply`, "first argument must be a saved model"},
		{`apply m extra`, `does not accept positional arguments after the model name (at "extra")`},
		{`apply m-1`, `(at "m-1")`},
		{`apply m as`, `"as" keyword requires argument`},
		{`listmodels x`, `takes no positional arguments (at "x")`},
		{`deletemodel m x=1`, "deletemodel takes exactly one argument"},
		{`score`, "score needs at least one model"},
		{`features a b`, "features takes one feature set"},
	}
	for _, c := range cases {
		_, err := ParseArgs(strings.Fields(c.in))
		require.Error(t, err, c.in)
		require.Contains(t, err.Error(), c.want, c.in)
		require.Contains(t, err.Error(), "Usage: awsrisk", "a syntax error shows the right syntax: %s", c.in)
	}
}

// FuzzParseArgs: any token list parses or fails with a SyntaxError, never panics, and a parsed
// model name is always valid.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"fit LinearRegression y from a b into app:m", "apply m as x explain=2", "score a b",
		"fit CategoricalOutlier a by b into c k = v", "features all", "deletemodel m", "= = =", "fit x from ~ into"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		c, err := ParseArgs(strings.Fields(s))
		if err != nil {
			require.Contains(t, err.Error(), "Syntax error")
			return
		}
		if c.Model != "" {
			require.True(t, ValidModelName(c.Model), c.Model)
		}
	})
}

// TestParamShape holds the hand-written token matchers to the regular expressions they replace
// (the shipped binary does not link package regexp), on chosen edge cases and random tokens.
func TestParamShape(t *testing.T) {
	paramRe := regexp.MustCompile(`^([_a-zA-Z][_a-zA-Z0-9]*)\s*=(.*)$`)
	nameRe := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	check := func(tok string) {
		m := paramRe.FindStringSubmatch(tok)
		k, v, ok := splitParam(tok)
		require.Equal(t, m != nil, ok, "%q", tok)
		if ok {
			require.Equal(t, m[1], k, "%q", tok)
			require.Equal(t, m[2], v, "%q", tok)
		}
		require.Equal(t, nameRe.MatchString(tok), ValidModelName(tok), "%q", tok)
	}
	for _, tok := range []string{"", "=", "a", "a=", "a=b", "_=1", "1a=b", "a1=b", "a =b", "a\t\n\f\r =b", "a\v=b",
		"a= b", "a=b\nc", "a=b\r", "a==b", "a-b=c", "é=1", "a=é", " a=b", "ab", "A_9", "9", "a b", "a.b=c"} {
		check(tok)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ_09 =\t\n\r\v.-é"
	for range 20000 {
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		check(string(b))
	}
}
