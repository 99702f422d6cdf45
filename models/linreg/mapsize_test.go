package linreg

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchShard generates n CloudTrail-like events shaped like ../shared/bench/gen_events.py (500
// users with two home IPs each out of the first 500 of 5,000 addresses, 5% of calls from any of
// the 5,000, 24 APIs, 6 agents, 3 identity types, 6 regions, 14 columns) and returns the CSV bytes
// of the shard as an indexer would hand it over with every field, and the aggregate its map phase
// builds over the benchmark's six features.
func benchShard(rng *rand.Rand, n int, ips []string, home map[int][2]int) (int, *Aggregate) {
	features := []string{"eventName", "sourceIPAddress", "userAgent", "userIdentity.type", "userIdentity.arn", "awsRegion"}
	apis := []string{"CreateUser", "AttachUserPolicy", "CreateAccessKey", "PutUserPolicy", "ListUsers", "GetUser",
		"UpdateAssumeRolePolicy", "AssumeRole", "GetCallerIdentity", "GetSessionToken", "DescribeInstances", "RunInstances",
		"TerminateInstances", "DescribeRegions", "AuthorizeSecurityGroupIngress", "GetObject", "PutObject", "ListBuckets",
		"PutBucketPolicy", "GetBucketAcl", "StopLogging", "DeleteTrail", "LookupEvents", "ConsoleLogin"}
	agents := []string{"aws-cli/2.13.0 Python/3.11.4 Linux/5.15", "Boto3/1.28.0 Python/3.10 Linux", "console.amazonaws.com",
		"aws-sdk-go/1.44.0 (go1.20; linux; amd64)", "Terraform/1.5.0 aws-sdk-go-v2/1.21", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}
	regions := []string{"us-east-1", "us-east-1", "us-east-1", "us-west-2", "us-west-2", "eu-west-1", "ap-southeast-1", "sa-east-1", "ap-northeast-2"}
	types := []string{"IAMUser", "IAMUser", "AssumedRole", "Root"}
	a := NewAggregate("risk_score", features)
	var b strings.Builder
	b.WriteString("_time,eventType,eventSource,eventName,awsRegion,sourceIPAddress,userAgent,userIdentity.type,userIdentity.arn,errorCode,responseElements.ConsoleLogin,additionalEventData.MFAUsed,bytes_out,risk_score\n")
	for i := range n {
		u := rng.IntN(500)
		ip := ips[home[u][rng.IntN(2)]]
		odd := rng.Float64() < 0.05
		if odd {
			ip = ips[rng.IntN(len(ips))]
		}
		api, agent, region, typ := apis[rng.IntN(len(apis))], agents[rng.IntN(len(agents))], regions[rng.IntN(len(regions))], types[rng.IntN(len(types))]
		arn := fmt.Sprintf("arn:aws:iam::123456789012:user/user%03d", u)
		y := fmt.Sprintf("%.3f", float64(len(api))+25*float64(len(ip)%2)+rng.NormFloat64()*3)
		fmt.Fprintf(&b, "%d,AwsApiCall,iam.amazonaws.com,%s,%s,%s,%s,%s,%s,,,,%d,%s\n",
			1700000000+2*i, api, region, ip, agent, typ, arn, rng.IntN(20000), y)
		a.AddEvent(y, []string{api, ip, agent, typ, arn, region})
	}
	return b.Len(), a
}

// TestMapOutputSize holds the map phase's output to issue 14's bound: on three shards of the
// benchmark's 200,000 events it ships at most 10% of the shards' bytes, and its size follows the
// model (bytes per design column), not the events. The sizes are bytes of deterministic data, so
// this is not a timed test.
func TestMapOutputSize(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 220,000 events")
	}
	measure := func(perShard int) (out, in, cols int, form byte) {
		rng := rand.New(rand.NewPCG(7, 7))
		ips := make([]string, 5000)
		for i := range ips {
			ips[i] = fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(222), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		}
		home := map[int][2]int{}
		for u := range 500 {
			home[u] = [2]int{rng.IntN(500), rng.IntN(500)}
		}
		for range 3 {
			size, a := benchShard(rng, perShard, ips, home)
			blob, f := EncodePartial(a, NewAggregate(a.Target, a.Features))
			m, err := FitLinear(a, LinearOptions{FitIntercept: true})
			require.NoError(t, err)
			out, in, cols, form = out+len(blob), in+size, cols+m.Stats.Columns, f
		}
		return out, in, cols, form
	}
	bigOut, bigIn, bigCols, form := measure(66_667)
	smallOut, _, smallCols, _ := measure(6_667)
	t.Logf("3 shards of 66,667 events: %d of %d bytes (%.3f), %d columns, form %c; of 6,667: %d bytes, %d columns; growth %.2fx for 10x events, %.2fx columns",
		bigOut, bigIn, float64(bigOut)/float64(bigIn), bigCols, form, smallOut, smallCols,
		float64(bigOut)/float64(smallOut), float64(bigCols)/float64(smallCols))
	require.Equal(t, byte(formMoment), form, "moments are the smaller form at this size")
	require.LessOrEqual(t, float64(bigOut), 0.10*float64(bigIn), "map output ≤ 10% of the shard input")
	// Bounded by the model: the bytes per design column do not grow with the events.
	perColBig, perColSmall := float64(bigOut)/float64(bigCols), float64(smallOut)/float64(smallCols)
	require.Less(t, perColBig, 1.1*perColSmall, "bytes per column %.0f at 10x the events vs %.0f", perColBig, perColSmall)
}
