package synth

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"awsrisk/features"
)

// Independent PCG streams: the organisation, the benign traffic and the
// attacks each get their own, so turning attacks off leaves the benign month
// byte-identical and adding a scenario does not reshuffle everything else.
const (
	streamOrg    = 0x6f7267
	streamBenign = 0x62656e
	streamAttack = 0x61746b
	// streamBedrock drives the benign Bedrock use (bedrock.go), added after
	// the rest of the benign world so that it left every other record as it was.
	streamBedrock = 0x626472
)

type kv struct{ k, v string }

type sessionKind int

const (
	sessKey     sessionKind = iota // long-lived access key (AKIA…), no session context
	sessConsole                    // console sign-in session: temporary key plus MFA attribute
	sessRole                       // assumed-role session
	sessService                    // AWSService principal
)

// call is everything needed to render one CloudTrail record.
type call struct {
	t        time.Time
	a        *actor
	api      *api
	src, ua  string
	region   string
	sess     sessionKind
	mfa      bool
	tempKey  string
	errCode  string
	errMsg   string
	params   []kv
	scenario string
	risk     float64 // used for attacks; benign risk is computed from the rubric
	offHours bool
	evType   string // "" = AwsApiCall; AwsServiceEvent for events AWS records on its own
}

type item struct {
	t   time.Time
	seq int
	ev  Event
}

type gen struct {
	cfg   Config
	orgs  []*org // the world's organisations (accounts); orgs[0] uses Config.Account
	o     *org   // the organisation being generated: set by the benign loop and per attack
	items []item
}

// Generate produces the benign month and, when cfg.Attacks is set, the attack
// scenarios, sorted by time. The output depends only on cfg.
func Generate(cfg Config) []Event {
	cfg = cfg.normalized()
	g := &gen{cfg: cfg}
	or := rand.New(rand.NewPCG(cfg.Seed, streamOrg))
	for k, h := range worldHabits(cfg.Variant) {
		users := max(4, int(math.Round(float64(cfg.Users)*h.volume*1.4)))
		roles := max(3, int(math.Round(float64(cfg.Roles)*h.volume*1.4)))
		g.orgs = append(g.orgs, newOrg(cfg, or, h, k, users, roles))
	}
	g.items = make([]item, 0, cfg.Days*cfg.EventsPerDay*11/10+1024)
	br := rand.New(rand.NewPCG(cfg.Seed, streamBenign))
	kr := rand.New(rand.NewPCG(cfg.Seed, streamBedrock))
	for _, o := range g.orgs {
		g.o = o
		for d := range cfg.Days {
			g.benignDay(br, d)
		}
		g.benignRoot(br)
		g.bedrockUse(kr)
	}
	if cfg.Attacks {
		g.attacks(rand.New(rand.NewPCG(cfg.Seed, streamAttack)))
	}
	slices.SortStableFunc(g.items, func(x, y item) int {
		if c := x.t.Compare(y.t); c != 0 {
			return c
		}
		return cmp.Compare(x.seq, y.seq)
	})
	// The month is exactly [Start, Start+Days) in UTC, like an export cut by
	// time: evening work in western timezones on the last day falls outside.
	lo, hi := cfg.Start, cfg.Start.Add(time.Duration(cfg.Days)*24*time.Hour)
	out := make([]Event, 0, len(g.items))
	for i := range g.items {
		if t := g.items[i].t; !t.Before(lo) && t.Before(hi) {
			out = append(out, g.items[i].ev)
		}
	}
	return out
}

func (g *gen) dayStart(d int) time.Time { return g.cfg.Start.Add(time.Duration(d) * 24 * time.Hour) }

func uuid(r *rand.Rand) string {
	hi, lo := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", hi>>32, (hi>>16)&0xffff, hi&0xfff, 0x8000|(lo>>48)&0x3fff, lo&0xffffffffffff)
}

func tempKey(r *rand.Rand) string { return iamID(r, "ASIA", 16) }

const timeLayout = "2006-01-02T15:04:05Z"

// account is the account whose trail records the call.
func (g *gen) account(c call) string {
	if c.a != nil && c.a.org != nil {
		return c.a.org.account
	}
	return g.o.account
}

