// Package features derives model-ready fields from AWS CloudTrail events as
// Splunk presents them (sourcetype aws:cloudtrail, flattened JSON names).
//
// Raw CloudTrail fields are either too high-cardinality to model (userAgent,
// sourceIPAddress, eventTime) or only meaningful in combination (errorCode
// with responseElements.ConsoleLogin). A Deriver turns one event into a fixed
// list of low-cardinality categorical or 0/1 fields that `| awsrisk fit` and
// `| awsrisk apply` can one-hot or use directly, and that mirror the vocabulary
// Splunk Security Content detections already use (mltk-parity.md §7).
//
// # Inputs and Add-on aliases
//
// Every raw field is looked up by its CloudTrail name first and then by the
// Splunk Add-on for AWS alias (mltk-parity.md §8.2), so the same search works
// with or without the Add-on's field extractions:
//
//	eventTime            start_time            (then _time, epoch seconds)
//	eventName            signature, command
//	eventSource          dvc
//	eventType            app
//	sourceIPAddress      src_ip, src
//	userAgent            user_agent, userAgent{}, http_user_agent
//	userIdentity.type    user_type
//	userIdentity.arn     user_arn, then src_user / user when they hold an ARN
//	userIdentity.accountId user_group_id       (then the ARN's account)
//	errorCode            result_id             ("success" counts as no error)
//	errorMessage         reason
//	responseElements.ConsoleLogin, action / status ("failure")
//	additionalEventData.MFAUsed, userIdentity.sessionContext.attributes.mfaAuthenticated,
//	authentication_method (MFA / SFA)
//	recipientAccountId
//
// Deriver.Inputs lists exactly the fields Derive may read for its Set.
//
// # Derived fields
//
// Names are prefixed ct_ so they cannot collide with raw or Add-on fields.
// Set: C = Console (AwsConsoleSignIn use case), A = APICall (AwsApiCall use
// case); All is the union, in the order below.
//
//	field             set  values                                      fallback
//	ct_hour           C A  0..23, hour of event time in UTC             unknown
//	ct_weekday        C A  0..6, 0 = Sunday (strftime %w, as SC uses)   unknown
//	ct_hour_local     C A  0..23 in Options.Location                    unknown
//	ct_weekday_local  C A  0..6 in Options.Location                     unknown
//	ct_off_hours      C A  1 outside business hours/days, else 0        unknown
//	ct_event_class    C A  console_login, api_call, service_event, other
//	ct_ip_class       C A  aws_service, aws_internal, private, public_ipv4, ipv6  unknown
//	ct_ua_family      C A  console, aws-cli, boto3, aws-sdk-{go,java,js,dotnet,ruby,php,rust},
//	                       terraform, cloudformation, browser, aws-service   unknown-tool
//	ct_failure        C A  1 if errorCode (≠ success), ConsoleLogin=Failure or action=failure
//	ct_error_class      A  none, auth_failure, access_denied, throttling, not_found, invalid, other
//	ct_mfa            C A  1 MFA used / session MFA-authenticated, 0 explicitly not   unknown
//	ct_root           C A  1 if userIdentity.type=Root or ARN ends ":root"   unknown
//	ct_assumed_role     A  1 if type AssumedRole or ARN has ":assumed-role/"  unknown
//	ct_cross_account    A  1 if caller account ≠ recipientAccountId            unknown
//	ct_api_verb         A  leading verb of eventName (Get, List, Describe, Create, Delete,
//	                       Put, Update, Attach, Detach, Assume, Run, Start, Stop, Modify,
//	                       Authorize, Revoke, Terminate, Console, Add, Remove, Set, Enable,
//	                       Disable, Deactivate, Tag, Untag, Lookup, Decrypt, Encrypt,
//	                       Generate, Replace, Invoke) or Other              unknown
//	ct_service          A  eventSource without ".amazonaws.com"            unknown
//	ct_tactic           A  ATT&CK tactic of a sensitive API (Tactic)       none
//	ct_sensitive        A  0 none, 1 low, 2 medium, 3 high (Tactic)        0
//
// "unknown" always means the input was absent or unparsable, never a guess.
// Time comes from eventTime (RFC 3339, or zoneless and then read as UTC) and
// falls back to _time only when eventTime is missing or malformed; epoch
// values outside 1990..2200 are rejected so milliseconds are not misread.
//
// The sensitive-API table (about 80 eventNames, see Tactic) follows the Security
// Content AWS detections: logging and guard-rail deletion is defense-evasion,
// new users/keys/login profiles persistence, policy attachment and trust-policy
// edits privilege-escalation, enumeration discovery, secret reads
// credential-access, bucket/snapshot sharing and GetObject exfiltration,
// RunInstances/Terminate/Delete* impact, sign-in initial-access and AssumeRole
// lateral-movement.
//
// Derive allocates nothing beyond growing dst and is safe for concurrent use.
package features
