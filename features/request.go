package features

import "strings"

// Request-aware refinement of the API prior. Many security-relevant calls mean very different
// things depending on their request parameters (sharing a snapshot with everyone versus removing
// a share, suspending versus enabling versioning), and every public rule set (Security Content,
// Sigma, Panther) keys on them. Each refiner below names the flattened requestParameters fields
// it reads and returns the refined prior, or ok=false to keep the table's.
//
// Field shapes: Splunk (aws:cloudtrail, KV_MODE=json / spath) and cmd/internal/cloudtrail both
// flatten objects with '.' and arrays with "{}" (items{}.group), joining multivalues with "\n".
// CloudTrail renders several XML request bodies (S3 ACL grants, policy statements, principal
// lists) as an array when there are several elements and as a bare object when there is one, so
// those fields are read under both spellings. An absent field never lowers a prior: only a
// request that positively shows the hardening shape does.

// Request fields, every spelling a refiner may read (Deriver.Inputs lists them all).
const rp = "requestParameters."

var (
	// EC2 snapshot and image sharing (ModifySnapshotAttribute, ModifyImageAttribute).
	inSnapAddGroup  = []string{rp + "createVolumePermission.add.items{}.group", rp + "createVolumePermission.add.items.group"}
	inSnapAddUser   = []string{rp + "createVolumePermission.add.items{}.userId", rp + "createVolumePermission.add.items.userId"}
	inSnapRemove    = []string{rp + "createVolumePermission.remove.items{}.group", rp + "createVolumePermission.remove.items{}.userId"}
	inImageAddGroup = []string{rp + "launchPermission.add.items{}.group", rp + "launchPermission.add.items.group"}
	inImageAddUser  = []string{rp + "launchPermission.add.items{}.userId", rp + "launchPermission.add.items.userId"}
	inImageAddOrg   = []string{rp + "launchPermission.add.items{}.organizationArn", rp + "launchPermission.add.items{}.organizationalUnitArn"}
	inImageRemove   = []string{rp + "launchPermission.remove.items{}.group", rp + "launchPermission.remove.items{}.userId"}

	// RDS snapshot sharing (ModifyDBSnapshotAttribute, ModifyDBClusterSnapshotAttribute).
	inAttributeName  = []string{rp + "attributeName"}
	inValuesToAdd    = []string{rp + "valuesToAdd{}", rp + "valuesToAdd"}
	inValuesToRemove = []string{rp + "valuesToRemove{}", rp + "valuesToRemove"}

	// S3.
	inVersioningStatus = []string{rp + "VersioningConfiguration.Status"}
	inPolicyEffect     = []string{rp + "bucketPolicy.Statement{}.Effect", rp + "bucketPolicy.Statement.Effect"}
	inPolicyPrincipal  = []string{
		rp + "bucketPolicy.Statement{}.Principal", rp + "bucketPolicy.Statement.Principal",
		rp + "bucketPolicy.Statement{}.Principal.AWS", rp + "bucketPolicy.Statement.Principal.AWS",
		rp + "bucketPolicy.Statement{}.Principal.AWS{}", rp + "bucketPolicy.Statement.Principal.AWS{}",
	}
	inACLGrantee = []string{
		rp + "AccessControlPolicy.AccessControlList.Grant{}.Grantee.URI",
		rp + "AccessControlPolicy.AccessControlList.Grant.Grantee.URI",
	}
	inCannedACL   = []string{rp + "x-amz-acl", rp + "x-amz-acl{}"}
	inGrantHeader = []string{
		rp + "x-amz-grant-read", rp + "x-amz-grant-read{}", rp + "x-amz-grant-write", rp + "x-amz-grant-write{}",
		rp + "x-amz-grant-read-acp", rp + "x-amz-grant-read-acp{}", rp + "x-amz-grant-write-acp", rp + "x-amz-grant-write-acp{}",
		rp + "x-amz-grant-full-control", rp + "x-amz-grant-full-control{}",
	}
	inPABFlags = [4][]string{
		{rp + "PublicAccessBlockConfiguration.BlockPublicAcls"},
		{rp + "PublicAccessBlockConfiguration.IgnorePublicAcls"},
		{rp + "PublicAccessBlockConfiguration.BlockPublicPolicy"},
		{rp + "PublicAccessBlockConfiguration.RestrictPublicBuckets"},
	}

	// EC2 security group ingress: the nested IpPermissions form and the flat CidrIp form.
	inSGCidr     = []string{rp + "ipPermissions.items{}.ipRanges.items{}.cidrIp", rp + "ipPermissions.items.ipRanges.items.cidrIp", rp + "cidrIp"}
	inSGCidr6    = []string{rp + "ipPermissions.items{}.ipv6Ranges.items{}.cidrIpv6", rp + "ipPermissions.items.ipv6Ranges.items.cidrIpv6"}
	inSGProtocol = []string{rp + "ipPermissions.items{}.ipProtocol", rp + "ipPermissions.items.ipProtocol", rp + "ipProtocol"}
	inSGFromPort = []string{rp + "ipPermissions.items{}.fromPort", rp + "ipPermissions.items.fromPort", rp + "fromPort"}
	inSGToPort   = []string{rp + "ipPermissions.items{}.toPort", rp + "ipPermissions.items.toPort", rp + "toPort"}

	// CloudTrail.
	inSelMgmt      = []string{rp + "eventSelectors{}.includeManagementEvents", rp + "eventSelectors.includeManagementEvents"}
	inSelRW        = []string{rp + "eventSelectors{}.readWriteType", rp + "eventSelectors.readWriteType"}
	inAdvSelField  = []string{rp + "advancedEventSelectors{}.fieldSelectors{}.field"}
	inAdvSelEquals = []string{rp + "advancedEventSelectors{}.fieldSelectors{}.equals{}"}
	inGlobalEvents = []string{rp + "includeGlobalServiceEvents"}
	inMultiRegion  = []string{rp + "isMultiRegionTrail"}

	// Lambda, GuardDuty, RDS instance, EC2 instance user data.
	inLambdaPrincipal = []string{rp + "principal"}
	inLambdaScope     = []string{rp + "sourceArn", rp + "sourceAccount", rp + "principalOrgID"}
	inURLAuthType     = []string{rp + "authType"}
	inDetectorEnable  = []string{rp + "enable"}
	inPubliclyAccess  = []string{rp + "publiclyAccessible"}
	inUserDataValue   = []string{rp + "userData", rp + "userData.value"}

	// IAM account password policy (UpdateAccountPasswordPolicy).
	inPwdMinLength = []string{rp + "minimumPasswordLength"}
	inPwdRequire   = []string{rp + "requireSymbols", rp + "requireNumbers", rp + "requireUppercaseCharacters",
		rp + "requireLowercaseCharacters"}

	// IAM policies and credentials. Policy documents are JSON strings (request_policy.go).
	inPolicyArn        = []string{rp + "policyArn"}
	inPolicyDocument   = []string{rp + "policyDocument"}
	inTrustDocument    = []string{rp + "assumeRolePolicyDocument"}
	inSetAsDefault     = []string{rp + "setAsDefault"}
	inTargetUser       = []string{rp + "userName"}
	inCallerARN        = []string{"userIdentity.arn", "user_arn"}
	inCallerName       = []string{"userIdentity.userName"}
	inCallerAccount    = []string{"userIdentity.accountId", "recipientAccountId"}
	inKMSPolicy        = []string{rp + "policy"}
	inECRPolicy        = []string{rp + "policyText"}
	inSecretPolicy     = []string{rp + "resourcePolicy"}
	inQueuePolicy      = []string{rp + "attributes.Policy"}
	inTopicAttribute   = []string{rp + "attributeName"}
	inTopicValue       = []string{rp + "attributeValue"}
	inLoggingXMLNS     = []string{rp + "BucketLoggingStatus.xmlns"}
	inLoggingTarget    = []string{rp + "BucketLoggingStatus.LoggingEnabled.TargetBucket"}
	inLifecycleExpDays = []string{
		rp + "LifecycleConfiguration.Rule{}.Expiration.Days", rp + "LifecycleConfiguration.Rule.Expiration.Days",
		rp + "LifecycleConfiguration.Rule{}.NoncurrentVersionExpiration.NoncurrentDays",
		rp + "LifecycleConfiguration.Rule.NoncurrentVersionExpiration.NoncurrentDays",
	}

	// EC2 network ACL entries; RDS deletion protection and master password.
	inACLRuleAction  = []string{rp + "ruleAction"}
	inACLEgress      = []string{rp + "egress"}
	inACLCidr        = []string{rp + "cidrBlock", rp + "ipv6CidrBlock"}
	inACLProtocol    = []string{rp + "aclProtocol"}
	inACLPortFrom    = []string{rp + "portRange.from"}
	inACLPortTo      = []string{rp + "portRange.to"}
	inDBDeletionProt = []string{rp + "deletionProtection"}
	inDBMasterPasswd = []string{rp + "masterUserPassword"}

	// Impact: S3 object encryption (SSE-C, a KMS key of another account), bucket default
	// encryption, RDS deletion without a final snapshot.
	inSSECAlgorithm = []string{rp + "x-amz-server-side-encryption-customer-algorithm"}
	inSSEKMSKeyID   = []string{rp + "x-amz-server-side-encryption-aws-kms-key-id"}
	inBucketSSEKey  = []string{
		rp + "ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID",
		rp + "ServerSideEncryptionConfiguration.Rule{}.ApplyServerSideEncryptionByDefault.KMSMasterKeyID",
	}
	inBucketSSEAlgorithm = []string{
		rp + "ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm",
		rp + "ServerSideEncryptionConfiguration.Rule{}.ApplyServerSideEncryptionByDefault.SSEAlgorithm",
	}
	inDBSkipFinalSnap = []string{rp + "skipFinalSnapshot"}
	inDBFinalSnapID   = []string{rp + "finalDBSnapshotIdentifier"}
	inDBDeleteBackups = []string{rp + "deleteAutomatedBackups"}

	// EC2 RunInstances.
	inInstanceType  = []string{rp + "instanceType"}
	inInstanceCount = []string{rp + "instancesSet.items{}.maxCount", rp + "instancesSet.items.maxCount",
		rp + "instancesSet.items{}.minCount", rp + "instancesSet.items.minCount"}
)

