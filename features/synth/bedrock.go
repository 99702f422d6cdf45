package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Benign Amazon Bedrock use. In 2026 accounts invoke foundation models
// routinely, so an honest world must too: without it every Bedrock record is
// an attack and eventSource alone carries the llmjacking label. Organisations
// whose habits name an application runtime (habits.bedrock) get, on their own
// PCG stream (streamBedrock, so the rest of the benign month is unchanged):
//
//   - an application role (an ECS task role whose session is the task id, new
//     after each deploy, behind two NAT addresses; or a Lambda role from
//     ever-changing AWS addresses) invoking models through the day with its
//     SDK: InvokeModel, InvokeModelWithResponseStream, Converse, ConverseStream,
//     with the throttling real applications hit;
//   - one or two ML engineers trying models in the console playground or with
//     their usual tool: ListFoundationModels, GetFoundationModel,
//     GetFoundationModelAvailability, then a handful of invocations;
//   - a platform admin who sets up model invocation logging once
//     (PutModelInvocationLoggingConfiguration, read back at once) and later,
//     now and then, reads it in the console, some days in the same session as
//     a playground test call: the benign twin of llmjacking's first steps.

// Foundation models, shared with the llmjacking scenario's so that modelId
// alone does not tell who calls.
var (
	appModels = []string{
		"anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-sonnet-20240229-v1:0",
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0", "amazon.titan-embed-text-v2:0",
	}
	tryModels = []string{
		"anthropic.claude-3-sonnet-20240229-v1:0", "anthropic.claude-v2", "meta.llama2-70b-chat-v1",
		"meta.llama3-70b-instruct-v1:0", "amazon.titan-text-express-v1", "mistral.mistral-large-2402-v1:0",
		"anthropic.claude-3-haiku-20240307-v1:0",
	}
)

var (
	apiConverse             = a("bedrock", "Converse")
	apiConverseStream       = a("bedrock", "ConverseStream")
	apiGetFoundationModel   = a("bedrock", "GetFoundationModel")
	apiPutInvocationLogging = a("bedrock", "PutModelInvocationLoggingConfiguration")

	// profBedrockApp: an application's model calls.
	profBedrockApp = newProfile(w{apiInvokeModel, 3}, w{apiInvokeModelStream, 2}, w{apiConverse, 3}, w{apiConverseStream, 2})
	// profBedrockTry: a person trying models.
	profBedrockTry = newProfile(w{apiInvokeModel, 4}, w{apiConverse, 3}, w{apiConverseStream, 2}, w{apiInvokeModelStream, 1})
)

// The agents of the application runtimes: the same SDK builds as the
// organisations' other automation, with the runtime's exec-env.
const (
	ecsJavaUA   = "aws-sdk-java/2.25.6 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard"
	ecsPythonUA = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard Botocore/1.34.51"
)

// bedrockUse generates the organisation's month of Bedrock use from r, the
// Bedrock stream; organisations without habits.bedrock have none.
func (g *gen) bedrockUse(r *rand.Rand) {
	o := g.o
	if o.h.bedrock == "" {
		return
	}
	// The attackers' agents are drawn from the organisation's benign calls
	// (callerUAs); the people here use their usual tools, so leaving these
	// calls out keeps every attack as it was without Bedrock use, and the
	// measured change is the benign Bedrock traffic alone.
	defer func(n int) { o.callerUAs = o.callerUAs[:n] }(len(o.callerUAs))
	app := g.bedrockApp(r)
	var engineers []*actor
	var admin *actor
	nEng := 1 + r.IntN(2)
	for _, x := range o.users {
		switch {
		case x.startDay > 0:
		case x.kind == kindEngineer && x.cli && len(engineers) < nEng:
			engineers = append(engineers, x)
		case x.kind == kindAdmin && admin == nil:
			admin = x
		}
	}
	if admin == nil {
		// A small account has no administrator: an engineer with console
		// access runs the platform.
		for _, x := range o.users {
			if x.startDay == 0 && x.kind == kindEngineer && x.console && !slices.Contains(engineers, x) {
				admin = x
			}
		}
	}
	setup := r.IntN(min(4, g.cfg.Days))
	for setup > 0 && isWeekend(g.dayStart(setup)) {
		setup-- // set up on a working day
	}
	verified := false
	for d := range g.cfg.Days {
		day := g.dayStart(d)
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		g.bedrockAppDay(r, app, day, weekend)
		for _, e := range engineers {
			if !weekend && r.Float64() < 0.5 || weekend && r.Float64() < e.weekendP {
				g.bedrockTry(r, e, day)
			}
		}
		if admin == nil {
			continue
		}
		switch {
		case d == setup:
			g.bedrockAdmin(r, admin, day, adminSetup)
		case d > setup && !weekend && (!verified || r.Float64() < 0.25):
			// The first working day after the setup, the admin checks that
			// logging works with a test call; later, now and then.
			kind := adminCheck
			if !verified {
				kind, verified = adminVerify, true
			}
			g.bedrockAdmin(r, admin, day, kind)
		}
	}
}

