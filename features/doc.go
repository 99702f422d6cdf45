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
//	userIdentity.userName  user_name, additionalEventData.UserName, then user when not an ARN
//	userIdentity.accessKeyId access_key_id
//	userIdentity.principalId, userIdentity.invokedBy,
//	userIdentity.sessionContext.sessionIssuer.arn / .userName   (no Add-on alias)
//	errorCode            result_id             ("success" counts as no error)
//	errorMessage         reason
//	responseElements.ConsoleLogin, action / status ("failure")
//	responseElements.CheckMfa, serviceEventDetails.CredentialVerification (failed MFA / Identity Center sign-in)
//	readOnly             (CloudTrail's own read-only flag)
//	requestParameters.* of the refined APIs (RefineAPI, RequestInputs; read only for those APIs)
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
//	ct_error_class      A  none, auth_failure, access_denied, throttling, not_found, invalid,
//	                       conflict, other (ErrorClass; see below)
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
//	ct_tactic           A  ATT&CK tactic of a sensitive API (ThreatCategory)  none
//	ct_sensitive        A  0 none, 1 low, 2 medium, 3 high (ThreatCategory)   0
//	ct_api_impact       A  0..100 prior impact of the API (LookupAPI)      5 (floor)
//	ct_api_tactic       A  ATT&CK tactic of the prior                      none (floor)
//	ct_api_technique    A  ATT&CK technique ID (T1562.008)                 none (floor)
//	ct_api_reason       A  short phrase for risk_reasons                   (floor phrase)
//	ct_api_prior_source A  exact, service-verb, verb, floor
//	ct_denied           A  1 if ct_error_class is access_denied, else 0
//	ct_principal      C A  normalised principal (NormalizeIdentity)        unknown
//	ct_principal_kind C A  root, iam_user, assumed_role, federated, sso, aws_service,
//	                       aws_account                                     unknown
//	ct_role             A  role name of an assumed-role or SSO session     none
//	ct_session          A  role session name                               none
//	ct_access_key       A  userIdentity.accessKeyId                        unknown
//	ct_account        C A  caller account (accountId, ARN, issuer ARN, recipientAccountId) unknown
//	ct_risk_object    C A  = ct_principal, for Enterprise Security risk    unknown
//	ct_risk_object_type C A user, system (rule below)                      other
//	ct_iac              A  1 if role, session or user name is an IaC/CI tool, or CloudFormation invoked
//	                       the call (not the user agent: a stolen key claims any agent it likes)
//	ct_readonly         A  1 read-only call (readOnly field, else Get/List/Describe/Head/...) unknown
//	ct_denied_impact    A  ct_api_impact when ct_denied=1, else 0 (numeric; see below)      0
//	ct_api_impact_high  A  max(0, ct_api_impact − 75), 0..25 (numeric; see below)          0
//
// "unknown" always means the input was absent or unparsable, never a guess.
// Time comes from eventTime (RFC 3339, or zoneless and then read as UTC) and
// falls back to _time only when eventTime is missing or malformed; epoch
// values outside 1990..2200 are rejected so milliseconds are not misread.
//
// # API risk prior
//
// apiprior.csv (embedded) gives every security-relevant AWS API an impact (0-100), ATT&CK tactic
// and technique and a plain-words reason; its header names the sources (AWS API references and
// CloudTrail docs, Splunk Security Content, Sigma and Panther rule titles, ATT&CK). LookupAPI
// folds case, strips Lambda/CloudFront version suffixes (UpdateFunctionCode20150331v2) and, for a
// name not in the table, backs off (backoff.go): first by verb on a known kind of service
// (Delete/Disable/Stop on a logging or security service is defense-evasion at 70-75;
// Put/Attach/Update...Policy on an identity service privilege-escalation), then by verb and
// nouns alone (Create*Key, *Credential*, *LoginProfile, *Password -> persistence; Get*Password*,
// Get*Secret*, *Decrypt* -> credential-access; Modify*Attribute/Share on snapshots and images ->
// exfiltration; List/Describe/Get -> discovery at 10-25), and finally to a floor of 5, so no API
// scores 0 for being new. RefineAPI then reads the request parameters that change a call's
// meaning (request.go), for these APIs only:
//
//	ModifySnapshotAttribute, ModifyImageAttribute   add group=all 95/90 (public), add userId 85/80,
//	                                                remove only 25; an organisation share keeps the table
//	ModifyDB[Cluster]SnapshotAttribute              attributeName=restore: valuesToAdd all 95, an
//	                                                account id 85, valuesToRemove only 25
//	PutBucketVersioning                             Status Suspended 80 (T1490), Enabled 15
//	PutBucketPolicy                                 an Allow statement with Principal "*" / {"AWS":"*"} 90
//	PutBucketAcl, PutObjectAcl                      AllUsers or public-read[-write] 90, AuthenticatedUsers
//	                                                or authenticated-read 85, x-amz-acl private 25
//	Put{Bucket,Account}PublicAccessBlock            all four flags false 80, a mix 55, all true 10
//	AuthorizeSecurityGroupIngress                   0.0.0.0/0 or ::/0 on 22, 3389 or all ports 85, other 65
//	PutEventSelectors                               no management events 90, ReadOnly only 85, all
//	                                                management events 40
//	UpdateTrail                                     includeGlobalServiceEvents=false 80, isMultiRegionTrail=false 75
//	AddPermission (Lambda)                          principal "*" without sourceArn/sourceAccount/principalOrgID 85
//	Create/UpdateFunctionUrlConfig                  authType NONE 80, AWS_IAM 35
//	UpdateDetector (GuardDuty)                      enable=false 90, enable=true 15
//	ModifyDBInstance, ModifyDBCluster               publiclyAccessible=true 75
//	ModifyInstanceAttribute                         user data replaced 70
//	GetParameter*                                   withDecryption=true 60
//	DescribeInstanceAttribute                       attribute=userData 55
//
// Arrays flatten to "{}" names (items{}.group) in Splunk and in cmd/internal/cloudtrail alike,
// multivalues joined by "\n"; the S3 and policy bodies CloudTrail renders as a bare object when
// they hold one element are read under both spellings (Grant{}.Grantee.URI and
// Grant.Grantee.URI). Flattening loses which value belongs to which array element, so a policy is
// public when its "*" principals outnumber its Deny statements (the common "Deny * unless
// aws:SecureTransport" stays unrefined) and ingress ranges are paired with ports only when their
// counts match; conditions scoping an Allow "*" are not read. Only a request that positively
// shows the hardening shape lowers a prior; a missing field keeps the table's. The ct_api_* fields
// include this refinement. ct_tactic and ct_sensitive use ThreatCategory: the curated table below
// first, then the prior's tactic for impact >= 35 (sev 1 at 35, 2 at 55, 3 at 75).
//
// # Errors and identities
//
// ct_error_class: auth_failure is rejected credentials (InvalidClientTokenId,
// SignatureDoesNotMatch, EC2 AuthFailure, S3 InvalidAccessKeyId) and failed console sign-ins or
// MFA checks; access_denied is valid credentials without permission (AccessDenied*,
// *Unauthorized*, *NotAuthorized*, Forbidden, or a generic code whose message says "not
// authorized to perform"). ExpiredToken is "other": a session outliving its token is routine.
// Throttling, not_found, invalid and conflict (AlreadyExists, InUse, Duplicate) are benign noise.
//
// ct_principal is stable across sessions: the role name for assumed-role/R/s (so rotating
// session names do not split a role), the session name for IAM Identity Center roles
// (AWSReservedSSO_*: the session is the person), the user name for IAM users, root@<account>,
// the service principal (invokedBy) for AWS services, the account id for AWSAccount callers.
// ct_risk_object_type is "user" for root, IAM users, federated and SSO principals and for
// assumed roles used by people; "system" for AWS services, other accounts, service-linked roles,
// roles whose session is an instance id (i-...) or a hex task id, and IaC/CI roles or sessions.
//
// The sensitive-API table (about 80 eventNames, see Tactic) follows the Security
// Content AWS detections: logging and guard-rail deletion is defense-evasion,
// new users/keys/login profiles persistence, policy attachment and trust-policy
// edits privilege-escalation, enumeration discovery, secret reads
// credential-access, bucket/snapshot sharing and GetObject exfiltration,
// RunInstances/Terminate/Delete* impact, sign-in initial-access and AssumeRole
// lateral-movement.
//
// Derive allocates nothing beyond growing dst (except to spell root@<account>) and is safe for
// concurrent use.
package features