// emit renders a call into a flattened CloudTrail record and stores it.
func (g *gen) emit(r *rand.Rand, c call) {
	f := make(map[string]string, 26+len(c.params))
	acct := g.account(c)
	t := c.t.UTC().Truncate(time.Second)
	f["_time"] = strconv.FormatInt(t.Unix(), 10)
	f["eventVersion"] = "1.09"
	f["eventTime"] = t.Format(timeLayout)
	f["eventSource"] = c.api.source
	f["eventName"] = c.api.name
	region := c.region
	switch {
	case c.api.global:
		region = homeRegion // IAM, STS and other global APIs log in us-east-1
	case region == "" && c.a != nil && c.a.org != nil:
		region = c.a.org.regions[0]
	case region == "":
		region = g.o.regions[0]
	}
	f["awsRegion"] = region
	f["sourceIPAddress"] = c.src
	f["userAgent"] = c.ua
	f["eventID"] = uuid(r)
	f["eventType"] = "AwsApiCall"
	f["readOnly"] = strconv.FormatBool(c.api.read)
	f["managementEvent"] = "true"
	f["eventCategory"] = "Management"
	if c.api == apiGetObject || c.api == apiPutObject {
		f["managementEvent"], f["eventCategory"] = "false", "Data"
	}
	f["recipientAccountId"] = acct
	g.identity(f, c)
	if c.evType != "" {
		// AWS's own events (key rotation, secret rotation) name no caller,
		// address or agent.
		f["eventType"] = c.evType
		for k := range f {
			if strings.HasPrefix(k, "userIdentity.") {
				delete(f, k)
			}
		}
		f["userIdentity.accountId"] = acct
		f["userIdentity.invokedBy"] = c.api.source
		delete(f, "sourceIPAddress")
		delete(f, "userAgent")
	} else if r.Float64() < 0.004 {
		// A few records of every kind lack the agent, as in real trails
		// (requests without the header, some SDK paths).
		delete(f, "userAgent")
	}
	if c.errCode != "" {
		f["errorCode"] = c.errCode
		f["errorMessage"] = c.errMsg
	}
	for _, p := range c.params {
		f["requestParameters."+p.k] = p.v
	}
	risk := c.risk
	if c.scenario == "" {
		risk = benignRisk(r, c)
		if o := c.a.org; o != nil && c.ua != "" && c.ua != "AWS Internal" && !strings.HasSuffix(c.ua, ".amazonaws.com") {
			o.callerUAs = append(o.callerUAs, c.ua)
		}
	}
	g.items = append(g.items, item{t: t, seq: len(g.items), ev: Event{Fields: f, Scenario: c.scenario, Risk: risk}})
}

// identity fills userIdentity.* the way CloudTrail does for each principal type.
func (g *gen) identity(f map[string]string, c call) {
	a := c.a
	acct := g.account(c)
	if a.account != "" {
		acct = a.account
	}
	created := c.t.Add(-17 * time.Minute).UTC().Format(timeLayout)
	switch {
	case c.sess == sessService:
		f["userIdentity.type"] = "AWSService"
		f["userIdentity.invokedBy"] = a.invokedBy
		f["userIdentity.accountId"] = acct
	case a.identType == "Root":
		f["userIdentity.type"] = "Root"
		f["userIdentity.principalId"] = acct
		f["userIdentity.arn"] = a.arn
		f["userIdentity.accountId"] = acct
		f["userIdentity.accessKeyId"] = c.tempKey
		f["userIdentity.sessionContext.attributes.mfaAuthenticated"] = strconv.FormatBool(c.mfa)
		f["userIdentity.sessionContext.attributes.creationDate"] = created
	case a.identType == "IAMUser":
		f["userIdentity.type"] = "IAMUser"
		f["userIdentity.principalId"] = a.principal
		f["userIdentity.arn"] = a.arn
		f["userIdentity.accountId"] = acct
		f["userIdentity.userName"] = a.userName
		if c.sess == sessConsole {
			f["userIdentity.accessKeyId"] = c.tempKey
			f["userIdentity.sessionContext.attributes.mfaAuthenticated"] = strconv.FormatBool(c.mfa)
			f["userIdentity.sessionContext.attributes.creationDate"] = created
		} else {
			f["userIdentity.accessKeyId"] = a.accessKey
		}
	default: // AssumedRole
		f["userIdentity.type"] = "AssumedRole"
		f["userIdentity.principalId"] = a.principal
		f["userIdentity.arn"] = a.arn
		f["userIdentity.accountId"] = acct
		f["userIdentity.accessKeyId"] = c.tempKey
		f["userIdentity.sessionContext.sessionIssuer.type"] = "Role"
		f["userIdentity.sessionContext.sessionIssuer.principalId"] = a.roleID
		f["userIdentity.sessionContext.sessionIssuer.arn"] = a.roleArn
		f["userIdentity.sessionContext.sessionIssuer.accountId"] = acct
		f["userIdentity.sessionContext.sessionIssuer.userName"] = a.roleName
		f["userIdentity.sessionContext.attributes.mfaAuthenticated"] = "false"
		f["userIdentity.sessionContext.attributes.creationDate"] = created
		if a.kind == kindEC2 {
			f["userIdentity.sessionContext.ec2RoleDelivery"] = "2.0"
		}
		if a.invokedBy != "" && a.kind != kindEC2 {
			f["userIdentity.invokedBy"] = a.invokedBy // service-linked roles and CloudFormation
		}
	}
}

