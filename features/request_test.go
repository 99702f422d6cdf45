package features

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRefineAPI: for each refined API an attack-shaped request, a hardening- or routine-shaped
// request and a request without the fields (which must keep the table's prior).
func TestRefineAPI(t *testing.T) {
	const rq = "requestParameters."
	unchanged := APIPrior{Reason: "(table)"}
	tests := []struct {
		name         string
		source, api  string
		req          map[string]string
		want         APIPrior // unchanged: the table's prior
		lowerOrRaise int      // +1 the impact must rise above the table's, -1 fall below, 0 either
	}{
		// SSM and EC2 user data (the two refinements that predate the rest).
		{"decrypted parameter read", "ssm.amazonaws.com", "GetParameters", map[string]string{rq + "withDecryption": "true"}, pDecryptedParams, +1},
		{"plain parameter read", "ssm.amazonaws.com", "GetParameter", map[string]string{rq + "withDecryption": "false"}, unchanged, 0},
		{"user data read", "ec2.amazonaws.com", "DescribeInstanceAttribute", map[string]string{rq + "attribute": "userData"}, pUserDataRead, +1},
		{"instance type read", "ec2.amazonaws.com", "DescribeInstanceAttribute", map[string]string{rq + "attribute": "instanceType"}, unchanged, 0},
		{"user data replaced", "ec2.amazonaws.com", "ModifyInstanceAttribute", map[string]string{rq + "userData": "<sensitiveDataRemoved>"}, pUserDataWrite, +1},
		{"instance type changed", "ec2.amazonaws.com", "ModifyInstanceAttribute", map[string]string{rq + "instanceType.value": "m5.large"}, unchanged, 0},

		// IAM password policy (CIS 1.8: at least 14 characters).
		{"password policy weakened to 6 characters", "iam.amazonaws.com", "UpdateAccountPasswordPolicy",
			map[string]string{rq + "minimumPasswordLength": "6"}, pPwdWeak, +1},
		{"password policy without symbols", "iam.amazonaws.com", "UpdateAccountPasswordPolicy",
			map[string]string{rq + "minimumPasswordLength": "16", rq + "requireSymbols": "false"}, pPwdWeak, +1},
		{"password policy at 14 characters", "iam.amazonaws.com", "UpdateAccountPasswordPolicy",
			map[string]string{rq + "minimumPasswordLength": "14", rq + "requireSymbols": "true"}, pPwdStrong, -1},
		{"password policy without a request", "iam.amazonaws.com", "UpdateAccountPasswordPolicy", nil, unchanged, 0},
		{"password policy with a garbled length", "iam.amazonaws.com", "UpdateAccountPasswordPolicy",
			map[string]string{rq + "minimumPasswordLength": "x"}, unchanged, 0},

		// EBS snapshots and AMIs.
		{"snapshot public", "ec2.amazonaws.com", "ModifySnapshotAttribute",
			map[string]string{rq + "createVolumePermission.add.items{}.group": "all"}, pSnapshotPublic, +1},
		{"snapshot to account", "ec2.amazonaws.com", "ModifySnapshotAttribute",
			map[string]string{rq + "createVolumePermission.add.items{}.userId": "444455556666\n777788889999"}, pSnapshotAccount, +1},
		{"snapshot unshared", "ec2.amazonaws.com", "ModifySnapshotAttribute",
			map[string]string{rq + "createVolumePermission.remove.items{}.group": "all"}, pSnapshotUnshare, -1},
		{"snapshot no request", "ec2.amazonaws.com", "ModifySnapshotAttribute", nil, unchanged, 0},
		{"image public", "ec2.amazonaws.com", "ModifyImageAttribute",
			map[string]string{rq + "launchPermission.add.items{}.group": "all"}, pImagePublic, +1},
		{"image public, single-object spelling", "ec2.amazonaws.com", "ModifyImageAttribute",
			map[string]string{rq + "launchPermission.add.items.group": "all"}, pImagePublic, +1},
		{"image to account", "ec2.amazonaws.com", "ModifyImageAttribute",
			map[string]string{rq + "launchPermission.add.items{}.userId": "444455556666"}, pImageAccount, +1},
		{"image to organisation", "ec2.amazonaws.com", "ModifyImageAttribute",
			map[string]string{rq + "launchPermission.add.items{}.organizationArn": "arn:aws:organizations::1:organization/o-1"}, unchanged, 0},
		{"image unshared", "ec2.amazonaws.com", "ModifyImageAttribute",
			map[string]string{rq + "launchPermission.remove.items{}.userId": "444455556666"}, pImageUnshare, -1},

		// RDS snapshots.
		{"db snapshot public", "rds.amazonaws.com", "ModifyDBSnapshotAttribute",
			map[string]string{rq + "attributeName": "restore", rq + "valuesToAdd{}": "all"}, pDBSnapPublic, +1},
		{"cluster snapshot to account", "rds.amazonaws.com", "ModifyDBClusterSnapshotAttribute",
			map[string]string{rq + "attributeName": "restore", rq + "valuesToAdd{}": "444455556666"}, pDBSnapAccount, +1},
		{"db snapshot unshared", "rds.amazonaws.com", "ModifyDBSnapshotAttribute",
			map[string]string{rq + "attributeName": "restore", rq + "valuesToRemove{}": "all"}, pDBSnapUnshare, -1},
		{"db snapshot other attribute", "rds.amazonaws.com", "ModifyDBSnapshotAttribute",
			map[string]string{rq + "attributeName": "other", rq + "valuesToAdd{}": "all"}, unchanged, 0},
		{"db made public", "rds.amazonaws.com", "ModifyDBInstance", map[string]string{rq + "publiclyAccessible": "true"}, pDBPublic, +1},
		{"db deletion protection off", "rds.amazonaws.com", "ModifyDBCluster", map[string]string{rq + "deletionProtection": "false"}, pDBNoDeletionProt, +1},
		{"db master password reset", "rds.amazonaws.com", "ModifyDBInstance",
			map[string]string{rq + "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS", rq + "applyImmediately": "true"}, pDBMasterPassword, +1},
		{"db resized", "rds.amazonaws.com", "ModifyDBInstance",
			map[string]string{rq + "dBInstanceClass": "db.r6g.large", rq + "deletionProtection": "true", rq + "publiclyAccessible": "false"}, unchanged, 0},

		// Network ACL entries (Splunk "AWS Network Access Control List Created with All Open Ports").
		{"nacl all protocols from the internet", "ec2.amazonaws.com", "CreateNetworkAclEntry",
			map[string]string{rq + "ruleAction": "allow", rq + "egress": "false", rq + "aclProtocol": "-1", rq + "cidrBlock": "0.0.0.0/0"}, pNACLOpenAll, +1},
		{"nacl wide port range", "ec2.amazonaws.com", "ReplaceNetworkAclEntry",
			map[string]string{rq + "ruleAction": "allow", rq + "egress": "false", rq + "aclProtocol": "6", rq + "ipv6CidrBlock": "::/0",
				rq + "portRange.from": "0", rq + "portRange.to": "65535"}, pNACLOpenAll, +1},
		{"nacl https from the internet", "ec2.amazonaws.com", "CreateNetworkAclEntry",
			map[string]string{rq + "ruleAction": "allow", rq + "egress": "false", rq + "aclProtocol": "6", rq + "cidrBlock": "0.0.0.0/0",
				rq + "portRange.from": "443", rq + "portRange.to": "443"}, pNACLOpen, +1},
		{"nacl deny", "ec2.amazonaws.com", "CreateNetworkAclEntry",
			map[string]string{rq + "ruleAction": "deny", rq + "egress": "false", rq + "aclProtocol": "-1", rq + "cidrBlock": "0.0.0.0/0"}, pNACLDeny, -1},
		{"nacl egress to the internet", "ec2.amazonaws.com", "CreateNetworkAclEntry",
			map[string]string{rq + "ruleAction": "allow", rq + "egress": "true", rq + "aclProtocol": "-1", rq + "cidrBlock": "0.0.0.0/0"}, unchanged, 0},
		{"nacl internal", "ec2.amazonaws.com", "CreateNetworkAclEntry",
			map[string]string{rq + "ruleAction": "allow", rq + "egress": "false", rq + "aclProtocol": "-1", rq + "cidrBlock": "10.0.0.0/8"}, unchanged, 0},

		// S3.
		{"versioning suspended", "s3.amazonaws.com", "PutBucketVersioning",
			map[string]string{rq + "VersioningConfiguration.Status": "Suspended"}, pVersioningSuspended, +1},
		{"versioning enabled", "s3.amazonaws.com", "PutBucketVersioning",
			map[string]string{rq + "VersioningConfiguration.Status": "Enabled"}, pVersioningEnabled, -1},
		{"policy allows everyone", "s3.amazonaws.com", "PutBucketPolicy",
			map[string]string{rq + "bucketPolicy.Statement{}.Effect": "Allow", rq + "bucketPolicy.Statement{}.Principal": "*"}, pPolicyPublic, +1},
		{"policy allows AWS *, single statement", "s3.amazonaws.com", "PutBucketPolicy",
			map[string]string{rq + "bucketPolicy.Statement.Effect": "Allow", rq + "bucketPolicy.Statement.Principal.AWS": "*"}, pPolicyPublic, +1},
		{"policy denies insecure transport", "s3.amazonaws.com", "PutBucketPolicy",
			map[string]string{rq + "bucketPolicy.Statement{}.Effect": "Deny\nAllow", rq + "bucketPolicy.Statement{}.Principal": "*",
				rq + "bucketPolicy.Statement{}.Principal.AWS": "arn:aws:iam::111122223333:role/app"}, unchanged, 0},
		{"policy deny and allow both star", "s3.amazonaws.com", "PutBucketPolicy",
			map[string]string{rq + "bucketPolicy.Statement{}.Effect": "Deny\nAllow", rq + "bucketPolicy.Statement{}.Principal": "*\n*"}, pPolicyPublic, +1},
		{"acl AllUsers grant", "s3.amazonaws.com", "PutBucketAcl",
			map[string]string{rq + "AccessControlPolicy.AccessControlList.Grant{}.Grantee.URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, pACLPublic, +1},
		{"acl AllUsers, single grant spelling", "s3.amazonaws.com", "PutBucketAcl",
			map[string]string{rq + "AccessControlPolicy.AccessControlList.Grant.Grantee.URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, pACLPublic, +1},
		{"acl canned public-read", "s3.amazonaws.com", "PutBucketAcl", map[string]string{rq + "x-amz-acl{}": "public-read"}, pACLPublic, +1},
		{"acl AuthenticatedUsers header", "s3.amazonaws.com", "PutBucketAcl",
			map[string]string{rq + "x-amz-grant-read": `uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"`}, pACLAuthenticated, +1},
		{"acl canned private", "s3.amazonaws.com", "PutBucketAcl", map[string]string{rq + "x-amz-acl": "private"}, pACLPrivate, -1},
		{"acl log delivery grant", "s3.amazonaws.com", "PutBucketAcl",
			map[string]string{rq + "AccessControlPolicy.AccessControlList.Grant{}.Grantee.URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"}, unchanged, 0},
		{"object acl public", "s3.amazonaws.com", "PutObjectAcl", map[string]string{rq + "x-amz-acl": "public-read-write"}, pACLPublic, +1},
		{"public access block off", "s3.amazonaws.com", "PutBucketPublicAccessBlock", pab("false", "false", "false", "false"), pPABOff, +1},
		{"public access block partial", "s3.amazonaws.com", "PutAccountPublicAccessBlock", pab("true", "true", "false", "false"), pPABPartial, +1},
		{"public access block on", "s3.amazonaws.com", "PutBucketPublicAccessBlock", pab("true", "true", "true", "true"), pPABOn, -1},
		{"public access block incomplete", "s3.amazonaws.com", "PutBucketPublicAccessBlock", pab("false", "false", "false", ""), unchanged, 0},

		// Security groups.
		{"ssh open to the world", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ingress("tcp", "22", "22", "0.0.0.0/0"), pIngressAdminWorld, +1},
		{"all traffic open over IPv6", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
			map[string]string{rq + "ipPermissions.items{}.ipProtocol": "-1", rq + "ipPermissions.items{}.ipv6Ranges.items{}.cidrIpv6": "::/0"}, pIngressAdminWorld, +1},
		{"https open to the world", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ingress("tcp", "443", "443", "0.0.0.0/0"), pIngressWorld, +1},
		{"ssh internal, https public", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
			ingress("tcp\ntcp", "22\n443", "22\n443", "10.0.0.0/8\n0.0.0.0/0"), pIngressWorld, +1},
		{"rdp range, flat form", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
			map[string]string{rq + "cidrIp": "0.0.0.0/0", rq + "ipProtocol": "tcp", rq + "fromPort": "3000", rq + "toPort": "4000"}, pIngressAdminWorld, +1},
		{"ssh from one address", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ingress("tcp", "22", "22", "203.0.113.7/32"), unchanged, 0},

		// CloudTrail.
		{"selectors drop management events", "cloudtrail.amazonaws.com", "PutEventSelectors",
			map[string]string{rq + "eventSelectors{}.includeManagementEvents": "false", rq + "eventSelectors{}.readWriteType": "All"}, pSelectorsNoMgmt, +1},
		{"selectors drop writes", "cloudtrail.amazonaws.com", "PutEventSelectors",
			map[string]string{rq + "eventSelectors{}.includeManagementEvents": "true", rq + "eventSelectors{}.readWriteType": "ReadOnly"}, pSelectorsNoWrite, +1},
		{"selectors keep management events", "cloudtrail.amazonaws.com", "PutEventSelectors",
			map[string]string{rq + "eventSelectors{}.includeManagementEvents": "true", rq + "eventSelectors{}.readWriteType": "All"}, pSelectorsFullMgmt, -1},
		{"advanced selectors data only", "cloudtrail.amazonaws.com", "PutEventSelectors",
			map[string]string{rq + "advancedEventSelectors{}.fieldSelectors{}.field": "eventCategory\nresources.type",
				rq + "advancedEventSelectors{}.fieldSelectors{}.equals{}": "Data\nAWS::S3::Object"}, pSelectorsNoMgmt, +1},
		{"advanced selectors with management", "cloudtrail.amazonaws.com", "PutEventSelectors",
			map[string]string{rq + "advancedEventSelectors{}.fieldSelectors{}.field": "eventCategory",
				rq + "advancedEventSelectors{}.fieldSelectors{}.equals{}": "Management"}, unchanged, 0},
		{"trail drops global events", "cloudtrail.amazonaws.com", "UpdateTrail", map[string]string{rq + "includeGlobalServiceEvents": "false"}, pTrailNoGlobal, +1},
		{"trail to one region", "cloudtrail.amazonaws.com", "UpdateTrail", map[string]string{rq + "isMultiRegionTrail": "false"}, pTrailOneRegion, +1},
		{"trail new bucket", "cloudtrail.amazonaws.com", "UpdateTrail", map[string]string{rq + "s3BucketName": "logs"}, unchanged, 0},

		// Lambda and GuardDuty.
		{"lambda invokable by anyone", "lambda.amazonaws.com", "AddPermission20150331v2", map[string]string{rq + "principal": "*"}, pLambdaPublic, +1},
		{"lambda star scoped to a source", "lambda.amazonaws.com", "AddPermission",
			map[string]string{rq + "principal": "*", rq + "sourceArn": "arn:aws:s3:::bucket"}, unchanged, 0},
		{"lambda for a service", "lambda.amazonaws.com", "AddPermission", map[string]string{rq + "principal": "s3.amazonaws.com"}, unchanged, 0},
		{"sns star is not lambda", "sns.amazonaws.com", "AddPermission", map[string]string{rq + "principal": "*"}, unchanged, 0},
		{"function URL without auth", "lambda.amazonaws.com", "CreateFunctionUrlConfig", map[string]string{rq + "authType": "NONE"}, pLambdaURLPublic, +1},
		{"function URL with IAM", "lambda.amazonaws.com", "CreateFunctionUrlConfig", map[string]string{rq + "authType": "AWS_IAM"}, pLambdaURLIAM, -1},
		{"detector disabled", "guardduty.amazonaws.com", "UpdateDetector", map[string]string{rq + "enable": "false"}, pDetectorOff, +1},
		{"detector enabled", "guardduty.amazonaws.com", "UpdateDetector", map[string]string{rq + "enable": "true"}, pDetectorOn, -1},

		// IAM policy attachment (Elastic / Datadog / Panther AdministratorAccess rules).
		{"admin policy to user", "iam.amazonaws.com", "AttachUserPolicy",
			map[string]string{rq + "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, pAttachAdmin, +1},
		{"IAMFullAccess to role", "iam.amazonaws.com", "AttachRolePolicy",
			map[string]string{rq + "policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}, pAttachAdmin, +1},
		{"admin policy to group, GovCloud", "iam.amazonaws.com", "AttachGroupPolicy",
			map[string]string{rq + "policyArn": "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"}, pAttachAdmin, +1},
		{"read-only policy to user", "iam.amazonaws.com", "AttachUserPolicy",
			map[string]string{rq + "policyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}, pAttachReadOnly, -1},
		{"service-role policy to role", "iam.amazonaws.com", "AttachRolePolicy",
			map[string]string{rq + "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}, pAttachService, -1},
		{"customer policy named like admin", "iam.amazonaws.com", "AttachUserPolicy",
			map[string]string{rq + "policyArn": "arn:aws:iam::111122223333:policy/AdministratorAccess"}, unchanged, 0},
		{"attach without a request", "iam.amazonaws.com", "AttachRolePolicy", nil, unchanged, 0},

		// Policy documents (Splunk "AWS Create Policy Version to allow all resources").
		{"policy version allows everything", "iam.amazonaws.com", "CreatePolicyVersion",
			map[string]string{rq + "policyDocument": adminDoc, rq + "setAsDefault": "true"}, pPolicyDocAdmin, +1},
		{"policy version not default", "iam.amazonaws.com", "CreatePolicyVersion",
			map[string]string{rq + "policyDocument": s3Doc, rq + "setAsDefault": "false"}, pPolicyNotDefault, -1},
		{"narrow policy version as default", "iam.amazonaws.com", "CreatePolicyVersion",
			map[string]string{rq + "policyDocument": s3Doc, rq + "setAsDefault": "true"}, unchanged, 0},
		{"inline admin policy on a user", "iam.amazonaws.com", "PutUserPolicy",
			map[string]string{rq + "policyDocument": `{"Statement":{"Effect":"Allow","Action":["*"],"Resource":["*"]}}`}, pPolicyDocAdmin, +1},
		{"deny-all inline policy", "iam.amazonaws.com", "PutRolePolicy",
			map[string]string{rq + "policyDocument": `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`}, unchanged, 0},
		{"iot policy is not iam", "iot.amazonaws.com", "CreatePolicy", map[string]string{rq + "policyDocument": adminDoc}, unchanged, 0},
		{"create policy, no source", "", "CreatePolicy", map[string]string{rq + "policyDocument": adminDoc}, unchanged, 0},

		// Credentials for another user (Splunk "AWS CreateAccessKey", Panther AWS.IAM.BackdoorUserKeys).
		{"access key for another user", "iam.amazonaws.com", "CreateAccessKey",
			caller("arn:aws:iam::111122223333:user/alice", "alice", "bob"), pKeyOtherUser, +1},
		{"access key for oneself", "iam.amazonaws.com", "CreateAccessKey",
			caller("arn:aws:iam::111122223333:user/ops/alice", "alice", "alice"), pKeyOwnUser, -1},
		{"access key from a role", "iam.amazonaws.com", "CreateAccessKey",
			caller("arn:aws:sts::111122223333:assumed-role/Admin/s", "", "bob"), pKeyOtherUser, +1},
		{"access key, no userName", "iam.amazonaws.com", "CreateAccessKey",
			caller("arn:aws:iam::111122223333:user/alice", "alice", ""), unchanged, 0},
		{"login profile for another user", "iam.amazonaws.com", "CreateLoginProfile",
			caller("arn:aws:iam::111122223333:user/alice", "alice", "bob"), pLoginOtherUser, +1},
		{"password reset by the user", "iam.amazonaws.com", "UpdateLoginProfile",
			caller("arn:aws:iam::111122223333:user/bob", "bob", "bob"), pLoginOwnUser, -1},
		{"login profile, caller unknown", "iam.amazonaws.com", "UpdateLoginProfile", caller("", "", "bob"), unchanged, 0},

		// Trust policies (Panther AWS.IAM.BackdoorRole, Stratus iam-backdoor-role).
		{"trust anyone", "iam.amazonaws.com", "UpdateAssumeRolePolicy",
			map[string]string{rq + "policyDocument": trust(`"*"`), "userIdentity.accountId": "111122223333"}, pTrustPublic, +1},
		{"trust an external account", "iam.amazonaws.com", "UpdateAssumeRolePolicy",
			map[string]string{rq + "policyDocument": trust(`{"AWS":"arn:aws:iam::193672423079:root"}`), "userIdentity.accountId": "111122223333"}, pTrustExternal, +1},
		{"create role trusting an external account", "iam.amazonaws.com", "CreateRole",
			map[string]string{rq + "assumeRolePolicyDocument": trust(`{"AWS":["arn:aws:iam::111122223333:root","999988887777"]}`), "recipientAccountId": "111122223333"}, pTrustExternal, +1},
		{"trust EC2 only", "iam.amazonaws.com", "UpdateAssumeRolePolicy",
			map[string]string{rq + "policyDocument": trust(`{"Service":"ec2.amazonaws.com"}`)}, pTrustService, -1},
		{"create role for lambda", "iam.amazonaws.com", "CreateRole",
			map[string]string{rq + "assumeRolePolicyDocument": trust(`{"Service":["lambda.amazonaws.com"]}`)}, pTrustService, -1},
		{"trust own account", "iam.amazonaws.com", "UpdateAssumeRolePolicy",
			map[string]string{rq + "policyDocument": trust(`{"AWS":"arn:aws:iam::111122223333:root"}`), "userIdentity.accountId": "111122223333"}, unchanged, 0},
		{"trust another account, own unknown", "iam.amazonaws.com", "UpdateAssumeRolePolicy",
			map[string]string{rq + "policyDocument": trust(`{"AWS":"arn:aws:iam::193672423079:root"}`)}, unchanged, 0},
		{"trust garbled", "iam.amazonaws.com", "UpdateAssumeRolePolicy", map[string]string{rq + "policyDocument": `{"Statement":[`}, unchanged, 0},

		// Resource policies (Panther AWS.CloudTrail.ResourceMadePublic).
		{"key policy public", "kms.amazonaws.com", "PutKeyPolicy", map[string]string{rq + "policy": trust(`{"AWS":"*"}`)}, pResourcePublic, +1},
		{"key policy to another account", "kms.amazonaws.com", "PutKeyPolicy",
			map[string]string{rq + "policy": trust(`{"AWS":"arn:aws:iam::999988887777:root"}`), "userIdentity.accountId": "111122223333"}, pResourceExternal, +1},
		{"repository public", "ecr.amazonaws.com", "SetRepositoryPolicy", map[string]string{rq + "policyText": trust(`"*"`)}, pResourcePublic, +1},
		{"secret public", "secretsmanager.amazonaws.com", "PutResourcePolicy", map[string]string{rq + "resourcePolicy": trust(`{"AWS":["*"]}`)}, pResourcePublic, +1},
		{"queue public", "sqs.amazonaws.com", "SetQueueAttributes", map[string]string{rq + "attributes.Policy": trust(`"*"`)}, pResourcePublic, +1},
		{"queue star scoped by condition", "sqs.amazonaws.com", "SetQueueAttributes",
			map[string]string{rq + "attributes.Policy": `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}}]}`}, unchanged, 0},
		{"queue visibility timeout", "sqs.amazonaws.com", "SetQueueAttributes", map[string]string{rq + "attributes.VisibilityTimeout": "30"}, unchanged, 0},
		{"topic public", "sns.amazonaws.com", "SetTopicAttributes",
			map[string]string{rq + "attributeName": "Policy", rq + "attributeValue": trust(`{"AWS":"*"}`)}, pResourcePublic, +1},
		{"topic display name", "sns.amazonaws.com", "SetTopicAttributes",
			map[string]string{rq + "attributeName": "DisplayName", rq + "attributeValue": `"*"`}, unchanged, 0},

		// S3 logging and lifecycle (Splunk "AWS Defense Evasion PutBucketLifecycle", Stratus cloudtrail-lifecycle-rule).
		{"bucket logging off", "s3.amazonaws.com", "PutBucketLogging",
			map[string]string{rq + "BucketLoggingStatus.xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}, pLoggingOff, +1},
		{"bucket logging on", "s3.amazonaws.com", "PutBucketLogging",
			map[string]string{rq + "BucketLoggingStatus.xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
				rq + "BucketLoggingStatus.LoggingEnabled.TargetBucket": "logs"}, pLoggingOn, -1},
		{"bucket logging, no request", "s3.amazonaws.com", "PutBucketLogging", nil, unchanged, 0},
		{"lifecycle one day", "s3.amazonaws.com", "PutBucketLifecycle",
			map[string]string{rq + "LifecycleConfiguration.Rule.Expiration.Days": "1"}, pLifecycleShort, +1},
		{"lifecycle one of two rules short", "s3.amazonaws.com", "PutBucketLifecycleConfiguration",
			map[string]string{rq + "LifecycleConfiguration.Rule{}.Expiration.Days": "365\n2"}, pLifecycleShort, +1},
		{"lifecycle one year", "s3.amazonaws.com", "PutBucketLifecycle",
			map[string]string{rq + "LifecycleConfiguration.Rule{}.Expiration.Days": "365",
				rq + "LifecycleConfiguration.Rule{}.NoncurrentVersionExpiration.NoncurrentDays": "90"}, pLifecycleLong, -1},
		{"lifecycle a week", "s3.amazonaws.com", "PutBucketLifecycle",
			map[string]string{rq + "LifecycleConfiguration.Rule.Expiration.Days": "7"}, unchanged, 0},
		{"lifecycle transitions only", "s3.amazonaws.com", "PutBucketLifecycle",
			map[string]string{rq + "LifecycleConfiguration.Rule.Transition.Days": "30"}, unchanged, 0},

		// RunInstances (Stratus ec2-launch-unusual-instances, Panther AWS.EC2.LaunchUnusualEC2Instances).
		{"gpu instances", "ec2.amazonaws.com", "RunInstances", map[string]string{rq + "instanceType": "p3.16xlarge"}, pRunAccelerated, +1},
		{"trainium instance", "ec2.amazonaws.com", "RunInstances", map[string]string{rq + "instanceType": "trn1.32xlarge"}, pRunAccelerated, +1},
		{"ten at once", "ec2.amazonaws.com", "RunInstances",
			map[string]string{rq + "instanceType": "c5.4xlarge", rq + "instancesSet.items{}.minCount": "10", rq + "instancesSet.items{}.maxCount": "10"}, pRunMany, +1},
		{"a t3.micro", "ec2.amazonaws.com", "RunInstances",
			map[string]string{rq + "instanceType": "t3.micro", rq + "instancesSet.items{}.minCount": "1"}, pRunSmall, -1},
		{"a graviton m7g", "ec2.amazonaws.com", "RunInstances", map[string]string{rq + "instanceType": "m7g.large"}, unchanged, 0},
		{"a t3.2xlarge", "ec2.amazonaws.com", "RunInstances", map[string]string{rq + "instanceType": "t3.2xlarge"}, unchanged, 0},
		{"launch template, no type", "ec2.amazonaws.com", "RunInstances", nil, unchanged, 0},

		// Impact: S3 objects re-encrypted with SSE-C (Codefinger) or another account's KMS key.
		{"copy with sse-c", "s3.amazonaws.com", "CopyObject",
			map[string]string{rq + "x-amz-server-side-encryption-customer-algorithm": "AES256", rq + "bucketName": "b"}, pObjectSSEC, +1},
		{"put with sse-c", "s3.amazonaws.com", "PutObject",
			map[string]string{rq + "x-amz-server-side-encryption-customer-algorithm": "AES256"}, pObjectSSEC, +1},
		{"copy with another account's key", "s3.amazonaws.com", "CopyObject",
			map[string]string{rq + "x-amz-server-side-encryption": "aws:kms", "userIdentity.accountId": "111122223333",
				rq + "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:999988887777:key/1234abcd"}, pObjectExternalKey, +1},
		{"copy with an own-account key", "s3.amazonaws.com", "CopyObject",
			map[string]string{rq + "x-amz-server-side-encryption": "aws:kms", "userIdentity.accountId": "111122223333",
				rq + "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd"}, unchanged, 0},
		{"copy with a key arn, caller account unknown", "s3.amazonaws.com", "CopyObject",
			map[string]string{rq + "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:999988887777:key/1"}, unchanged, 0},
		{"put without encryption headers", "s3.amazonaws.com", "PutObject", map[string]string{rq + "key": "a.txt"}, unchanged, 0},

		// Bucket default encryption (Rhino Security Labs, S3 ransomware with an attacker's KMS key).
		{"bucket default to another account's key", "s3.amazonaws.com", "PutBucketEncryption",
			map[string]string{"recipientAccountId": "111122223333",
				rq + "ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm":   "aws:kms",
				rq + "ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID": "arn:aws:kms:eu-west-1:999988887777:key/k"},
			pBucketExternalKey, +1},
		{"bucket default to sse-s3", "s3.amazonaws.com", "PutBucketEncryption",
			map[string]string{rq + "ServerSideEncryptionConfiguration.Rule{}.ApplyServerSideEncryptionByDefault.SSEAlgorithm": "AES256"}, pBucketOwnKey, -1},
		{"bucket default to an own key alias", "s3.amazonaws.com", "PutBucketEncryption",
			map[string]string{rq + "ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID": "alias/data"}, pBucketOwnKey, -1},
		{"bucket default kms without a key or account", "s3.amazonaws.com", "PutBucketEncryption",
			map[string]string{rq + "ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID": "arn:aws:kms:eu-west-1:999988887777:key/k"},
			unchanged, 0},
		{"bucket encryption without a request", "s3.amazonaws.com", "PutBucketEncryption", nil, unchanged, 0},

		// RDS deletion without a final snapshot.
		{"db deleted, no snapshot, no backups", "rds.amazonaws.com", "DeleteDBInstance",
			map[string]string{rq + "skipFinalSnapshot": "true", rq + "deleteAutomatedBackups": "true"}, pDBDeleteNoBackups, +1},
		{"cluster deleted, no snapshot", "rds.amazonaws.com", "DeleteDBCluster", map[string]string{rq + "skipFinalSnapshot": "true"}, pDBDeleteNoSnapshot, +1},
		{"db deleted with a final snapshot", "rds.amazonaws.com", "DeleteDBInstance",
			map[string]string{rq + "skipFinalSnapshot": "false", rq + "finalDBSnapshotIdentifier": "db-final"}, pDBDeleteSnapshot, -1},
		{"db deleted, snapshot name only", "rds.amazonaws.com", "DeleteDBCluster",
			map[string]string{rq + "finalDBSnapshotIdentifier": "db-final"}, pDBDeleteSnapshot, -1},
		{"db deleted, no flags", "rds.amazonaws.com", "DeleteDBInstance", map[string]string{rq + "dBInstanceIdentifier": "db"}, unchanged, 0},

		// No eventSource: the name alone selects the refiner.
		{"versioning suspended, no source", "", "putbucketversioning",
			map[string]string{rq + "VersioningConfiguration.Status": "Suspended"}, pVersioningSuspended, +1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := LookupAPI(tc.source, tc.api)
			got := RefineAPI(p, tc.source, tc.api, getter(tc.req))
			require.Equal(t, p.Source, got.Source, "a refinement keeps where the prior came from")
			if tc.want == unchanged {
				require.Equal(t, p, got)
				return
			}
			require.Equal(t, tc.want.Impact, got.Impact)
			require.Equal(t, tc.want.Reason, got.Reason)
			require.Equal(t, tc.want.Technique, got.Technique)
			switch tc.lowerOrRaise {
			case +1:
				require.Greater(t, got.Impact, p.Impact, "an attack-shaped request must rise above the table (%d)", p.Impact)
			case -1:
				require.Less(t, got.Impact, p.Impact, "a hardening-shaped request must fall below the table (%d)", p.Impact)
			}
		})
	}
}

// adminDoc and s3Doc are IAM policy documents as CloudTrail logs them: a JSON string.
const (
	adminDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	s3Doc    = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"*\"}]\n}"
)

// trust is a one-statement policy allowing principal (a JSON value) sts:AssumeRole.
func trust(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
}

// caller is an IAM credential request by callerARN/callerName for target ("" fields left out).
func caller(callerARN, callerName, target string) map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{"userIdentity.arn": callerARN, "userIdentity.userName": callerName,
		"requestParameters.userName": target} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

func pab(blockACLs, ignoreACLs, blockPolicy, restrict string) map[string]string {
	const c = "requestParameters.PublicAccessBlockConfiguration."
	return map[string]string{c + "BlockPublicAcls": blockACLs, c + "IgnorePublicAcls": ignoreACLs,
		c + "BlockPublicPolicy": blockPolicy, c + "RestrictPublicBuckets": restrict}
}

func ingress(protocol, from, to, cidr string) map[string]string {
	const c = "requestParameters.ipPermissions.items{}."
	return map[string]string{c + "ipProtocol": protocol, c + "fromPort": from, c + "toPort": to, c + "ipRanges.items{}.cidrIp": cidr}
}

// TestRequestInputs: every field a refiner test reads is declared, so required_fields is exact.
func TestRequestInputs(t *testing.T) {
	read := map[string]bool{}
	get := func(f string) string { read[f] = true; return "" }
	for _, rf := range refiners {
		RefineAPI(LookupAPI(rf.service, rf.name), rf.service, rf.name, get)
	}
	inputs := RequestInputs()
	for f := range read {
		require.Contains(t, inputs, f)
	}
	d := NewDeriver(APICall, DefaultOptions())
	for _, f := range inputs {
		require.True(t, slices.Contains(d.Inputs(), f), "Deriver.Inputs lacks %s", f)
	}
	require.False(t, slices.Contains(NewDeriver(Console, DefaultOptions()).Inputs(), inSnapAddGroup[0]),
		"the console set reads no request")
}

// TestRefineAPIPolicyAllocs: the policy-document refiners scan their JSON string in place.
func TestRefineAPIPolicyAllocs(t *testing.T) {
	get := getter(map[string]string{
		"requestParameters.policyDocument": trust(`{"AWS":["arn:aws:iam::111122223333:root","999988887777"],"Service":"ec2.amazonaws.com"}`),
		"userIdentity.accountId":           "111122223333", "userIdentity.arn": "arn:aws:iam::111122223333:user/alice",
		"requestParameters.userName": "bob",
	})
	allocs := testing.AllocsPerRun(100, func() {
		RefineAPI(APIPrior{}, "iam.amazonaws.com", "UpdateAssumeRolePolicy", get)
		RefineAPI(APIPrior{}, "iam.amazonaws.com", "CreatePolicyVersion", get)
		RefineAPI(APIPrior{}, "iam.amazonaws.com", "CreateAccessKey", get)
	})
	require.Zero(t, allocs)
}

// TestScanPolicy: the summary of statement shapes the refiners read.
func TestScanPolicy(t *testing.T) {
	const own = "111122223333"
	tests := []struct {
		name string
		doc  string
		want policySummary
	}{
		{"admin", adminDoc, policySummary{ok: true, allowAdmin: true, statements: 1}},
		{"single statement object", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*"}}`,
			policySummary{ok: true, allowStar: true, statements: 1}},
		{"deny star is not a grant", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`,
			policySummary{ok: true, statements: 1}},
		{"star under a condition", `{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]}`,
			policySummary{ok: true, allowOther: true, statements: 1}},
		{"empty condition does not scope", `{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{}}]}`,
			policySummary{ok: true, allowStar: true, statements: 1}},
		{"external account and service", trust(`{"AWS":"999988887777","Service":"ec2.amazonaws.com"}`),
			policySummary{ok: true, allowExternal: true, allowService: true, statements: 1}},
		{"escaped strings and nesting", `{"Sid":"a\"b","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/x"},"Condition":{"A":{"b":["c",{"d":1}]}}}]}`,
			policySummary{ok: true, allowOther: true, statements: 1}},
		{"not an object", `"*"`, policySummary{}},
		{"truncated", `{"Statement":[{"Effect":"Allow","Principal":"*"`, policySummary{}},
		{"no statement", `{"Version":"2012-10-17"}`, policySummary{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, scanPolicy(tc.doc, own))
		})
	}
}

// FuzzScanPolicy: any string scans without panicking, and a document that does not parse
// summarises as nothing, so it can never move a prior.
func FuzzScanPolicy(f *testing.F) {
	for _, s := range []string{adminDoc, s3Doc, trust(`"*"`), trust(`{"AWS":["999988887777"]}`), `{"Statement":[`, `{`, `[[[[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		s := scanPolicy(doc, "111122223333")
		if !s.ok {
			require.False(t, s.allowStar || s.allowExternal || s.allowAdmin, "a failed scan grants nothing: %+v", s)
		}
		principalAccount(doc)
	})
}

// TestRefineAPIAllocs: RefineAPI is on Derive's hot path.
func TestRefineAPIAllocs(t *testing.T) {
	get := getter(ingress("tcp\ntcp", "22\n443", "22\n443", "10.0.0.0/8\n0.0.0.0/0"))
	p := LookupAPI("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress")
	enc := getter(map[string]string{"userIdentity.accountId": "111122223333",
		"requestParameters.x-amz-server-side-encryption-aws-kms-key-id":                                              "arn:aws:kms:us-east-1:999988887777:key/k",
		"requestParameters.ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID": "arn:aws:kms:us-east-1:999988887777:key/k",
	})
	allocs := testing.AllocsPerRun(100, func() {
		RefineAPI(p, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", get)
		RefineAPI(p, "ec2.amazonaws.com", "DescribeInstances", get)
		RefineAPI(p, "s3.amazonaws.com", "CopyObject", enc)
		RefineAPI(p, "s3.amazonaws.com", "PutBucketEncryption", enc)
	})
	require.Zero(t, allocs)
}

func BenchmarkRefineAPI(b *testing.B) {
	get := getter(map[string]string{
		"requestParameters.bucketPolicy.Statement{}.Effect":    "Deny\nAllow",
		"requestParameters.bucketPolicy.Statement{}.Principal": "*\n*",
	})
	p := LookupAPI("s3.amazonaws.com", "PutBucketPolicy")
	b.ReportAllocs()
	for b.Loop() {
		RefineAPI(p, "s3.amazonaws.com", "PutBucketPolicy", get)
	}
}

func BenchmarkRefineAPIPolicyDocument(b *testing.B) {
	get := getter(map[string]string{
		"requestParameters.policyDocument": trust(`{"AWS":["arn:aws:iam::111122223333:root","999988887777"],"Service":"ec2.amazonaws.com"}`),
		"userIdentity.accountId":           "111122223333",
	})
	p := LookupAPI("iam.amazonaws.com", "UpdateAssumeRolePolicy")
	b.ReportAllocs()
	for b.Loop() {
		RefineAPI(p, "iam.amazonaws.com", "UpdateAssumeRolePolicy", get)
	}
}
