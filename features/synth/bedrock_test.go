package synth

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBenignBedrock: in both worlds, the organisation with Bedrock habits
// has the three benign personas, so that eventSource bedrock.amazonaws.com
// is not the llmjacking label: an application role using all four
// invocation APIs with an SDK agent, people trying models, and a platform
// admin who configures invocation logging exactly once and later reads it in
// the same session as a test call (the twin of llmjacking's logging check).
// The other organisations have no Bedrock use, and benign Bedrock risk stays
// in the benign range.
func TestBenignBedrock(t *testing.T) {
	for _, variant := range Variants {
		t.Run(variant, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Variant, cfg.Days, cfg.EventsPerDay = variant, 30, 600
			var orgs []string // accounts with Bedrock habits
			for k, h := range worldHabits(variant) {
				if h.bedrock != "" {
					orgs = append(orgs, accountFor(cfg.Account, k))
				}
			}
			require.Len(t, orgs, 1, "one organisation of each world uses Bedrock")
			invokes := map[string]bool{"InvokeModel": true, "InvokeModelWithResponseStream": true, "Converse": true, "ConverseStream": true}
			appAPIs := map[string]bool{}
			people := map[string]bool{}
			puts := 0
			lastCheck := map[string]int64{}  // ARN → time of its last logging check
			lastInvoke := map[string]int64{} // ARN → time of its last model call
			twins := 0                       // a logging check and a model call of one person less than an hour apart
			for _, e := range Generate(cfg) {
				f := e.Fields
				if f["eventSource"] != "bedrock.amazonaws.com" || e.Scenario != "" {
					continue
				}
				require.Contains(t, orgs, f["recipientAccountId"], "Bedrock use outside the organisation with the habit")
				require.Less(t, e.Risk, 35.0, "benign Bedrock risk %v for %s", e.Risk, f["eventName"])
				arn, name := f["userIdentity.arn"], f["eventName"]
				ts, err := strconv.ParseInt(f["_time"], 10, 64)
				require.NoError(t, err)
				switch f["userIdentity.sessionContext.sessionIssuer.userName"] {
				case "genai-chat-task-role", "paper-summarizer-role":
					appAPIs[name] = true
					require.NotContains(t, f["userAgent"], "Mozilla", "the application calls with an SDK")
					continue
				}
				if invokes[name] {
					people[arn] = true
					lastInvoke[arn] = ts
					if c, ok := lastCheck[arn]; ok && ts-c < 3600 {
						twins++
					}
				}
				switch name {
				case "PutModelInvocationLoggingConfiguration":
					puts++
				case "GetModelInvocationLoggingConfiguration":
					lastCheck[arn] = ts
					if c, ok := lastInvoke[arn]; ok && ts-c < 3600 {
						twins++
					}
				}
			}
			require.Len(t, appAPIs, 4, "the application uses every invocation API: %v", appAPIs)
			require.GreaterOrEqual(t, len(people), 2, "people try models")
			require.Equal(t, 1, puts, "logging is set up once")
			require.Positive(t, twins, "some admin sessions check the logging and test a model")
		})
	}
}