// login renders a ConsoleLogin. Failures carry errorMessage and
// ConsoleLogin=Failure but no errorCode and no ARN, exactly like CloudTrail.
func (g *gen) login(r *rand.Rand, t time.Time, a *actor, src, ua string, ok, mfa bool, scenario string, risk float64) {
	f := make(map[string]string, 24)
	t = t.UTC().Truncate(time.Second)
	f["_time"] = strconv.FormatInt(t.Unix(), 10)
	f["eventVersion"] = "1.09"
	f["eventTime"] = t.Format(timeLayout)
	f["eventSource"] = "signin.amazonaws.com"
	f["eventName"] = "ConsoleLogin"
	f["awsRegion"] = homeRegion
	f["sourceIPAddress"] = src
	f["userAgent"] = ua
	f["eventID"] = uuid(r)
	f["eventType"] = "AwsConsoleSignIn"
	f["readOnly"] = "false"
	f["managementEvent"] = "true"
	f["eventCategory"] = "Management"
	acct := g.account(call{a: a})
	f["recipientAccountId"] = acct
	f["userIdentity.accountId"] = acct
	if a.identType == "Root" {
		f["userIdentity.type"] = "Root"
		f["userIdentity.principalId"] = acct
		f["userIdentity.arn"] = a.arn
	} else {
		f["userIdentity.type"] = "IAMUser"
		f["userIdentity.principalId"] = a.principal
		f["userIdentity.userName"] = a.userName
		if ok {
			f["userIdentity.arn"] = a.arn
		} else {
			f["userIdentity.accessKeyId"] = ""
		}
	}
	mfaUsed := "No"
	if mfa {
		mfaUsed = "Yes"
	}
	f["additionalEventData.MFAUsed"] = mfaUsed
	f["additionalEventData.MobileVersion"] = "No"
	if a.identType != "Root" {
		f["additionalEventData.LoginTo"] = "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true"
	}
	if ok {
		f["responseElements.ConsoleLogin"] = "Success"
	} else {
		f["responseElements.ConsoleLogin"] = "Failure"
		f["errorMessage"] = "Failed authentication"
	}
	c := call{t: t, a: a, api: &api{name: "ConsoleLogin"}, mfa: mfa, scenario: scenario}
	if a.tz != nil && a.workHours > 0 {
		lt := t.In(a.tz)
		c.offHours = lt.Hour() < a.startHour || lt.Hour() >= a.startHour+a.workHours ||
			lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday
	}
	if !ok {
		c.errCode = "failure"
	}
	if scenario == "" {
		risk = benignRisk(r, c)
		if !mfa && ok {
			risk = clamp(risk + 4)
		}
	}
	g.items = append(g.items, item{t: t, seq: len(g.items), ev: Event{Fields: f, Scenario: scenario, Risk: risk}})
}

// Benign risk rubric (see doc.go): API sensitivity, failure, the actor's
// off-hours and root, plus small noise so labels are not a pure function of
// the features.
var benignBase = [4]float64{2, 5, 10, 18}

func benignRisk(r *rand.Rand, c call) float64 {
	_, sev := features.Tactic(c.api.name)
	risk := benignBase[sev]
	if c.errCode != "" {
		risk += 6
	}
	if c.offHours {
		risk += 3
	}
	if c.a != nil && c.a.identType == "Root" {
		risk += 8
	}
	return clamp(risk + 3*r.Float64() - 1.5)
}

func clamp(x float64) float64 {
	return math.Round(math.Max(0, math.Min(100, x))*10) / 10
}

// risk is Security Content's rubric: confidence × impact / 100.
func risk(confidence, impact float64) float64 { return confidence * impact / 100 }