// bedrockApp is the application role: an ECS task role or a Lambda role.
func (g *gen) bedrockApp(r *rand.Rand) *actor {
	o := g.o
	a := &actor{org: o, kind: kindLambda, identType: "AssumedRole", roleID: iamID(r, "AROA", 17),
		regions: []string{o.h.bedrockRegion}}
	switch o.h.bedrock {
	case "ecs":
		a.roleName, a.userName = "genai-chat-task-role", fmt.Sprintf("%032x", r.Uint64())
		a.toolUA = pick(r, []string{ecsJavaUA, ecsPythonUA})
		a.ips = []string{ip4(r, pick(r, awsEgress)), ip4(r, pick(r, awsEgress))} // the VPC's NAT gateways
	default:
		a.roleName, a.userName = "paper-summarizer-role", "paper-summarizer"
		a.toolUA = lambdaUAs[0]
		a.ips = []string{ip4(r, pick(r, awsEgress))}
	}
	a.roleArn = "arn:aws:iam::" + o.account + ":role/" + a.roleName
	g.bedrockSession(a, a.userName)
	return a
}

// bedrockSession names the application's current session: an ECS task's
// credentials carry the task id, which changes with every deploy.
func (g *gen) bedrockSession(a *actor, session string) {
	a.userName = session
	a.arn = "arn:aws:sts::" + a.org.account + ":assumed-role/" + a.roleName + "/" + session
	a.principal = a.roleID + ":" + session
}

// bedrockAppDay spreads the application's model calls over the day, two
// thirds in the organisation's business hours, when its users are.
func (g *gen) bedrockAppDay(r *rand.Rand, a *actor, day time.Time, weekend bool) {
	o := g.o
	if o.h.bedrock == "ecs" && r.Float64() < 0.3 {
		g.bedrockSession(a, fmt.Sprintf("%032x", r.Uint64())) // a deploy replaced the task
	}
	n := float64(g.cfg.EventsPerDay) * o.h.volume * 0.03 * (0.8 + 0.4*r.Float64())
	if weekend {
		n *= 0.5
	}
	c := call{a: a, sess: sessRole, tempKey: tempKey(r), region: a.regions[0]}
	for range int(math.Round(n)) {
		c.t = anyTime(r, day)
		if r.Float64() < 0.67 {
			c.t = businessTime(r, day, o.hq)
		}
		c.api, c.src, c.ua = profBedrockApp.pick(r), pick(r, a.ips), a.toolUA
		if o.h.bedrock != "ecs" && r.Float64() < 0.7 {
			c.src = ip4(r, pick(r, awsEgress)) // a function outside a VPC
		}
		c.params = []kv{{"modelId", pick(r, appModels)}}
		c.errCode, c.errMsg = "", ""
		switch x := r.Float64(); {
		case x < 0.025:
			c.errCode, c.errMsg = "ThrottlingException", "Too many requests, please wait before trying again."
		case x < 0.03:
			c.errCode, c.errMsg = "ValidationException", "Input is too long for requested model."
		}
		g.emit(r, c)
	}
}

// personCall is how a person's session of the day is made, as in userDay:
// the address (home, office, VPN egress), and for tool sessions the key,
// the Identity Center session or a botocore role session.
func (g *gen) personCall(r *rand.Rand, a *actor, start time.Time, console bool) call {
	src := a.ips[0]
	if len(a.ips) > 1 && r.Float64() < 0.35 {
		src = pick(r, a.ips[1:])
	}
	if a.vpn && r.Float64() < 0.6 {
		src = ip4(r, pick(r, vpnPrefixes))
	}
	c := call{a: a, src: src, region: g.o.h.bedrockRegion, tempKey: tempKey(r), mfa: a.alwaysMFA, sess: sessKey}
	switch {
	case console:
		c.sess = sessConsole
		g.login(r, start, a, src, a.browserUA, true, a.alwaysMFA, "", 0)
	case a.sso:
		c.a, c.sess = g.ssoSession(a), sessRole
	case r.Float64() < 0.25:
		c.a, c.sess = assumed(a, "DataScientist", fmt.Sprintf("botocore-session-%d", start.Unix())), sessRole
	}
	return c
}