// requestInputs is every request field RefineAPI may read, in a stable order.
var requestInputs = func() []string {
	groups := [][]string{
		inDecryption, inAttribute,
		inSnapAddGroup, inSnapAddUser, inSnapRemove, inImageAddGroup, inImageAddUser, inImageAddOrg, inImageRemove,
		inAttributeName, inValuesToAdd, inValuesToRemove,
		inVersioningStatus, inPolicyEffect, inPolicyPrincipal, inACLGrantee, inCannedACL, inGrantHeader,
		inPABFlags[0], inPABFlags[1], inPABFlags[2], inPABFlags[3],
		inSGCidr, inSGCidr6, inSGProtocol, inSGFromPort, inSGToPort,
		inSelMgmt, inSelRW, inAdvSelField, inAdvSelEquals, inGlobalEvents, inMultiRegion,
		inLambdaPrincipal, inLambdaScope, inURLAuthType, inDetectorEnable, inPubliclyAccess, inUserDataValue,
		inPwdMinLength, inPwdRequire,
		inPolicyArn, inPolicyDocument, inTrustDocument, inSetAsDefault, inTargetUser, inCallerARN, inCallerName,
		inCallerAccount, inKMSPolicy, inECRPolicy, inSecretPolicy, inQueuePolicy, inTopicAttribute, inTopicValue,
		inLoggingXMLNS, inLoggingTarget, inLifecycleExpDays, inInstanceType, inInstanceCount,
		inACLRuleAction, inACLEgress, inACLCidr, inACLProtocol, inACLPortFrom, inACLPortTo, inDBDeletionProt, inDBMasterPasswd,
		inSSECAlgorithm, inSSEKMSKeyID, inBucketSSEKey, inBucketSSEAlgorithm, inDBSkipFinalSnap, inDBFinalSnapID, inDBDeleteBackups,
	}
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}()

// RequestInputs returns every requestParameters field RefineAPI may read. The slice is a copy.
func RequestInputs() []string { return append([]string(nil), requestInputs...) }

