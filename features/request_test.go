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

// TestRefineAPIAllocs: RefineAPI is on Derive's hot path.
func TestRefineAPIAllocs(t *testing.T) {
	get := getter(ingress("tcp\ntcp", "22\n443", "22\n443", "10.0.0.0/8\n0.0.0.0/0"))
	p := LookupAPI("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress")
	allocs := testing.AllocsPerRun(100, func() {
		RefineAPI(p, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", get)
		RefineAPI(p, "ec2.amazonaws.com", "DescribeInstances", get)
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