// personEmit renders one of a person's Bedrock calls at t: the console's
// agents in a console session, the tool's otherwise; off-hours as in userDay.
func (g *gen) personEmit(r *rand.Rand, c call, a *actor, t time.Time, x *api, params []kv, pFail float64) {
	c.t, c.api, c.params, c.ua = t, x, params, a.toolUA
	if c.sess == sessConsole {
		c.ua = a.browserUA // the playground calls from the browser
		if r.Float64() < 0.3 {
			c.ua = "console.amazonaws.com"
		}
	}
	lt := t.In(a.tz)
	c.offHours = lt.Hour() < a.startHour || lt.Hour() >= a.startHour+a.workHours || lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday
	if r.Float64() < pFail {
		// People mostly send a malformed request, sometimes hit the rate
		// limit, rarely lack access to a model.
		switch y := r.Float64(); {
		case y < 0.55:
			c.errCode, c.errMsg = "ValidationException", "Malformed input request, please reformat your input and try again."
		case y < 0.9:
			c.errCode, c.errMsg = "ThrottlingException", "Too many requests, please wait before trying again."
		default:
			c.errCode, c.errMsg = "AccessDeniedException", "You don't have access to the model with the specified model ID."
		}
	}
	g.emit(r, c)
}

// bedrockTry is an ML engineer's session with models: look at the catalogue,
// pick a model, send a few prompts.
func (g *gen) bedrockTry(r *rand.Rand, a *actor, day time.Time) {
	local := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, a.tz)
	t := local.Add(time.Duration(a.startHour)*time.Hour + time.Duration(r.Float64()*float64(a.workHours)*float64(time.Hour)*0.9))
	console := a.console && r.Float64() < 0.4
	c := g.personCall(r, a, t, console)
	model := pick(r, tryModels)
	id := []kv{{"modelId", model}}
	if r.Float64() < 0.6 {
		t = t.Add(gap(r, 5, 60))
		g.personEmit(r, c, a, t, apiListFoundationModels, nil, 0)
	}
	for range r.IntN(3) {
		t = t.Add(gap(r, 5, 60))
		g.personEmit(r, c, a, t, apiGetFoundationModel, id, 0.02)
	}
	if console && r.Float64() < 0.3 {
		t = t.Add(gap(r, 2, 20))
		g.personEmit(r, c, a, t, apiGetFMAvailability, id, 0)
	}
	for range 3 + r.IntN(20) {
		t = t.Add(gap(r, 5, 120))
		g.personEmit(r, c, a, t, profBedrockTry.pick(r), id, 0.04)
	}
}

// adminSession is what the platform admin does with Bedrock on a day.
type adminSession int

const (
	adminSetup  adminSession = iota // configure invocation logging and read it back
	adminVerify                     // the next working day: a test call, then the configuration
	adminCheck                      // later: the configuration, some days with a test call
)

func isWeekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

// bedrockAdmin is the platform admin in the console: on the setup day,
// model invocation logging configured and read back; the next working day a
// test call and the configuration again; later, the configuration checked,
// some days with a test call in the playground before or after.
func (g *gen) bedrockAdmin(r *rand.Rand, a *actor, day time.Time, kind adminSession) {
	t := businessTime(r, day, a.tz)
	c := g.personCall(r, a, t, true)
	next := func(x *api, params []kv) {
		t = t.Add(gap(r, 10, 120))
		g.personEmit(r, c, a, t, x, params, 0)
	}
	if kind == adminSetup {
		next(apiListFoundationModels, nil)
		next(apiPutInvocationLogging, []kv{
			{"loggingConfig.s3Config.bucketName", "acme-bedrock-invocation-logs-" + g.o.account[len(g.o.account)-4:]},
			{"loggingConfig.textDataDeliveryEnabled", "true"}, {"loggingConfig.imageDataDeliveryEnabled", "false"},
		})
		next(apiGetInvocationLogging, nil)
		return
	}
	test := func() {
		id := []kv{{"modelId", pick(r, tryModels)}}
		for range 1 + r.IntN(3) {
			next(profBedrockTry.pick(r), id)
		}
	}
	switch x := r.Float64(); {
	case kind == adminVerify:
		test()
		next(apiGetInvocationLogging, nil)
	case x < 0.4:
		next(apiGetInvocationLogging, nil)
	case x < 0.8:
		next(apiGetInvocationLogging, nil)
		test()
	default:
		test()
		next(apiGetInvocationLogging, nil)
	}
}