// Refined priors. Impacts follow the table's scale: 90+ is near proof of an attack (data made
// public, logging blinded), 75-89 what Security Content ships as a TTP, below 35 routine.
var (
	pDecryptedParams = APIPrior{60, TacticCredentialAcc, "T1552", "reads parameters decrypted", ""}
	pUserDataRead    = APIPrior{55, TacticCredentialAcc, "T1552.005", "reads an instance's user data", ""}
	pUserDataWrite   = APIPrior{70, TacticExecution, "T1059.009", "replaces an instance's user data", ""}

	pSnapshotPublic  = APIPrior{95, TacticExfiltration, "T1537", "makes an EBS snapshot public", ""}
	pSnapshotAccount = APIPrior{85, TacticExfiltration, "T1537", "shares an EBS snapshot with another account", ""}
	pSnapshotUnshare = APIPrior{25, TacticExfiltration, "T1537", "removes an EBS snapshot share", ""}
	pImagePublic     = APIPrior{90, TacticExfiltration, "T1537", "makes a machine image public", ""}
	pImageAccount    = APIPrior{80, TacticExfiltration, "T1537", "shares a machine image with another account", ""}
	pImageUnshare    = APIPrior{25, TacticExfiltration, "T1537", "removes a machine image share", ""}
	pDBSnapPublic    = APIPrior{95, TacticExfiltration, "T1537", "makes a database snapshot public", ""}
	pDBSnapAccount   = APIPrior{85, TacticExfiltration, "T1537", "shares a database snapshot with another account", ""}
	pDBSnapUnshare   = APIPrior{25, TacticExfiltration, "T1537", "removes a database snapshot share", ""}

	pVersioningSuspended = APIPrior{80, TacticImpact, "T1490", "suspends bucket versioning", ""}
	pVersioningEnabled   = APIPrior{15, TacticImpact, "T1490", "enables bucket versioning", ""}
	pPolicyPublic        = APIPrior{90, TacticExfiltration, "T1537", "grants everyone access in a bucket policy", ""}
	pACLPublic           = APIPrior{90, TacticExfiltration, "T1537", "grants everyone access in an ACL", ""}
	pACLAuthenticated    = APIPrior{85, TacticExfiltration, "T1537", "grants any AWS account access in an ACL", ""}
	pACLPrivate          = APIPrior{25, TacticExfiltration, "T1537", "sets a private ACL", ""}
	pPABOff              = APIPrior{80, TacticDefenseEvasion, "T1562.007", "turns off a public access block", ""}
	pPABPartial          = APIPrior{55, TacticDefenseEvasion, "T1562.007", "weakens a public access block", ""}
	pPABOn               = APIPrior{10, TacticDefenseEvasion, "T1562.007", "turns on a full public access block", ""}

	pIngressAdminWorld = APIPrior{85, TacticInitialAccess, "T1190", "opens SSH, RDP or all ports to the internet", ""}
	pIngressWorld      = APIPrior{65, TacticInitialAccess, "T1190", "opens a port to the internet", ""}

	pSelectorsNoMgmt   = APIPrior{90, TacticDefenseEvasion, "T1562.008", "stops a trail recording management events", ""}
	pSelectorsNoWrite  = APIPrior{85, TacticDefenseEvasion, "T1562.008", "stops a trail recording write events", ""}
	pSelectorsFullMgmt = APIPrior{40, TacticDefenseEvasion, "T1562.008", "sets event selectors that keep management events", ""}
	pTrailNoGlobal     = APIPrior{80, TacticDefenseEvasion, "T1562.008", "stops a trail recording global service events", ""}
	pTrailOneRegion    = APIPrior{75, TacticDefenseEvasion, "T1562.008", "limits a trail to one region", ""}

	pLambdaPublic    = APIPrior{85, TacticPersistence, "T1648", "lets anyone invoke a function", ""}
	pLambdaURLPublic = APIPrior{80, TacticPersistence, "T1648", "exposes a function at an unauthenticated URL", ""}
	pLambdaURLIAM    = APIPrior{35, TacticPersistence, "T1648", "exposes a function at an IAM-authenticated URL", ""}
	pDetectorOff     = APIPrior{90, TacticDefenseEvasion, "T1562.001", "disables the GuardDuty detector", ""}
	pDetectorOn      = APIPrior{15, TacticDefenseEvasion, "T1562.001", "enables the GuardDuty detector", ""}
	pDBPublic        = APIPrior{75, TacticInitialAccess, "T1190", "makes a database publicly accessible", ""}
	pPwdWeak         = APIPrior{75, TacticDefenseEvasion, "T1556", "weakens the account password policy", ""}
	pPwdStrong       = APIPrior{30, TacticDefenseEvasion, "T1556", "sets a strong account password policy", ""}

	pAttachAdmin      = APIPrior{95, TacticPrivEsc, "T1098.003", "attaches a full-admin AWS managed policy", ""}
	pAttachReadOnly   = APIPrior{45, TacticPrivEsc, "T1098.003", "attaches a read-only AWS managed policy", ""}
	pAttachService    = APIPrior{40, TacticPrivEsc, "T1098.003", "attaches an AWS managed service-role policy", ""}
	pPolicyDocAdmin   = APIPrior{95, TacticPrivEsc, "T1098.003", "writes a policy allowing every action on every resource", ""}
	pPolicyNotDefault = APIPrior{45, TacticPrivEsc, "T1098.003", "adds a policy version that is not the default", ""}
	pKeyOtherUser     = APIPrior{82, TacticPersistence, "T1098.001", "creates an access key for another user", ""}
	pKeyOwnUser       = APIPrior{55, TacticPersistence, "T1098.001", "creates an access key for the caller itself", ""}
	pLoginOtherUser   = APIPrior{85, TacticPersistence, "T1098.001", "sets a console password for another user", ""}
	pLoginOwnUser     = APIPrior{55, TacticPersistence, "T1098.001", "sets the caller's own console password", ""}
	pTrustPublic      = APIPrior{95, TacticPersistence, "T1098.003", "lets anyone assume a role", ""}
	pTrustExternal    = APIPrior{90, TacticPersistence, "T1098.003", "lets another account assume a role", ""}
	pTrustService     = APIPrior{30, TacticPersistence, "T1098.003", "lets only AWS services assume a role", ""}
	pResourcePublic   = APIPrior{90, TacticExfiltration, "T1537", "grants everyone access in a resource policy", ""}
	pResourceExternal = APIPrior{80, TacticExfiltration, "T1537", "grants another account access in a resource policy", ""}
	pLoggingOff       = APIPrior{80, TacticDefenseEvasion, "T1562.008", "turns off bucket access logging", ""}
	pLoggingOn        = APIPrior{25, TacticDefenseEvasion, "T1562.008", "turns on bucket access logging", ""}
	pLifecycleShort   = APIPrior{88, TacticImpact, "T1485", "expires bucket objects within days", ""}
	pLifecycleLong    = APIPrior{40, TacticImpact, "T1485", "expires bucket objects after a month or more", ""}
	pRunAccelerated   = APIPrior{65, TacticImpact, "T1496", "launches GPU or accelerator instances", ""}
	pRunMany          = APIPrior{65, TacticImpact, "T1496", "launches many instances in one call", ""}
	pRunSmall         = APIPrior{35, TacticImpact, "T1496", "launches a small burstable instance", ""}
	pNACLOpenAll      = APIPrior{80, TacticDefenseEvasion, "T1562.007", "lets all ports in from the internet in a network ACL", ""}
	pNACLOpen         = APIPrior{60, TacticDefenseEvasion, "T1562.007", "lets a port in from the internet in a network ACL", ""}
	pNACLDeny         = APIPrior{25, TacticDefenseEvasion, "T1562.007", "adds a deny rule to a network ACL", ""}
	pDBNoDeletionProt = APIPrior{70, TacticImpact, "T1485", "turns off a database's deletion protection", ""}
	pDBMasterPassword = APIPrior{70, TacticCredentialAcc, "T1098", "resets a database's master password", ""}

	pObjectSSEC         = APIPrior{75, TacticImpact, "T1486", "encrypts an object with a customer-provided key (SSE-C)", ""}
	pObjectExternalKey  = APIPrior{85, TacticImpact, "T1486", "encrypts an object with another account's KMS key", ""}
	pBucketExternalKey  = APIPrior{88, TacticImpact, "T1486", "sets bucket default encryption to another account's KMS key", ""}
	pBucketOwnKey       = APIPrior{35, TacticImpact, "T1486", "sets bucket default encryption with an S3 or own-account key", ""}
	pDBDeleteNoBackups  = APIPrior{88, TacticImpact, "T1485", "deletes a database with no final snapshot and its automated backups", ""}
	pDBDeleteNoSnapshot = APIPrior{82, TacticImpact, "T1485", "deletes a database without a final snapshot", ""}
	pDBDeleteSnapshot   = APIPrior{55, TacticImpact, "T1485", "deletes a database keeping a final snapshot", ""}
)

// refiner reads the request fields of one API through get and returns the refined prior.
type refiner struct {
	service string // Service() of the eventSource, or "" for any
	name    string // eventName as CloudTrail spells it
	refine  func(get func(string) string) (APIPrior, bool)
}

