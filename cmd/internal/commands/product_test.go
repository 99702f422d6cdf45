package commands

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/features"
)

// productFiles are the files that repeat the product config: default feature lists and baseline fits.
var productFiles = []string{"default/savedsearches.conf", "default/searchbnf.conf", "default/data/ui/views/model_quality.xml",
	"default/data/ui/views/outliers_baselines.xml", "scripts/tutorial.sh", "README.md"}

// fitCallRe finds a fit call in SPL, a script or prose: up to the end of the line, a pipe or markup.
var fitCallRe = regexp.MustCompile(`fit (LinearRegression|CategoricalOutlier|SequenceModel|DensityFunction|IdentityNovelty|IncidentHistory) [^|\n<\\'` + "`" + `]*`)

// intoModelRe matches a call that names its model.
var intoModelRe = regexp.MustCompile(` into \S`)

// TestProductConfigCopies checks every copy of a feature preset or a baseline fit against
// features.Presets and Baselines, so a list changed in one place cannot drift from the others.
func TestProductConfigCopies(t *testing.T) {
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	checked := map[string]int{}
	for _, name := range productFiles {
		data, err := os.ReadFile(filepath.Join(root, name))
		require.NoError(t, err)
		for _, call := range fitCallRe.FindAllString(string(data), -1) {
			if strings.Contains(call, "$") || !intoModelRe.MatchString(call) {
				continue // a script variable, a syntax line (into <model>), or a fragment
			}
			cmd, err := ParseArgs(strings.Fields(strings.ReplaceAll(call, `"`, "")))
			require.NoError(t, err, "%s: %s", name, call)
			if cmd.Algorithm == "LinearRegression" {
				set := features.Set(cmd.Params["features"])
				want, ok := features.Presets[set]
				if !ok {
					continue // a fit on raw fields (the paper's lists), not a preset
				}
				require.Equal(t, want, cmd.Fields, "%s: %s: features=%s uses another list than features.Presets", name, call, set)
				checked["preset "+string(set)]++
				continue
			}
			b, ok := baselineOf(cmd.Model)
			require.True(t, ok, "%s: %s: model %q is not in Baselines", name, call, cmd.Model)
			require.Equal(t, b.Algorithm, cmd.Algorithm, "%s: %s", name, call)
			require.Equal(t, b.Fields, cmd.Fields, "%s: %s", name, call)
			require.Equal(t, b.By, cmd.By, "%s: %s", name, call)
			for k, v := range b.Params {
				require.Equal(t, v, cmd.Params[k], "%s: %s: %s=", name, call, k)
			}
			checked[b.Model]++
		}
	}
	for _, s := range []features.Set{features.Console, features.APICall} {
		require.Positive(t, checked["preset "+string(s)], "no copy of the %s preset found: is the check still reading the files?", s)
	}
	for _, b := range Baselines {
		require.Positive(t, checked[b.Model], "no fit of baseline %s found", b.Model)
	}

	// scripts/fields.sh holds the presets for the scripts.
	sh, err := os.ReadFile(filepath.Join(root, "scripts", "fields.sh"))
	require.NoError(t, err)
	for v, set := range map[string]features.Set{"CONSOLE_FIELDS": features.Console, "APICALL_FIELDS": features.APICall} {
		m := regexp.MustCompile(v + `="([^"]*)"`).FindSubmatch(sh)
		require.NotNil(t, m, "scripts/fields.sh has no %s", v)
		require.Equal(t, features.Presets[set], strings.Fields(string(m[1])), "scripts/fields.sh %s", v)
	}
}

func baselineOf(model string) (Baseline, bool) {
	for _, b := range Baselines {
		if b.Model == model {
			return b, true
		}
	}
	return Baseline{}, false
}
