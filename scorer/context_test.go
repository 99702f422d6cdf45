package scorer

import (
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/app"
	"awsrisk/app/table"
)

// TestContextDiscount: a novelty model's score counts less for an IaC/CI principal and for a
// read-only call, the reason says so, and a supervised (non-novelty) component is not discounted.
func TestContextDiscount(t *testing.T) {
	const (
		alice  = "arn:aws:iam::111122223333:user/alice"
		ciRole = "arn:aws:sts::111122223333:assumed-role/github-actions-deploy/run-42"
	)
	for _, c := range []struct {
		name, row string
		novelty   bool
		score     string
		reason    string
	}{
		{"write by a person: full weight", "CreateUser,aws-cli/2.15.0,,", true, "40", "new"},
		// The agent is the caller's claim: Terraform's on a person's key earns no discount.
		{"Terraform agent, a person: full weight", "CreateUser,APN/1.0 HashiCorp/1.0 Terraform/1.7.0,," + alice, true, "40", "new"},
		{"CI role: ×0.3", "CreateUser,APN/1.0 HashiCorp/1.0 Terraform/1.7.0,," + ciRole, true, "12", "new (IaC/CI principal: novelty counted ×0.3)"},
		{"console browsing: ×0.5", "DescribeInstances,console.amazonaws.com,true,", true, "20", "new (read-only console browsing: novelty counted ×0.5)"},
		{"read-only API call: ×0.5", "ListBuckets,aws-cli/2.15.0,true,", true, "20", "new (read-only call: novelty counted ×0.5)"},
		{"not a novelty model: untouched", "CreateUser,aws-cli/2.15.0,," + ciRole, false, "40", "new"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := New([]Component{{Name: "m", S: fixed{40, "", "new"}, Novelty: c.novelty}}, Options{Explain: 1})
			require.NoError(t, err)
			in, err := table.ParseTable([]byte("eventName,userAgent,readOnly,userIdentity.arn\n" + c.row + "\n"))
			require.NoError(t, err)
			var out app.Output
			require.NoError(t, p.Score(in, &out))
			got, err := table.ParseTable(out.Body())
			require.NoError(t, err)
			require.Equal(t, c.score, got.Rows[0][got.Col(FieldRiskScore)])
			require.Equal(t, c.reason, got.Rows[0][got.Col(FieldReasons)])
		})
	}
}
