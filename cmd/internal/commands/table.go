package commands

import (
	"strings"

	"awsrisk/app"
)

// subcommand is one `| awsrisk <name>`: the one place that says how its arguments parse, which
// handler answers getinfo, which command type that is, and what `awsrisk help` shows. SCP mode
// (factory), local mode (app.Local through the same factory) and help all read this table.
// Adding a subcommand is a row here, its handler file, and its test.
type subcommand struct {
	name  string
	usage string // the syntax, shown with every syntax error
	brief string // one line of `awsrisk help`
	help  string // the rest of `awsrisk help <name>`, "" for none
	// typ is the getinfo type of the reply (scp-v2.md §2.1); fit's map phase streams instead.
	typ string
	// parse reads the tokens after the name into c; nil means key=value parameters only.
	parse func(c *Command, rest []string) error
	// handler answers getinfo; nil for the local-only pipeline.
	handler func(e *env, c *Command, info *app.GetInfo) (app.Handler, *app.Reply, error)
}

// subcommands lists every subcommand, in the order help shows them.
var subcommands = []subcommand{
	{name: SubFit, typ: app.TypeReporting,
		usage: `awsrisk fit <algorithm> [<target> from] <field>... [by <field>] [into [app:]<model>] [as <output>] [<key>=<value>...]`,
		brief: "train a model:        fit LinearRegression <target> from <field>... into <model>",
		help: `Trains a model on the input events and returns one report row (rows, R², RMSE, holdout figures),
with or without "into": unlike MLTK, fit does not return the events with predictions (it is a
map-reduce command that never holds them); run apply on the same events for predicted(<target>).
Algorithms: LinearRegression (supervised: <target> from <field>...), CategoricalOutlier,
DensityFunction, SequenceModel (unsupervised: <field>... [by <field>]).
Fields may be quoted and comma-separated; LinearRegression's may use * ("userIdentity.*"),
expanded against the events' fields and recorded in the model.
Parameters:
  features=console|apicall|all   derive ct_* CloudTrail fields first; list them as features
  holdout=0.3 seed=42            LinearRegression: train on 70%, report R² and RMSE on the other 30%
  fit_intercept=true|false       LinearRegression
  sharing=private|app|global     who may use the model (default app); in Splunk, fit saves it
                                 through splunkd's REST API so it reaches every cluster member
Rows with a null target or feature are left out and counted. Every category is kept.
Example:
  awsrisk fit LinearRegression risk_score from eventName sourceIPAddress userAgent into m < events.csv
`,
		parse:   (*Command).parseFit,
		handler: (*env).newFit},
	{name: SubApply, typ: app.TypeStreaming,
		usage: `awsrisk apply <model> [as <output>] [<key>=<value>...]`,
		brief: "score events:         apply <model> [as <field>] [explain=N]",
		help: `Adds predicted(<target>), ai_risk_score (0-100), ai_threat_category and, with explain=N,
risk_reasons to every input row. Rows are never dropped.
Example:
  awsrisk apply awsrisk_apicall explain=3 < events.csv > scored.csv
`,
		parse:   func(c *Command, rest []string) error { return c.parseModelCommand(rest, true) },
		handler: (*env).newApply},
	{name: SubSummary, typ: app.TypeStateful,
		usage: `awsrisk summary <model>`,
		brief: "show a model:         summary <model>",
		help: `Shows a saved model: for LinearRegression MLTK's feature/coefficient rows with _intercept,
then statistic/value rows (n, R², RMSE, dropped rows, holdout, categories per field).
Example:
  awsrisk summary awsrisk_apicall
`,
		parse:   func(c *Command, rest []string) error { return c.parseModelCommand(rest, false) },
		handler: func(e *env, c *Command, _ *app.GetInfo) (app.Handler, *app.Reply, error) { return e.newSummary(c) }},
	{name: SubListModels, typ: app.TypeStateful,
		usage: `awsrisk listmodels`,
		brief: "list saved models",
		help: `Lists every model with MLTK's columns (name, type, options, owner, app, sharing) and more;
source says which file is in force: a trained model (private, then the app's) takes
precedence over the default shipped with the app ("trained, over shipped default").
Files that fail to load are listed with their error. Takes no arguments.
Example:
  awsrisk listmodels
`,
		handler: func(e *env, c *Command, _ *app.GetInfo) (app.Handler, *app.Reply, error) { return e.newListModels(c) }},
	{name: SubDeleteModel, typ: app.TypeStateful,
		usage: `awsrisk deletemodel <model>`,
		brief: "delete a model:       deletemodel <model>",
		help: `Deletes a trained model (in Splunk through splunkd's REST API, so the deletion replicates).
A default shipped with the app cannot be deleted; deleting a trained model that overrides one
puts the default back in force.
Example:
  awsrisk deletemodel my_model
`,
		parse:   func(c *Command, rest []string) error { return c.parseModelCommand(rest, false) },
		handler: (*env).newDeleteModel},
	{name: SubFeatures, typ: app.TypeStreaming,
		usage: `awsrisk features [console|apicall|all] [<key>=<value>...]`,
		brief: "add derived CloudTrail fields: features [console|apicall|all]",
		help: `Adds the derived ct_* CloudTrail fields (hour, business hours, API prior, identity) to every
event, as fit and apply derive them with features=<set>. Parameters: tz=, business_hours=.
Example:
  awsrisk features all < events.csv
`,
		parse:   (*Command).parseFeatures,
		handler: func(e *env, c *Command, _ *app.GetInfo) (app.Handler, *app.Reply, error) { return e.newFeatures(c) }},
	{name: SubScore, typ: app.TypeStreaming,
		usage: `awsrisk score <model>... [explain=<N>] [rba=true|false] [rba_floor=<0-100>] [cim=true|false] [feedback=<lookup>]`,
		brief: "several models combined: score <model>... [explain=N]",
		help: `Applies several models in one pass and combines them: ai_risk_score = 100·(1 − Π(1 − s_i/100)),
ai_threat_category, risk_reasons (explain=N), per-model ai_score_<model>.
  rba=true (default)   ct_risk_object / ct_risk_object_type (the normalised principal: a role or
                       user name, never a session ARN) on every event, and the Enterprise Security
                       fields risk_object, risk_object_type, risk_score, risk_message, threat_object
                       (the source IP) and threat_object_type only on events scoring >= rba_floor
  rba_floor=60         the awsrisk_risk_floor macro; 0 puts risk fields on every event
  cim=true (default)   CIM names user, src, user_agent, signature, vendor_account, vendor_region,
                       action, dest, unless the event already has them (the Add-on's win)
  feedback=awsrisk_feedback
                       analysts' benign verdicts (lookups/<name>.csv) discount later scores x 0.3,
                       with the reason first in risk_reasons; read once per search
Supervised models apply only to their kind of event (sign-ins to a console model, everything
else to an API-call model).
Example:
  awsrisk score awsrisk_console awsrisk_apicall explain=3 feedback=awsrisk_feedback < events.csv
`,
		parse:   (*Command).parseScore,
		handler: (*env).newScore},
	{name: SubIncidents, typ: app.TypeReporting,
		usage: `awsrisk incidents [gap=60m] [window=24h] [threshold=<0-100>] [mode=incidents|events] [lift=true|false] [feedback=<lookup>] [history=<model>]`,
		brief: "group scored events:  incidents [threshold=N] [mode=incidents|events]",
		help: `Groups scored events (the output of score or pipeline) per principal (risk_object) and
session: an incident stays open while the principal's calls come less than gap apart and its
span stays within window. One row per incident: incident_id, risk_object, risk_object_type,
first_time, last_time, event_count, incident_score (0-100: the strongest distinct evidence
combined, plus denied bursts, reconnaissance then a sensitive write and known escalation
chains), ai_threat_category, stages, techniques, denied_count, sensitive_count, src,
top_reasons, event_ids and a plain-words narrative.
Parameters:
  gap=60m window=24h         session gap and longest incident (s, m, h or d)
  threshold=N (min_score=N)  only incidents scoring at least N
  mode=events                every event back with incident_id, incident_score and the
                             incident's highest-impact stage as ai_threat_category
  lift=false                 (mode=events) keep every event's own ai_risk_score; by default
                             an event scoring >= 20 on its own takes its incident's score,
                             its own kept in ai_event_risk_score
  feedback=awsrisk_feedback  apply the analysts' verdicts in lookups/<name>.csv
  history=awsrisk_incident_history
                             start habits and peer routine from the IncidentHistory model of
                             earlier days (fit IncidentHistory ct_risk_object into <name>);
                             a model not trained yet is a warning, not an error
Example (scored.csv from the score or pipeline subcommand):
  awsrisk incidents threshold=80 < scored.csv > incidents.csv
`,
		handler: (*env).newIncidents},
	{name: SubFeedback, typ: app.TypeStateful,
		usage: `awsrisk feedback verdict=benign|malicious scope=event|incident|principal key=<id> [behaviour=<eventName|tactic|*>] [note="..."] [analyst=<name>] [lookup=awsrisk_feedback]`,
		brief: "record a verdict:     feedback verdict=benign scope=principal key=<risk_object> note=\"...\"",
		help: `Appends one analyst verdict to lookups/awsrisk_feedback.csv (atomically: a temporary file,
then a rename) and returns it. key is an eventID (scope=event), an incident_id (scope=incident)
or a risk_object (scope=principal); behaviour narrows it to one eventName or ATT&CK tactic.
Benign verdicts discount later scores (score ... feedback=awsrisk_feedback, incidents
feedback=awsrisk_feedback): score x 0.3 with the reason "discounted: analyst marked benign".
Malicious verdicts become training labels: see labels. analyst defaults to the Splunk user.
Example:
  | awsrisk feedback verdict=benign scope=principal key=ci-deployer behaviour=* note="nightly terraform"
`,
		handler: (*env).newFeedback},
	{name: SubLabels, typ: app.TypeReporting,
		usage: `awsrisk labels [feedback=<lookup>] [keep=labelled|all]`,
		brief: "training labels:      labels [keep=all] (analyst verdicts as risk_score)",
		help: `Joins events with the analysts' verdicts and sets the supervised training label risk_score
(malicious 90, benign 0), label_verdict and label_source ("<scope>:<key> by <analyst>").
keep=labelled (default) returns only events a verdict applies to; keep=all returns every event,
so a training search can follow with its rule-based label macro (coalesce keeps the analyst's).
Example:
  awsrisk --models lookups labels < scored.csv > labels.csv
`,
		handler: (*env).newLabels},
	{name: SubPipeline,
		usage: `awsrisk pipeline [--history FILE]... [--supervised m1,m2] [--baselines m1,m2] [--batch 24h] < events > scored.csv`,
		brief: "the whole risk pipeline locally, prequential: pipeline [--history FILE]... < events > scored.csv",
		help: `Local only. Scores every input event with the supervised models and the per-principal
baselines, prequentially: the events are taken in _time order (derived from eventTime when
absent) in batches of --batch (default 24h, UTC days); each batch is scored against the
baselines learned from --history and the earlier batches only, then learned. Output keeps the
input order. Progress goes to stderr (--quiet before the subcommand silences it). No input field
is overwritten: if the events already have a field the pipeline writes (a labelled risk_score),
it is kept and the pipeline's value goes to awsrisk_<field>. Flags: --history FILE
(repeatable), --supervised m1,m2 ('' for none), --baselines m1,m2, --batch D (0 = fit on the
history, default the input, up front: for comparison only), --explain N.
`},
}

// lookup returns the subcommand called name (case-insensitive).
func lookup(name string) (*subcommand, bool) {
	for i := range subcommands {
		if strings.EqualFold(subcommands[i].name, name) {
			return &subcommands[i], true
		}
	}
	return nil, false
}

// names lists the subcommands that SCP mode answers, for error messages.
func names() string {
	var b []string
	for _, s := range subcommands {
		if s.handler != nil {
			b = append(b, s.name)
		}
	}
	return strings.Join(b, "|")
}
