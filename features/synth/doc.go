// Package synth generates a deterministic month of CloudTrail from a small
// world of AWS accounts, with labelled attack scenarios injected. It is the
// project's own test and demo data: realistic enough that the features package
// and the models see the shapes real trails have, labelled so detection
// quality can be measured, and honest: no single context field (user agent,
// its family, address class, region, hour) gives the label away.
//
// # The world
//
// Config.Variant picks the world. VariantStandard has three organisations
// (accounts; the first is Config.Account, the others derive from it): "prod"
// (mostly EST, us-east-1, aws-cli and boto3, Terraform, 60% of the volume),
// "data" (GMT/IST, eu-west-1, boto3 and Java, CloudFormation, Identity Center,
// an ML team with GPU instances) and "sandbox" (PST, us-west-2, Go/JS SDKs and
// in-house tools). VariantShifted has other organisations (ap-south-1 retail
// on JS/Go SDKs, eu-central-1 payments on Java, a research account on boto3),
// another attack mix and attackers working office hours less often: evaluate
// on a seed and a variant no test or shipped model uses.
//
// In each organisation:
//
//   - IAM users (Config.Users, split by volume): ~35% console-only staff,
//     ~45% engineers, ~12% admins, one or two service users with a long-lived
//     key on a cloud host. Each person has a site (EST, PST, GMT, IST as fixed
//     offsets), home IPs from that site's ISPs (office IPs at headquarters,
//     some IPv6), possibly a VPN with rotating egress, working hours, a browser
//     and a tool agent drawn from the organisation's tool mix, home region(s)
//     and MFA habits. Engineers work through their key, an Identity Center
//     session (AWSReservedSSO_…/<e-mail>) or a role session named
//     botocore-session-<epoch>. About one in ten people join mid-month; an
//     admin creates their user, password, group and key that day.
//   - Roles: the deploy role (Terraform from GitHub Actions via
//     AssumeRoleWithWebIdentity from a fresh runner address each run, or
//     CloudFormation invoked by cloudformation.amazonaws.com); a quarter of its
//     runs create or destroy preview environments (CreateRole, DeleteRole,
//     policies, security groups, ScheduleKeyDeletion, bucket deletes) and new
//     roles are assumed by a service minutes later; Lambda roles from
//     ever-changing AWS addresses; EC2 instance profiles (i-… sessions) whose
//     credentials EC2 refreshes hourly.
//   - A security scanner (prowler-security-audit or ScoutSuiteAudit, session
//     <tool>-<epoch>) sweeping List/Describe/Get* across services in all 17
//     regions every night at several calls a second, with AccessDenied,
//     not-found and throttling errors as real scanners get.
//   - AWS services: Config, Trusted Advisor, Auto Scaling and GuardDuty
//     service-linked roles (invokedBy), and AwsServiceEvent records (KMS and
//     Secrets Manager rotation) without caller, address or agent.
//   - Benign errors: people mostly not-found and validation, sometimes
//     throttling, rarely AccessDenied; machines mostly throttling.
//   - Root: a monthly billing sign-in from the office and, now and then, a
//     break-glass sign-in with MFA at any hour that edits a bucket or trust
//     policy.
//   - About 0.4% of records of every kind lack userAgent.
//
// Amazon Bedrock is routine in the standard world's "data" organisation and
// the shifted world's research account (bedrock.go), so that eventSource
// bedrock.amazonaws.com does not mean llmjacking:
//
//   - an application role invoking models through the day (InvokeModel,
//     InvokeModelWithResponseStream, Converse, ConverseStream; ~3% of the
//     organisation's weekday volume, half at weekends, two thirds in
//     business hours) with an SDK agent from AWS addresses: in "data" an ECS
//     task role (genai-chat-task-role, session = the task id, new after a
//     deploy, behind two NAT addresses, exec-env/AWS_ECS_FARGATE agents), in
//     research a Lambda role (paper-summarizer) from ever-changing AWS
//     addresses; 2.5% throttled, 0.5% too-long-input validation errors;
//   - one or two ML engineers who, on half their working days, try models
//     in the console playground (sign-in, browser agent) or with their usual
//     tool and credential (key, Identity Center, botocore DataScientist
//     session) from their usual addresses: ListFoundationModels,
//     GetFoundationModel, GetFoundationModelAvailability, then 3–22
//     invocations of one model; 4% of invocations fail (validation,
//     throttling, now and then AccessDenied for a model not enabled);
//   - a platform admin (an engineer with console access where the account
//     has no admin) who, on a working day among the first four, sets up
//     model invocation logging in the console (ListFoundationModels,
//     PutModelInvocationLoggingConfiguration to an S3 bucket, then
//     GetModelInvocationLoggingConfiguration to check it); the next working
//     day sends 1–3 playground test calls and reads the configuration again;
//     and on a quarter of the later weekdays reads it, in 60% of those
//     sessions with test calls before or after: the benign twin of
//     llmjacking's logging check.
//
// Model IDs overlap the llmjacking scenario's. Bedrock use has its own PCG
// stream and leaves the attackers' agent draws as they were.
//
// Config.EventsPerDay is the world's benign volume on a weekday (±10%;
// weekends 45%), before the Bedrock use above. Attacks come on top. The
// organisations, the benign traffic, the Bedrock use and the attacks use
// separate PCG streams seeded from Config.Seed, so the same Config yields
// byte-identical output and Attacks=false yields exactly the benign events of
// Attacks=true.
//
// # Attackers look like everyone else
//
// An attacker's address is a fresh public one from the same pools as benign
// people's away-from-home addresses (residential ISPs, VPN egress, cloud and
// hosting); its tool is the agent of a random benign call of the victim
// organisation whose agent the caller chose (so aws-cli, boto3, the SDKs, now
// and then Terraform or an in-house tool, in the organisation's own
// proportions), switching tools on half its calls; console attackers use the
// same browsers and the console's own agents. Attacks start in the victim's
// working hours 60% of the time (45% in the shifted world) and avoid
// weekends half the time. Stolen credentials are user keys, Identity Center
// sessions, botocore role sessions or instance-role sessions, as the victim
// uses them. leak_test.go checks, per column, how well the column alone
// separates attack from benign events on held-out days.
//
// # Labels
//
// Event.Scenario and Event.Risk are the ground truth; WriteCSV writes them as
// the columns risk_score and scenario (LabelColumns). They are labels, never
// features: fit on them as the target, evaluate against them, and drop them
// before scoring real data.
//
// # Records
//
// Event.Fields uses Splunk's flattened names for sourcetype aws:cloudtrail
// (userIdentity.arn, userIdentity.sessionContext.attributes.mfaAuthenticated,
// responseElements.ConsoleLogin, additionalEventData.MFAUsed,
// requestParameters.*, with "{}" marking arrays as Splunk does) plus _time
// (epoch seconds). ConsoleLogin is eventType AwsConsoleSignIn from
// signin.amazonaws.com; failed sign-ins carry errorMessage "Failed
// authentication" and ConsoleLogin=Failure but no errorCode and no ARN, as in
// CloudTrail; everything else is AwsApiCall. WriteJSON nests the fields back
// into a CloudTrail log file ({"Records":[...]}); WriteCSV writes a column
// list plus the labels risk_score and scenario.
//
// # Attack scenarios
//
// Each scenario is a short burst on a random day in an organisation drawn by
// volume; instances per 30 days in brackets as standard/shifted (at least one
// each when Attacks is set).
//
//	odd_ip_login [4/2]        console sign-in of an MFA user from a new address, then console reads
//	brute_force [3/1]         25–60 failed sign-ins for one user from one IP in minutes; half end in a
//	                          successful no-MFA sign-in (against a user without MFA) and a few calls
//	password_spray [2/3]      one IP, 1–2 failures across 15–30 users (a quarter nonexistent:
//	                          HIDDEN_DUE_TO_SECURITY_REASONS) over an hour
//	no_mfa_login [3/2]        successful sign-in without MFA by a user who always uses MFA, then reads
//	root_usage [2/1]          root sign-in from a new address (mostly no MFA), discovery, root
//	                          CreateAccessKey, weaker password policy
//	priv_esc_chain [3/4]      stolen credential: recon, AccessDenied on several sensitive IAM calls,
//	                          then CreateUser + AdministratorAccess + key + login profile; or a role
//	                          chain, a trust policy opened to an external account, CreatePolicyVersion
//	                          Action "*", and the external account assuming the role
//	recon_burst [3/2]         40–90 List/Describe/Get across services in minutes, 30–50% denied
//	crypto_mining [2/3]       DescribeRegions, key pair, open security group and GPU RunInstances in
//	                          3–5 rarely used regions (some vCPU-limit failures)
//	exfiltration [3/2]        public bucket policy, EBS/AMI/RDS snapshot sharing, a public-read ACL or
//	                          replication to a foreign account; then 80–250 GetObject in minutes
//	defense_evasion [2/3]     DeleteDetector, DeleteFlowLogs, PutEventSelectors, StopLogging, DeleteTrail
//	credential_access [3/4]   ListSecrets, GetSecretValue (some denied), BatchGetSecretValue,
//	                          GetParameters WithDecryption, GetPasswordData
//	persistence [3/2]         CreateAccessKey and UpdateLoginProfile/CreateLoginProfile on another,
//	                          existing user; a deploy role's trust policy opened to an external account
//	impact [1/2]              DisableKey + ScheduleKeyDeletion, DeleteObjects bursts, a lifecycle
//	                          rule, LeaveOrganization
//	instance_cred_theft [2/3] an EC2 instance role's i-… session used from a public address: recon
//	                          (40% denied) and GetObject
//	instance_connect [2/1]    user data read, SendSSHPublicKey, serial console enabled and
//	                          SendSerialConsoleSSHPublicKey, user data modified
//	llmjacking [2/4]          Bedrock logging config, model availability, PutUseCaseForModelAccess,
//	                          10–70 InvokeModel / InvokeModelWithResponseStream
//	role_backdoor [2/2]       a role trusting an external account created and given
//	                          AdministratorAccess, assumed from outside minutes later
//
// # Risk rubric
//
// Labels follow Splunk Security Content: risk = confidence × impact / 100,
// 0–100. Attack events get their step's value exactly:
//
//	scenario         step                                             conf × impact = risk
//	odd_ip_login     sign-in                                            60 × 70  = 42
//	                 follow-up console calls                            50 × 50  = 25
//	brute_force      failed sign-in                                     70 × 50  = 35
//	                 successful sign-in after failures                  90 × 80  = 72
//	                 follow-up calls                                    60 × 60  = 36
//	password_spray   failed sign-in                                     60 × 90  = 54
//	no_mfa_login     sign-in without MFA                                80 × 80  = 64
//	                 follow-up calls                                    60 × 60  = 36
//	root_usage       root sign-in                                       90 × 80  = 72
//	                 root API calls                                     90 × 70  = 63
//	                 root CreateAccessKey                               90 × 90  = 81
//	priv_esc_chain   discovery (GetCallerIdentity, List*)               60 × 40  = 24
//	                 CreateUser / CreatePolicyVersion                   70 × 70  = 49
//	                 AttachUserPolicy AdministratorAccess               90 × 90  = 81
//	                 CreateAccessKey for the backdoor                   90 × 70  = 63
//	                 CreateLoginProfile                                 80 × 90  = 72
//	                 AssumeRole (chain)                                 60 × 70  = 42
//	                 UpdateAssumeRolePolicy, external AssumeRole        80 × 80  = 64
//	recon_burst      successful enumeration                             60 × 30  = 18
//	                 denied enumeration                                 70 × 40  = 28
//	crypto_mining    DescribeRegions / DescribeImages                   50 × 50  = 25
//	                 CreateKeyPair, security group opening              70 × 60  = 42
//	                 GPU RunInstances                                   80 × 80  = 64
//	                 GPU RunInstances failing on vCPU limit             80 × 60  = 48
//	exfiltration     ListBuckets, GetBucketPolicy, Describe*Snapshots   50 × 40  = 20
//	                 PutBucketPolicy public, snapshot sharing           80 × 100 = 80
//	                 PutBucketReplication to a foreign account          80 × 100 = 80
//	                 ModifyImageAttribute sharing an AMI                80 × 90  = 72
//	                 PutBucketVersioning (replication prerequisite)     60 × 50  = 30
//	                 DeletePublicAccessBlock, PutBucketAcl              80 × 90  = 72
//	                 GetObject burst                                    80 × 80  = 64
//	defense_evasion  DescribeTrails, GetTrailStatus, List/Describe      50 × 40  = 20
//	                 DeleteDetector, DeleteFlowLogs                     90 × 80  = 72
//	                 PutEventSelectors                                  80 × 80  = 64
//	                 StopLogging, DeleteTrail                          100 × 90  = 90
//	priv_esc_chain   denied sensitive IAM call (probing)                70 × 60  = 42
//	credential_access GetCallerIdentity, DescribeInstances              60 × 30  = 18
//	                 ListSecrets, DescribeParameters                    60 × 50  = 30
//	                 GetSecretValue, GetParameters, GetPasswordData     80 × 80  = 64
//	                 BatchGetSecretValue                                80 × 90  = 72
//	persistence      ListUsers / ListAccessKeys                    50–60 × 40  = 20–24
//	                 CreateAccessKey for another user                   90 × 80  = 72
//	                 UpdateLoginProfile for another user                90 × 80  = 72
//	                 CreateLoginProfile, UpdateAssumeRolePolicy         80 × 80  = 64
//	impact           ListKeys, ListBuckets, DescribeOrganization        50 × 40  = 20
//	                 DisableKey                                         80 × 90  = 72
//	                 ScheduleKeyDeletion                                90 × 100 = 90
//	                 DeleteObjects                                      80 × 90  = 72
//	                 PutBucketLifecycle                                 70 × 80  = 56
//	                 LeaveOrganization                                 100 × 100 = 100
//	instance_cred_theft every call from outside                         70 × 60  = 42
//	                 GetObject                                          80 × 70  = 56
//	instance_connect DescribeInstances                                  60 × 30  = 18
//	                 DescribeInstanceAttribute userData                 70 × 60  = 42
//	                 SendSSHPublicKey                                   80 × 70  = 56
//	                 EnableSerialConsoleAccess                          80 × 80  = 64
//	                 SendSerialConsoleSSHPublicKey, ModifyInstanceAttribute 90 × 80 = 72
//	llmjacking       ListFoundationModels                               50 × 40  = 20
//	                 logging config, model availability, denied invoke  70 × 60  = 42
//	                 PutUseCaseForModelAccess                           80 × 70  = 56
//	                 InvokeModel*                                       80 × 70  = 56
//	role_backdoor    ListRoles                                          50 × 40  = 20
//	                 CreateRole trusting an external account            80 × 80  = 64
//	                 AttachRolePolicy AdministratorAccess               90 × 90  = 81
//	                 external AssumeRole                                80 × 80  = 64
//
// Benign events get a low risk from the same signals the features expose,
// plus uniform noise in [-1.5, +1.5], clamped to [0, 100] and rounded to 0.1:
//
//	base by features.Tactic severity   none 2, low 5, medium 10, high 18
//	failed call or sign-in             +6
//	outside the person's working hours +3
//	root principal                     +8
//	successful sign-in without MFA     +4
//
// so benign events stay below about 35 while attacks range from 18 (quiet
// enumeration, deliberately overlapping benign admin work) to 90.
//
// Benign Bedrock calls follow the same rubric: their APIs have no table
// severity (base 2), so the platform admin's logging check and test call
// score like any other console work, far below llmjacking's 42–56.
//
// # CLI
//
// Main implements `awsrisk generate`; see its flags with -h (--variant picks the world).
package synth
