package synth

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// The pools below are shared by benign people and attackers: an attacker with
// a stolen key runs the same aws-cli, boto3 and SDK builds as the engineers
// whose key it is, from the same kinds of public addresses (home broadband,
// VPN egress, cloud hosts). Nothing about the tool or the address class alone
// may tell an attack from ordinary work; the leak test in leak_test.go checks it.

// uaFamily is a weighted family of user agents.
type uaFamily struct {
	name string
	uas  []string
}

var (
	uaCLI = uaFamily{"aws-cli", []string{
		"aws-cli/2.15.30 Python/3.11.8 Darwin/23.3.0 exe/x86_64 prompt/off",
		"aws-cli/2.15.19 Python/3.11.6 Linux/6.5.0-21-generic exe/x86_64.ubuntu.22 prompt/off",
		"aws-cli/2.13.5 Python/3.11.4 Linux/6.3.0-kali1-amd64 exe/x86_64.kali.2023 prompt/off",
		"aws-cli/1.32.60 Python/3.10.12 Linux/5.15.0-97-generic botocore/1.34.60",
		"aws-cli/2.15.28 Python/3.11.8 Windows/10 exe/AMD64 prompt/off command/s3.cp",
	}}
	uaBoto3 = uaFamily{"boto3", []string{
		"Boto3/1.34.60 md/Botocore#1.34.60 ua/2.0 os/macos#23.3.0 md/arch#arm64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.60",
		"Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.34.51",
		"Boto3/1.28.62 md/Botocore#1.31.62 ua/2.0 os/linux#6.3.0-kali1-amd64 md/arch#x86_64 lang/python#3.11.5 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.62",
		"Boto3/1.33.13 md/Botocore#1.33.13 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.10.11 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.33.13",
	}}
	uaGo = uaFamily{"aws-sdk-go", []string{
		"aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.1",
		"aws-sdk-go/1.50.25 (go1.21.6; linux; amd64)",
		"aws-sdk-go-v2/1.24.1 os/macos lang/go#1.21.5 md/GOOS#darwin md/GOARCH#arm64",
	}}
	uaJava = uaFamily{"aws-sdk-java", []string{
		"aws-sdk-java/2.25.6 Linux/5.15.0-1051-aws OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy",
		"aws-sdk-java/1.12.661 Mac_OS_X/14.3.1 OpenJDK_64-Bit_Server_VM/21.0.2+13 java/21.0.2 vendor/Homebrew",
	}}
	uaJS = uaFamily{"aws-sdk-js", []string{
		"aws-sdk-js/3.529.1 ua/2.0 os/linux#6.5.0 lang/js md/nodejs#20.11.1 api/sts#3.529.1",
		"aws-sdk-js/3.515.0 ua/2.0 os/darwin#23.3.0 lang/js md/nodejs#18.19.0 api/s3#3.515.0",
		"aws-sdk-nodejs/2.1550.0 linux/v18.19.0 promise",
	}}
	// uaInHouse are the odd agents of real organisations' own tools and
	// scripts; attackers' hand-written scripts look the same.
	uaInHouse = uaFamily{"in-house", []string{
		"acme-inventory/2.3.1 python-requests/2.31.0",
		"python-requests/2.31.0",
		"Go-http-client/1.1",
		"curl/8.4.0",
		"cost-reporter/0.9 (+https://git.acme.example/finops)",
	}}
)

// toolMix is an organisation's habit: the relative weight of each family
// among the people who use access keys.
type toolMix []struct {
	f *uaFamily
	w float64
}

func (m toolMix) pick(r *rand.Rand) string {
	total := 0.0
	for _, x := range m {
		total += x.w
	}
	v := r.Float64() * total
	for _, x := range m {
		if v < x.w {
			return pick(r, x.f.uas)
		}
		v -= x.w
	}
	return pick(r, m[0].f.uas)
}

// Public address pools. A benign person connects from home broadband (their
// site's ISPs), the office, corporate or commercial VPN egress, hotels and
// mobile networks abroad; automation from cloud hosts and CI runners. An
// attacker draws from the same pools: residential proxies, commercial VPNs,
// hosts in some cloud.
var (
	vpnPrefixes     = []string{"165.225", "136.226", "146.70", "37.19", "185.156", "89.187"}
	hostingPrefixes = []string{"159.89", "167.99", "5.161", "138.68"} // VPS hosts: in-house jobs and attackers alike
)

// publicIP draws a fresh public address the way a person or a job not on its
// usual network would get one: 40% residential (any site), 35% VPN egress,
// 25% cloud and hosting.
func publicIP(r *rand.Rand) string {
	switch x := r.Float64(); {
	case x < 0.40:
		return ip4(r, pick(r, sites[pickSite(r, nil)].prefixes))
	case x < 0.75:
		return ip4(r, pick(r, vpnPrefixes))
	case x < 0.90:
		return ip4(r, pick(r, awsEgress))
	default:
		return ip4(r, pick(r, hostingPrefixes))
	}
}