var refiners = []refiner{
	{"ssm", "GetParameter", refineDecryption},
	{"ssm", "GetParameters", refineDecryption},
	{"ssm", "GetParametersByPath", refineDecryption},
	{"ssm", "GetParameterHistory", refineDecryption},
	{"ec2", "DescribeInstanceAttribute", refineUserDataRead},
	{"ec2", "ModifyInstanceAttribute", refineUserDataWrite},
	{"ec2", "ModifySnapshotAttribute", refineSnapshotShare},
	{"ec2", "ModifyImageAttribute", refineImageShare},
	{"rds", "ModifyDBSnapshotAttribute", refineDBSnapshotShare},
	{"rds", "ModifyDBClusterSnapshotAttribute", refineDBSnapshotShare},
	{"rds", "ModifyDBInstance", refineDBModify},
	{"rds", "ModifyDBCluster", refineDBModify},
	{"s3", "PutBucketVersioning", refineVersioning},
	{"s3", "PutBucketPolicy", refineBucketPolicy},
	{"s3", "PutBucketAcl", refineACL},
	{"s3", "PutObjectAcl", refineACL},
	{"s3", "PutBucketPublicAccessBlock", refinePublicAccessBlock},
	{"s3", "PutAccountPublicAccessBlock", refinePublicAccessBlock},
	{"ec2", "AuthorizeSecurityGroupIngress", refineIngress},
	{"cloudtrail", "PutEventSelectors", refineEventSelectors},
	{"cloudtrail", "UpdateTrail", refineUpdateTrail},
	{"lambda", "AddPermission", refineLambdaPermission},
	{"lambda", "CreateFunctionUrlConfig", refineFunctionURL},
	{"lambda", "UpdateFunctionUrlConfig", refineFunctionURL},
	{"guardduty", "UpdateDetector", refineDetector},
	{"iam", "UpdateAccountPasswordPolicy", refinePasswordPolicy},
	{"iam", "AttachUserPolicy", refineAttachPolicy},
	{"iam", "AttachRolePolicy", refineAttachPolicy},
	{"iam", "AttachGroupPolicy", refineAttachPolicy},
	{"iam", "CreatePolicyVersion", refinePolicyVersion},
	{"iam", "CreatePolicy", refinePolicyDocument},
	{"iam", "PutUserPolicy", refinePolicyDocument},
	{"iam", "PutRolePolicy", refinePolicyDocument},
	{"iam", "PutGroupPolicy", refinePolicyDocument},
	{"iam", "CreateAccessKey", refineAccessKeyTarget},
	{"iam", "CreateLoginProfile", refineLoginTarget},
	{"iam", "UpdateLoginProfile", refineLoginTarget},
	{"iam", "UpdateAssumeRolePolicy", refineTrustUpdate},
	{"iam", "CreateRole", refineTrustCreate},
	{"kms", "PutKeyPolicy", refineKeyPolicy},
	{"ecr", "SetRepositoryPolicy", refineRepositoryPolicy},
	{"secretsmanager", "PutResourcePolicy", refineSecretPolicy},
	{"sqs", "SetQueueAttributes", refineQueuePolicy},
	{"sns", "SetTopicAttributes", refineTopicPolicy},
	{"s3", "PutBucketLogging", refineBucketLogging},
	{"s3", "PutBucketLifecycle", refineLifecycle},
	{"s3", "PutBucketLifecycleConfiguration", refineLifecycle},
	{"ec2", "RunInstances", refineRunInstances},
	{"ec2", "CreateNetworkAclEntry", refineNetworkACL},
	{"ec2", "ReplaceNetworkAclEntry", refineNetworkACL},
	{"s3", "CopyObject", refineObjectEncryption},
	{"s3", "PutObject", refineObjectEncryption},
	{"s3", "PutBucketEncryption", refineBucketEncryption},
	{"rds", "DeleteDBInstance", refineDBDelete},
	{"rds", "DeleteDBCluster", refineDBDelete},
}

// RefineAPI adjusts the prior p of an API call with the request parameters that change its
// meaning (see refiners), read through get (a raw field, "" when absent). eventName may carry a
// Lambda API-version suffix. An unknown or missing eventSource matches any service, except for
// the names several services share (sharedName). A refinement replaces impact, tactic, technique
// and reason and keeps p.Source; it may lower the impact, but only for a request that positively
// shows the hardening shape (versioning Enabled, a full public access block, a share removed).
// RefineAPI allocates nothing.
func RefineAPI(p APIPrior, eventSource, eventName string, get func(string) string) APIPrior {
	name := trimAPIVersion(strings.TrimSpace(eventName))
	if name == "" || get == nil {
		return p
	}
	svc := Service(eventSource)
	for i := range refiners {
		rf := &refiners[i]
		if len(rf.name) != len(name) || !strings.EqualFold(rf.name, name) {
			continue
		}
		if svc != rf.service && (svc != Unknown || sharedName(rf.name)) {
			continue
		}
		q, ok := rf.refine(get)
		if !ok {
			return p
		}
		q.Source = p.Source
		return q
	}
	return p
}

// sharedName: eventNames that several services use with other request shapes (SNS AddPermission,
// Organizations and IoT CreatePolicy, the many PutResourcePolicy), refined only when the
// eventSource names the service.
func sharedName(name string) bool {
	return name == "AddPermission" || name == "CreatePolicy" || name == "PutResourcePolicy"
}

// eachValue calls fn on each trimmed non-empty "\n"-separated value of s until fn returns false
// and reports whether it ran to the end. It allocates nothing.
func eachValue(s string, fn func(v string) bool) bool {
	for s != "" {
		v := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			v, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if v = strings.TrimSpace(v); v != "" && !fn(v) {
			return false
		}
	}
	return true
}

// values iterates the values of the first non-empty field among names (one spelling).
func values(get func(string) string, names []string, fn func(v string) bool) {
	eachValue(first(get, names), fn)
}

// allValues iterates the values of every field of names, for alternative spellings or sibling
// fields that may each hold part of the answer.
func allValues(get func(string) string, names []string, fn func(v string) bool) {
	for _, n := range names {
		if !eachValue(get(n), fn) {
			return
		}
	}
}

// anyValue reports whether some value of the fields satisfies pred.
func anyValue(get func(string) string, names []string, pred func(string) bool) bool {
	found := false
	allValues(get, names, func(v string) bool {
		found = pred(v)
		return !found
	})
	return found
}

// countValues counts the values of the first non-empty field among names.
func countValues(get func(string) string, names []string) int {
	n := 0
	values(get, names, func(string) bool { n++; return true })
	return n
}

// nthValue returns the i-th (0-based) value of the first non-empty field among names.
func nthValue(get func(string) string, names []string, i int) string {
	out := ""
	values(get, names, func(v string) bool {
		if i == 0 {
			out = v
			return false
		}
		i--
		return true
	})
	return out
}

func present(get func(string) string, names []string) bool { return anyValue(get, names, isSet) }

func isSet(string) bool      { return true }
func isTrue(v string) bool   { return strings.EqualFold(v, "true") }
func isFalse(v string) bool  { return strings.EqualFold(v, "false") }
func isAll(v string) bool    { return strings.EqualFold(v, "all") }
func isStar(v string) bool   { return v == "*" }
func isWorld(v string) bool  { return v == "0.0.0.0/0" || v == "::/0" }
func notEmpty(v string) bool { return v != "" }