// allRegions are the commercial regions security scanners sweep.
var allRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2",
	"eu-west-3", "eu-central-1", "eu-north-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1",
	"ap-northeast-2", "ap-northeast-3", "ap-south-1", "sa-east-1",
}

// habits are one organisation's (one AWS account's) ways of working.
type habits struct {
	name        string
	siteWeights []int    // per entry of sites
	regions     []string // home first
	tools       toolMix
	iac         string  // "terraform" or "cloudformation"
	scanner     string  // "prowler" or "scoutsuite"
	volume      float64 // share of the world's benign events
	ssoShare    float64 // engineers working through IAM Identity Center roles instead of IAM user keys
	vpnShare    float64 // people whose sessions come through a VPN with rotating egress
	gpu         bool    // an ML team that runs GPU instances
	inHouseCI   bool    // an in-house deployment tool with an odd user agent
	// bedrock names the runtime of an application invoking foundation models
	// ("ecs" or "lambda"; "" = no Bedrock use), bedrockRegion where it and the
	// ML engineers call them (see bedrock.go).
	bedrock, bedrockRegion string
}

// worldHabits returns the organisations of a variant; the first uses Config.Account.
func worldHabits(variant string) []habits {
	if variant == VariantShifted {
		return []habits{
			{name: "retail", siteWeights: []int{1, 1, 2, 6}, regions: []string{"ap-south-1", "ap-southeast-1", "eu-central-1"},
				tools: toolMix{{&uaJS, 4}, {&uaGo, 3}, {&uaCLI, 3}, {&uaBoto3, 1}, {&uaInHouse, 1}}, iac: "cloudformation",
				scanner: "scoutsuite", volume: 0.55, ssoShare: 0.7, vpnShare: 0.4, gpu: true},
			{name: "payments", siteWeights: []int{1, 0, 6, 1}, regions: []string{"eu-central-1", "eu-west-2", "us-east-1"},
				tools: toolMix{{&uaJava, 5}, {&uaCLI, 3}, {&uaGo, 1}, {&uaBoto3, 1}}, iac: "terraform",
				scanner: "prowler", volume: 0.3, ssoShare: 0.5, vpnShare: 0.6, inHouseCI: true},
			{name: "research", siteWeights: []int{2, 5, 1, 0}, regions: []string{"us-west-2", "us-east-2", "ca-central-1"},
				tools: toolMix{{&uaBoto3, 6}, {&uaCLI, 2}, {&uaInHouse, 2}}, iac: "terraform",
				scanner: "prowler", volume: 0.15, ssoShare: 0.2, vpnShare: 0.1, gpu: true,
				bedrock: "lambda", bedrockRegion: "us-west-2"},
		}
	}
	return []habits{
		{name: "prod", siteWeights: []int{5, 3, 2, 2}, regions: []string{"us-east-1", "us-west-2", "eu-west-1"},
			tools: toolMix{{&uaCLI, 5}, {&uaBoto3, 4}, {&uaGo, 1}, {&uaJS, 1}, {&uaInHouse, 0.5}}, iac: "terraform",
			scanner: "prowler", volume: 0.6, ssoShare: 0.3, vpnShare: 0.2},
		{name: "data", siteWeights: []int{1, 0, 4, 4}, regions: []string{"eu-west-1", "eu-central-1", "us-east-1"},
			tools: toolMix{{&uaBoto3, 5}, {&uaJava, 3}, {&uaCLI, 2}}, iac: "cloudformation",
			scanner: "prowler", volume: 0.28, ssoShare: 0.6, vpnShare: 0.3, gpu: true,
			bedrock: "ecs", bedrockRegion: "eu-central-1"},
		{name: "sandbox", siteWeights: []int{1, 4, 0, 1}, regions: []string{"us-west-2", "us-east-1"},
			tools: toolMix{{&uaCLI, 3}, {&uaGo, 2}, {&uaJS, 2}, {&uaInHouse, 2}}, iac: "terraform",
			scanner: "scoutsuite", volume: 0.12, ssoShare: 0.1, vpnShare: 0.1, inHouseCI: true},
	}
}

// accountFor derives the k-th account of the world from the main one.
func accountFor(main string, k int) string {
	if k == 0 {
		return main
	}
	var n uint64
	fmt.Sscan(main, &n)
	return fmt.Sprintf("%012d", (n+uint64(k)*210987654321)%1_000_000_000_000)
}

// businessTime is a random moment of the working day (08:00–18:00) in tz.
func businessTime(r *rand.Rand, day time.Time, tz *time.Location) time.Time {
	if tz == nil {
		tz = time.UTC
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, tz).Add(time.Duration(r.IntN(10*3600)) * time.Second)
}

// pickSite draws a site by weights (one per entry of sites); nil means the
// sites' default weights.
func pickSite(r *rand.Rand, weights []int) int {
	wt := func(i int) int {
		if weights == nil {
			return sites[i].weight
		}
		return weights[i]
	}
	total := 0
	for i := range sites {
		total += wt(i)
	}
	n := r.IntN(total)
	for i := range sites {
		if n < wt(i) {
			return i
		}
		n -= wt(i)
	}
	return 0
}