// isAccount is a 12-digit AWS account id.
func isAccount(v string) bool {
	if len(v) != 12 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func refineDecryption(get func(string) string) (APIPrior, bool) {
	return pDecryptedParams, isTrue(first(get, inDecryption))
}

func refineUserDataRead(get func(string) string) (APIPrior, bool) {
	return pUserDataRead, strings.EqualFold(first(get, inAttribute), "userData")
}

// refineUserDataWrite: ModifyInstanceAttribute with user data runs new code at the next boot.
func refineUserDataWrite(get func(string) string) (APIPrior, bool) {
	return pUserDataWrite, strings.EqualFold(first(get, inAttribute), "userData") || present(get, inUserDataValue)
}

// share classifies a sharing request: public (group all), an account, removal only, or unknown.
type share int

const (
	shareUnknown share = iota
	sharePublic
	shareAccount
	shareRemoved
)

func sharing(get func(string) string, addGroup, addUser, addOther, remove []string) share {
	switch {
	case anyValue(get, addGroup, isAll):
		return sharePublic
	case anyValue(get, addUser, notEmpty):
		return shareAccount
	case present(get, addGroup) || present(get, addOther):
		return shareUnknown // another group or an organisation: the table's prior fits
	case present(get, remove):
		return shareRemoved
	}
	return shareUnknown
}

func pickShare(s share, public, account, removed APIPrior) (APIPrior, bool) {
	switch s {
	case sharePublic:
		return public, true
	case shareAccount:
		return account, true
	case shareRemoved:
		return removed, true
	}
	return APIPrior{}, false
}

func refineSnapshotShare(get func(string) string) (APIPrior, bool) {
	return pickShare(sharing(get, inSnapAddGroup, inSnapAddUser, nil, inSnapRemove),
		pSnapshotPublic, pSnapshotAccount, pSnapshotUnshare)
}

func refineImageShare(get func(string) string) (APIPrior, bool) {
	return pickShare(sharing(get, inImageAddGroup, inImageAddUser, inImageAddOrg, inImageRemove),
		pImagePublic, pImageAccount, pImageUnshare)
}

// refineDBSnapshotShare: attributeName=restore with valuesToAdd "all" (public) or account ids.
func refineDBSnapshotShare(get func(string) string) (APIPrior, bool) {
	if a := first(get, inAttributeName); a != "" && !strings.EqualFold(a, "restore") {
		return APIPrior{}, false
	}
	s := shareUnknown
	switch {
	case anyValue(get, inValuesToAdd, isAll):
		s = sharePublic
	case anyValue(get, inValuesToAdd, isAccount):
		s = shareAccount
	case present(get, inValuesToAdd):
	case present(get, inValuesToRemove):
		s = shareRemoved
	}
	return pickShare(s, pDBSnapPublic, pDBSnapAccount, pDBSnapUnshare)
}

// refineDBModify: made publicly accessible (the highest); deletion protection turned off (the
// tailpipe rds_db_instance_deletion_protection_disabled detection, AWS Security Hub RDS.8), the
// step before DeleteDBInstance; a master password reset (tailpipe
// detect_rds_db_instance_master_password_updates), how an attacker logs in to the data. CloudTrail
// masks the password, so its presence is the signal.
func refineDBModify(get func(string) string) (APIPrior, bool) {
	switch {
	case isTrue(first(get, inPubliclyAccess)):
		return pDBPublic, true
	case isFalse(first(get, inDBDeletionProt)):
		return pDBNoDeletionProt, true
	case present(get, inDBMasterPasswd):
		return pDBMasterPassword, true
	}
	return APIPrior{}, false
}

func refineVersioning(get func(string) string) (APIPrior, bool) {
	switch s := first(get, inVersioningStatus); {
	case strings.EqualFold(s, "Suspended"):
		return pVersioningSuspended, true
	case strings.EqualFold(s, "Enabled"):
		return pVersioningEnabled, true
	}
	return APIPrior{}, false
}

// refineBucketPolicy: an Allow statement whose principal is "*" (or {"AWS":"*"}). Flattening
// loses which principal belongs to which statement, so this counts: with no Deny statement any
// "*" is an Allow; with more "*" principals than Deny statements one must be an Allow. The common
// hardening shape (Deny "*" unless aws:SecureTransport) therefore does not read as public.
// Conditions (aws:SourceVpce, aws:PrincipalOrgID) that scope an Allow "*" are not read.
func refineBucketPolicy(get func(string) string) (APIPrior, bool) {
	stars, allows, denies := 0, 0, 0
	allValues(get, inPolicyPrincipal, func(v string) bool {
		if isStar(v) {
			stars++
		}
		return true
	})
	allValues(get, inPolicyEffect, func(v string) bool {
		switch {
		case strings.EqualFold(v, "Allow"):
			allows++
		case strings.EqualFold(v, "Deny"):
			denies++
		}
		return true
	})
	if stars == 0 || allows == 0 && denies > 0 {
		return APIPrior{}, false
	}
	return pPolicyPublic, stars > denies
}

func refineACL(get func(string) string) (APIPrior, bool) {
	all := func(v string) bool {
		return strings.Contains(v, "/global/AllUsers") || strings.EqualFold(v, "public-read") ||
			strings.EqualFold(v, "public-read-write")
	}
	authenticated := func(v string) bool {
		return strings.Contains(v, "/global/AuthenticatedUsers") || strings.EqualFold(v, "authenticated-read")
	}
	switch {
	case anyValue(get, inACLGrantee, all) || anyValue(get, inCannedACL, all) || anyValue(get, inGrantHeader, all):
		return pACLPublic, true
	case anyValue(get, inACLGrantee, authenticated) || anyValue(get, inCannedACL, authenticated) ||
		anyValue(get, inGrantHeader, authenticated):
		return pACLAuthenticated, true
	case strings.EqualFold(first(get, inCannedACL), "private") && !present(get, inACLGrantee) && !present(get, inGrantHeader):
		return pACLPrivate, true
	}
	return APIPrior{}, false
}

// refinePublicAccessBlock needs all four flags: all false turns the block off, all true is the
// recommended setting, a mix weakens it.
func refinePublicAccessBlock(get func(string) string) (APIPrior, bool) {
	on, off := 0, 0
	for _, f := range inPABFlags {
		switch v := first(get, f); {
		case isTrue(v):
			on++
		case isFalse(v):
			off++
		}
	}
	switch {
	case off == 4:
		return pPABOff, true
	case on == 4:
		return pPABOn, true
	case on+off == 4:
		return pPABPartial, true
	}
	return APIPrior{}, false
}

// refineIngress: a rule open to 0.0.0.0/0 or ::/0, worse when it covers SSH (22), RDP (3389) or
// all ports. Flattening loses which range belongs to which permission; when there are as many
// IPv4 ranges as permissions (and no IPv6 range) they are paired by position, otherwise any open
// range with any admin port counts.
func refineIngress(get func(string) string) (APIPrior, bool) {
	world4 := anyValue(get, inSGCidr, isWorld)
	world6 := anyValue(get, inSGCidr6, isWorld)
	if !world4 && !world6 {
		return APIPrior{}, false
	}
	perms := countValues(get, inSGProtocol)
	aligned := !present(get, inSGCidr6) && perms > 0 && countValues(get, inSGCidr) == perms &&
		countValues(get, inSGFromPort) == perms && countValues(get, inSGToPort) == perms
	if aligned {
		for i := range perms {
			if isWorld(nthValue(get, inSGCidr, i)) && adminExposed(nthValue(get, inSGProtocol, i),
				nthValue(get, inSGFromPort, i), nthValue(get, inSGToPort, i)) {
				return pIngressAdminWorld, true
			}
		}
		return pIngressWorld, true
	}
	if anyValue(get, inSGProtocol, func(v string) bool { return v == "-1" || strings.EqualFold(v, "all") }) {
		return pIngressAdminWorld, true
	}
	froms, tos := countValues(get, inSGFromPort), countValues(get, inSGToPort)
	if froms == tos {
		for i := range froms {
			if adminExposed("tcp", nthValue(get, inSGFromPort, i), nthValue(get, inSGToPort, i)) {
				return pIngressAdminWorld, true
			}
		}
	}
	return pIngressWorld, true
}

// adminExposed: protocol -1 (all traffic) or a TCP port range covering 22 or 3389.
func adminExposed(protocol, from, to string) bool {
	if protocol == "-1" || strings.EqualFold(protocol, "all") {
		return true
	}
	lo, ok1 := smallPort(from)
	hi, ok2 := smallPort(to)
	if !ok1 || !ok2 {
		return false
	}
	if lo < 0 { // fromPort -1 with tcp/udp means every port
		return true
	}
	return lo <= 22 && 22 <= hi || lo <= 3389 && 3389 <= hi
}

// smallPort parses -1..65535 without allocating.
func smallPort(s string) (int, bool) {
	if s == "-1" {
		return -1, true
	}
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= 65535
}

// refineEventSelectors: every basic selector excludes management events, or records only reads;
// advanced selectors that name eventCategory but never "Management". A basic selector set that
// keeps all management events is the normal configuration and lowers the prior.
func refineEventSelectors(get func(string) string) (APIPrior, bool) {
	mgmtOn, mgmtOff := 0, 0
	allValues(get, inSelMgmt, func(v string) bool {
		switch {
		case isTrue(v):
			mgmtOn++
		case isFalse(v):
			mgmtOff++
		}
		return true
	})
	rwAll, rwReadOnly, rwOther := 0, 0, 0
	allValues(get, inSelRW, func(v string) bool {
		switch {
		case strings.EqualFold(v, "All"):
			rwAll++
		case strings.EqualFold(v, "ReadOnly"):
			rwReadOnly++
		default:
			rwOther++
		}
		return true
	})
	switch {
	case mgmtOff > 0 && mgmtOn == 0:
		return pSelectorsNoMgmt, true
	case rwReadOnly > 0 && rwAll == 0 && rwOther == 0:
		return pSelectorsNoWrite, true
	case mgmtOn > 0 && mgmtOff == 0 && rwAll > 0 && rwReadOnly == 0 && rwOther == 0:
		return pSelectorsFullMgmt, true
	}
	if anyValue(get, inAdvSelField, func(v string) bool { return strings.EqualFold(v, "eventCategory") }) &&
		!anyValue(get, inAdvSelEquals, func(v string) bool { return strings.EqualFold(v, "Management") }) {
		return pSelectorsNoMgmt, true
	}
	return APIPrior{}, false
}

func refineUpdateTrail(get func(string) string) (APIPrior, bool) {
	switch {
	case isFalse(first(get, inGlobalEvents)):
		return pTrailNoGlobal, true
	case isFalse(first(get, inMultiRegion)):
		return pTrailOneRegion, true
	}
	return APIPrior{}, false
}

// refineLambdaPermission: principal "*" without a source ARN, account or organisation condition
// lets anyone invoke the function.
func refineLambdaPermission(get func(string) string) (APIPrior, bool) {
	return pLambdaPublic, isStar(first(get, inLambdaPrincipal)) && !present(get, inLambdaScope)
}

func refineFunctionURL(get func(string) string) (APIPrior, bool) {
	switch a := first(get, inURLAuthType); {
	case strings.EqualFold(a, "NONE"):
		return pLambdaURLPublic, true
	case strings.EqualFold(a, "AWS_IAM"):
		return pLambdaURLIAM, true
	}
	return APIPrior{}, false
}

func refineDetector(get func(string) string) (APIPrior, bool) {
	switch e := first(get, inDetectorEnable); {
	case isFalse(e):
		return pDetectorOff, true
	case isTrue(e):
		return pDetectorOn, true
	}
	return APIPrior{}, false
}

// pwdMinLength is CIS AWS Foundations 1.8's minimum password length.
const pwdMinLength = 14

// refinePasswordPolicy: a minimum length under pwdMinLength (14, CIS 1.8) or a character class
// explicitly not required weakens the policy (an attacker who will guess or set passwords next);
// a length of at least 14 with no class turned off is the hardening shape. Absent fields decide
// nothing.
func refinePasswordPolicy(get func(string) string) (APIPrior, bool) {
	n, ok := atoiField(first(get, inPwdMinLength))
	off := false
	for _, f := range inPwdRequire {
		if isFalse(get(f)) {
			off = true
		}
	}
	switch {
	case ok && n < pwdMinLength, off:
		return pPwdWeak, true
	case ok:
		return pPwdStrong, true
	}
	return APIPrior{}, false
}

// atoiField parses a small non-negative integer field without allocating.
func atoiField(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// adminManagedPolicies are the AWS managed policies that amount to the whole account:
// AdministratorAccess, and IAMFullAccess (which can attach AdministratorAccess to itself).
var adminManagedPolicies = []string{"AdministratorAccess", "IAMFullAccess"}

// refineAttachPolicy: Elastic's "AWS IAM AdministratorAccess Policy Attached to User / Group /
// Role", Datadog's "AWS IAM privileged policy was applied to a user / group / role" and Panther's
// AWS.IAM.AttachAdminUserPolicy / AttachAdminRolePolicy key on policyArn
// arn:aws:iam::aws:policy/AdministratorAccess. Their negative tests attach a narrow AWS managed
// policy; a read-only (…ReadOnlyAccess, ViewOnlyAccess, SecurityAudit) or service-role/ policy
// positively shows that shape. A customer managed policy decides nothing (its content is unseen).
func refineAttachPolicy(get func(string) string) (APIPrior, bool) {
	arn := first(get, inPolicyArn)
	const managed = ":iam::aws:policy/"
	i := strings.Index(arn, managed)
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return APIPrior{}, false
	}
	path := arn[i+len(managed):]
	name := path[strings.LastIndexByte(path, '/')+1:]
	for _, a := range adminManagedPolicies {
		if strings.EqualFold(name, a) {
			return pAttachAdmin, true
		}
	}
	switch {
	case strings.HasSuffix(name, "ReadOnlyAccess") || name == "ViewOnlyAccess" || name == "SecurityAudit":
		return pAttachReadOnly, true
	case strings.HasPrefix(path, "service-role/"):
		return pAttachService, true
	}
	return APIPrior{}, false
}

// ownAccount is the caller's account, "" unless a 12-digit id.
func ownAccount(get func(string) string) string {
	if a := first(get, inCallerAccount); isAccount(a) {
		return a
	}
	return ""
}

// refinePolicyDocument: Splunk Security Content's "AWS Create Policy Version to allow all
// resources" (and CIS AWS 1.16, no full "*:*" administrative policies) flag a policy document
// with an Allow of Action "*" on Resource "*".
func refinePolicyDocument(get func(string) string) (APIPrior, bool) {
	return pPolicyDocAdmin, scanPolicy(get(inPolicyDocument[0]), "").allowAdmin
}

// refinePolicyVersion: an all-actions document as above; otherwise a version explicitly not set
// as default changes nobody's permissions until SetDefaultPolicyVersion (the Rhino Security
// "CreatePolicyVersion" escalation needs --set-as-default), so setAsDefault=false lowers.
func refinePolicyVersion(get func(string) string) (APIPrior, bool) {
	if q, ok := refinePolicyDocument(get); ok {
		return q, true
	}
	return pPolicyNotDefault, isFalse(first(get, inSetAsDefault))
}

// otherUser compares the request's userName with the caller: 1 another user, -1 the caller
// itself, 0 unknown (no userName, or no caller name to compare). Splunk Security Content's "AWS
// CreateAccessKey" and "AWS CreateLoginProfile" compare userIdentity.userName with
// requestParameters.userName; Panther's AWS.IAM.BackdoorUserKeys and Sigma's "AWS IAM Backdoor
// Users Keys" test whether the caller's ARN ends with user/<userName>. A role or root calling for
// a named user is another user (a role has no keys or password of its own). The raise is modest
// (82/85, tables 75/80): the same rules list an administrator onboarding users as their false
// positive.
func otherUser(get func(string) string) int {
	target := first(get, inTargetUser)
	if target == "" {
		return 0
	}
	arn := first(get, inCallerARN)
	name := first(get, inCallerName)
	switch {
	case strings.Contains(arn, ":user/"):
		if strings.HasSuffix(arn, "/"+target) && len(arn) > len(target) {
			return -1
		}
		return 1
	case name != "" && !strings.HasPrefix(arn, "arn:"):
		if name == target {
			return -1
		}
		return 1
	case strings.Contains(arn, ":assumed-role/") || strings.HasSuffix(arn, ":root"):
		return 1
	}
	return 0
}

func refineAccessKeyTarget(get func(string) string) (APIPrior, bool) {
	switch otherUser(get) {
	case 1:
		return pKeyOtherUser, true
	case -1:
		return pKeyOwnUser, true
	}
	return APIPrior{}, false
}

func refineLoginTarget(get func(string) string) (APIPrior, bool) {
	switch otherUser(get) {
	case 1:
		return pLoginOtherUser, true
	case -1:
		return pLoginOwnUser, true
	}
	return APIPrior{}, false
}

// refineTrust: Panther's AWS.IAM.BackdoorRole ("IAM Role Policy Updated to Allow Internet
// Access": a trust policy that lets "*" assume the role) and Stratus Red Team's
// aws.persistence.iam-backdoor-role / iam-create-backdoor-role (a trust policy naming an external
// account). A trust policy whose Allow statements name only AWS services or identity providers
// is the routine shape (an EC2, Lambda or CI role) and lowers.
func refineTrust(get func(string) string, doc string) (APIPrior, bool) {
	s := scanPolicy(doc, ownAccount(get))
	switch {
	case !s.ok:
	case s.allowStar:
		return pTrustPublic, true
	case s.allowExternal:
		return pTrustExternal, true
	case s.allowService && !s.allowOther:
		return pTrustService, true
	}
	return APIPrior{}, false
}

func refineTrustUpdate(get func(string) string) (APIPrior, bool) {
	return refineTrust(get, get(inPolicyDocument[0]))
}

func refineTrustCreate(get func(string) string) (APIPrior, bool) {
	return refineTrust(get, get(inTrustDocument[0]))
}

// refineResourcePolicy: Panther's AWS.CloudTrail.ResourceMadePublic reads the policy string of
// ECR SetRepositoryPolicy (policyText), KMS PutKeyPolicy (policy), Secrets Manager
// PutResourcePolicy (resourcePolicy), SQS SetQueueAttributes (attributes.Policy) and SNS
// SetTopicAttributes (attributeName Policy, attributeValue) and alerts when it grants "*"; Stratus
// Red Team's aws.exfiltration / aws.persistence techniques share a KMS key, secret or repository
// with an external account. An Allow "*" under a Condition (aws:SourceAccount, aws:PrincipalOrgID)
// is scoped and does not count.
func refineResourcePolicy(get func(string) string, doc string) (APIPrior, bool) {
	s := scanPolicy(doc, ownAccount(get))
	switch {
	case s.allowStar:
		return pResourcePublic, true
	case s.allowExternal:
		return pResourceExternal, true
	}
	return APIPrior{}, false
}

func refineKeyPolicy(get func(string) string) (APIPrior, bool) {
	return refineResourcePolicy(get, get(inKMSPolicy[0]))
}

func refineRepositoryPolicy(get func(string) string) (APIPrior, bool) {
	return refineResourcePolicy(get, get(inECRPolicy[0]))
}

func refineSecretPolicy(get func(string) string) (APIPrior, bool) {
	return refineResourcePolicy(get, get(inSecretPolicy[0]))
}

func refineQueuePolicy(get func(string) string) (APIPrior, bool) {
	return refineResourcePolicy(get, get(inQueuePolicy[0]))
}

func refineTopicPolicy(get func(string) string) (APIPrior, bool) {
	if !strings.EqualFold(first(get, inTopicAttribute), "Policy") {
		return APIPrior{}, false
	}
	return refineResourcePolicy(get, get(inTopicValue[0]))
}

// refineBucketLogging: a BucketLoggingStatus without LoggingEnabled turns server access logging
// off (Elastic's "AWS S3 Bucket Server Access Logging Disabled"; Panther's
// AWS.S3.ServerAccess... and the tailpipe s3_bucket_logging_disabled detection read the same
// shape); a LoggingEnabled target bucket turns it on. The xmlns attribute is how CloudTrail
// renders the (otherwise empty) status element, so its presence is positive evidence.
func refineBucketLogging(get func(string) string) (APIPrior, bool) {
	switch {
	case present(get, inLoggingTarget):
		return pLoggingOn, true
	case present(get, inLoggingXMLNS):
		return pLoggingOff, true
	}
	return APIPrior{}, false
}

// lifecycleShortDays: Splunk Security Content's "AWS Defense Evasion PutBucketLifecycle" flags
// expiration_days < 3; Stratus Red Team's aws.defense-evasion.cloudtrail-lifecycle-rule sets 1.
const lifecycleShortDays = 3

// refineLifecycle: any expiration (current or noncurrent versions) under lifecycleShortDays
// raises; expirations that are all present and at least 30 days are the retention shape and
// lower. Rules without a day count (Date, transitions only, multipart clean-up) decide nothing.
func refineLifecycle(get func(string) string) (APIPrior, bool) {
	minDays, seen := 1<<30, false
	allValues(get, inLifecycleExpDays, func(v string) bool {
		if n, ok := atoiField(v); ok {
			minDays, seen = min(minDays, n), true
		}
		return true
	})
	switch {
	case !seen:
	case minDays < lifecycleShortDays:
		return pLifecycleShort, true
	case minDays >= 30:
		return pLifecycleLong, true
	}
	return APIPrior{}, false
}

// runManyInstances: Stratus Red Team's aws.execution.ec2-launch-unusual-instances launches ten
// p2.xlarge in one call; one call asking for that many is what a miner does and an auto scaling
// group does not (it launches one by one).
const runManyInstances = 10

// refineRunInstances: GPU and accelerator families (p*, g*, inf*, trn*, dl*, f1, vt1) are what
// Panther's AWS.EC2.LaunchUnusualEC2Instances and Stratus's ec2-launch-unusual-instances use for
// cryptomining (T1496); so is a large count. The prior stays under the table's high band because
// ML teams launch these routinely: the per-principal baselines decide who is unusual. A small
// burstable instance (t2/t3/t3a/t4g up to large) is the everyday shape and lowers.
func refineRunInstances(get func(string) string) (APIPrior, bool) {
	family, size, _ := strings.Cut(strings.ToLower(first(get, inInstanceType)), ".")
	switch {
	case acceleratedFamily(family):
		return pRunAccelerated, true
	case anyValue(get, inInstanceCount, func(v string) bool { n, ok := atoiField(v); return ok && n >= runManyInstances }):
		return pRunMany, true
	case len(family) >= 2 && family[0] == 't' && family[1] >= '2' && family[1] <= '4' &&
		(size == "nano" || size == "micro" || size == "small" || size == "medium" || size == "large"):
		return pRunSmall, true
	}
	return APIPrior{}, false
}

// acceleratedFamily: p2..p5e, g2..g6e (and gr6), inf1/2, trn1/2, dl1/dl2q, f1, vt1.
func acceleratedFamily(f string) bool {
	switch {
	case len(f) >= 2 && (f[0] == 'p' || f[0] == 'g') && f[1] >= '0' && f[1] <= '9':
		return true
	case strings.HasPrefix(f, "gr") && len(f) >= 3 && f[2] >= '0' && f[2] <= '9':
		return true
	case strings.HasPrefix(f, "inf"), strings.HasPrefix(f, "trn"), strings.HasPrefix(f, "dl"):
		return true
	}
	return f == "f1" || f == "f2" || f == "vt1"
}

// refineNetworkACL: Splunk Security Content's "AWS Network Access Control List Created with All
// Open Ports" (ruleAction allow, egress false, aclProtocol -1 or a port range wider than 1024)
// and Panther's AWS.EC2.NetworkACLPermissiveEntry (an ingress allow from 0.0.0.0/0). A deny rule is
// the hardening shape. Egress rules and internal ranges keep the table's prior.
func refineNetworkACL(get func(string) string) (APIPrior, bool) {
	action := first(get, inACLRuleAction)
	if strings.EqualFold(action, "deny") {
		return pNACLDeny, true
	}
	if !strings.EqualFold(action, "allow") || !isFalse(first(get, inACLEgress)) || !anyValue(get, inACLCidr, isWorld) {
		return APIPrior{}, false
	}
	if p := first(get, inACLProtocol); p == "-1" || strings.EqualFold(p, "all") {
		return pNACLOpenAll, true
	}
	lo, ok1 := smallPort(first(get, inACLPortFrom))
	hi, ok2 := smallPort(first(get, inACLPortTo))
	if ok1 && ok2 && hi-lo > 1024 {
		return pNACLOpenAll, true
	}
	return pNACLOpen, true
}

// keyOwner compares the account of a KMS key reference with the caller's: 1 another account, -1
// the caller's own (a key id or alias, or an ARN in its account), 0 unknown (no key, or no
// caller account to compare an ARN with).
func keyOwner(get func(string) string, key string) int {
	if key == "" {
		return 0
	}
	acct := arnAccount(strings.TrimSpace(key))
	own := ownAccount(get)
	switch {
	case acct == "" && !strings.HasPrefix(key, "arn:"):
		return -1
	case !isAccount(acct) || own == "":
		return 0
	case acct != own:
		return 1
	}
	return -1
}

// refineObjectEncryption: the 2025 "Codefinger" S3 ransomware (Halcyon RISE team; AWS CIRT's
// note on the same campaign) rewrites objects with CopyObject/PutObject under SSE-C, a key only
// the attacker holds; Elastic's "Unusual AWS S3 Object Encryption with SSE-C" and "Excessive AWS
// S3 Object Encryption with SSE-C" and Datadog's "AWS S3 Object encryption with SSE-C" key on
// requestParameters x-amz-server-side-encryption-customer-algorithm. Elastic's "AWS S3 Object
// Encryption Using External KMS Key" and Panther's AWS.S3.CopyObject.CrossAccount.Encryption.KMS
// (after Rhino Security Labs' "S3 Ransomware Part 1") flag x-amz-server-side-encryption-aws-kms-key-id
// naming a key of another account. SSE-C stays under the external key: some applications use it
// by design, which is why Elastic's rule is a first-seen (new terms) rule. S3-managed or
// own-account keys are the everyday shape and keep the (already low) table prior.
func refineObjectEncryption(get func(string) string) (APIPrior, bool) {
	switch {
	case keyOwner(get, first(get, inSSEKMSKeyID)) == 1:
		return pObjectExternalKey, true
	case present(get, inSSECAlgorithm):
		return pObjectSSEC, true
	}
	return APIPrior{}, false
}

// refineBucketEncryption: Rhino Security Labs' "S3 Ransomware Part 1" sets a bucket's default
// encryption to a KMS key in the attacker's account (whose key policy it later revokes), the
// bucket-level form of the object rules above (Elastic's "AWS S3 Object Encryption Using External
// KMS Key", Panther's AWS.S3.CopyObject.CrossAccount.Encryption.KMS). A default of SSE-S3 (AES256)
// or an own-account key is the hardening shape and lowers.
func refineBucketEncryption(get func(string) string) (APIPrior, bool) {
	ext, own := false, false
	allValues(get, inBucketSSEKey, func(v string) bool {
		switch keyOwner(get, v) {
		case 1:
			ext = true
		case -1:
			own = true
		}
		return !ext
	})
	switch {
	case ext:
		return pBucketExternalKey, true
	case own || anyValue(get, inBucketSSEAlgorithm, func(v string) bool { return v == "AES256" }) && !present(get, inBucketSSEKey):
		return pBucketOwnKey, true
	}
	return APIPrior{}, false
}

// refineDBDelete: a DeleteDBInstance/DeleteDBCluster with skipFinalSnapshot=true leaves no restore
// point ("AWS RDS Instance Deletion", rulehound.com/rules/19e6c8, reads skipFinalSnapshot), and
// deleteAutomatedBackups=true removes the point-in-time backups as well (the RDS API reference:
// only manual snapshots survive); Elastic's "AWS RDS Snapshot Deleted" treats the loss of backup
// coverage as impact. A final snapshot requested (skipFinalSnapshot=false or a
// finalDBSnapshotIdentifier) keeps the data recoverable and lowers. The raise is modest: test
// teardowns and read replicas (which must skip the snapshot) do the same.
func refineDBDelete(get func(string) string) (APIPrior, bool) {
	switch skip := first(get, inDBSkipFinalSnap); {
	case isTrue(skip) && isTrue(first(get, inDBDeleteBackups)):
		return pDBDeleteNoBackups, true
	case isTrue(skip):
		return pDBDeleteNoSnapshot, true
	case isFalse(skip) || present(get, inDBFinalSnapID):
		return pDBDeleteSnapshot, true
	}
	return APIPrior{}, false
}
