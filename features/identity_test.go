package features

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeIdentity(t *testing.T) {
	tests := []struct {
		name string
		in   UserIdentity
		want Identity
	}{
		{
			name: "root with ARN",
			in:   UserIdentity{Type: "Root", ARN: "arn:aws:iam::111122223333:root", PrincipalID: "111122223333", AccountID: "111122223333", AccessKeyID: "ASIAEXAMPLEROOT"},
			want: Identity{KindRoot, "root@111122223333", None, None, "ASIAEXAMPLEROOT", "111122223333", RiskUser},
		},
		{
			name: "root failed console login: no ARN, account from recipient",
			in:   UserIdentity{Type: "Root", UserName: "root", Recipient: "111122223333"},
			want: Identity{KindRoot, "root@111122223333", None, None, Unknown, "111122223333", RiskUser},
		},
		{
			name: "root with nothing else",
			in:   UserIdentity{Type: "Root"},
			want: Identity{KindRoot, "root", None, None, Unknown, Unknown, RiskUser},
		},
		{
			name: "IAM user with path",
			in:   UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/ops/alice", PrincipalID: "AIDAEXAMPLE", AccountID: "111122223333", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", UserName: "alice"},
			want: Identity{KindIAMUser, "alice", None, None, "AKIAIOSFODNN7EXAMPLE", "111122223333", RiskUser},
		},
		{
			name: "IAM user failed console login: userName only",
			in:   UserIdentity{Type: "IAMUser", UserName: "bob", AccountID: "111122223333"},
			want: Identity{KindIAMUser, "bob", None, None, Unknown, "111122223333", RiskUser},
		},
		{
			name: "IAM user from ARN without type (Add-on user_arn only)",
			in:   UserIdentity{ARN: "arn:aws:iam::111122223333:user/carol"},
			want: Identity{KindIAMUser, "carol", None, None, Unknown, "111122223333", RiskUser},
		},
		{
			name: "assumed role, one session",
			in: UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/Admin/alice", PrincipalID: "AROAEXAMPLE:alice",
				AccountID: "111122223333", AccessKeyID: "ASIAEXAMPLE1", IssuerARN: "arn:aws:iam::111122223333:role/Admin", IssuerUserName: "Admin"},
			want: Identity{KindAssumedRole, "Admin", "Admin", "alice", "ASIAEXAMPLE1", "111122223333", RiskUser},
		},
		{
			name: "assumed role, rotating botocore session keeps the role as principal",
			in:   UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/Admin/botocore-session-1709300712", AccountID: "111122223333"},
			want: Identity{KindAssumedRole, "Admin", "Admin", "botocore-session-1709300712", Unknown, "111122223333", RiskUser},
		},
		{
			name: "assumed role without ARN: issuer and principalId",
			in:   UserIdentity{Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:deploy-42", IssuerARN: "arn:aws:iam::111122223333:role/service/Deployer", IssuerUserName: "Deployer"},
			want: Identity{KindAssumedRole, "Deployer", "Deployer", "deploy-42", Unknown, "111122223333", RiskUser},
		},
		{
			name: "EC2 instance role",
			in:   UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/web-instance-profile/i-0a1b2c3d4e5f60718", AccountID: "111122223333", AccessKeyID: "ASIAINSTANCE"},
			want: Identity{KindAssumedRole, "web-instance-profile", "web-instance-profile", "i-0a1b2c3d4e5f60718", "ASIAINSTANCE", "111122223333", RiskSystem},
		},
		{
			name: "ECS task role",
			in:   UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/app-task/3f1c9a6de0b24c2a9a1b0c4d5e6f7a8b"},
			want: Identity{KindAssumedRole, "app-task", "app-task", "3f1c9a6de0b24c2a9a1b0c4d5e6f7a8b", Unknown, "111122223333", RiskSystem},
		},
		{
			name: "service-linked role",
			in: UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/AWSConfig-Describe",
				IssuerARN: "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", AccountID: "111122223333"},
			want: Identity{KindAssumedRole, "AWSServiceRoleForConfig", "AWSServiceRoleForConfig", "AWSConfig-Describe", Unknown, "111122223333", RiskSystem},
		},
		{
			name: "CI role is a system",
			in:   UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::444455556666:assumed-role/ci-deploy/GitHubActions", AccountID: "444455556666"},
			want: Identity{KindAssumedRole, "ci-deploy", "ci-deploy", "GitHubActions", Unknown, "444455556666", RiskSystem},
		},
		{
			name: "IAM Identity Center permission set: the person is the session",
			in: UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com",
				IssuerARN: "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef", AccountID: "111122223333"},
			want: Identity{KindSSO, "alice@example.com", "AWSReservedSSO_AdministratorAccess_0123456789abcdef", "alice@example.com", Unknown, "111122223333", RiskUser},
		},
		{
			name: "Identity Center user",
			in:   UserIdentity{Type: "IdentityCenterUser", UserName: "dave", AccountID: "111122223333"},
			want: Identity{KindSSO, "dave", None, None, Unknown, "111122223333", RiskUser},
		},
		{
			name: "AWS service with invokedBy",
			in:   UserIdentity{Type: "AWSService", InvokedBy: "ec2.amazonaws.com", Recipient: "111122223333"},
			want: Identity{KindAWSService, "ec2.amazonaws.com", None, None, Unknown, "111122223333", RiskSystem},
		},
		{
			name: "federated user from GetFederationToken",
			in:   UserIdentity{Type: "FederatedUser", ARN: "arn:aws:sts::111122223333:federated-user/bob", PrincipalID: "111122223333:bob", AccountID: "111122223333"},
			want: Identity{KindFederated, "bob", None, None, Unknown, "111122223333", RiskUser},
		},
		{
			name: "SAML user",
			in:   UserIdentity{Type: "SAMLUser", UserName: "erin@example.com", PrincipalID: "SAMPLEHASH:erin@example.com"},
			want: Identity{KindFederated, "erin@example.com", None, None, Unknown, Unknown, RiskUser},
		},
		{
			name: "cross-account caller",
			in:   UserIdentity{Type: "AWSAccount", PrincipalID: "AIDAOTHER:x", AccountID: "999988887777", Recipient: "111122223333"},
			want: Identity{KindAWSAccount, "999988887777", None, None, Unknown, "999988887777", RiskSystem},
		},
		{
			name: "nothing at all",
			in:   UserIdentity{},
			want: Identity{Unknown, Unknown, None, None, Unknown, Unknown, RiskOther},
		},
		{
			name: "Unknown type with a userName",
			in:   UserIdentity{Type: "Unknown", UserName: "frank"},
			want: Identity{Unknown, "frank", None, None, Unknown, Unknown, RiskUser},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, NormalizeIdentity(tc.in))
		})
	}
}

func TestNormalizeIdentityRotatingSessions(t *testing.T) {
	var principals, sessions = map[string]bool{}, map[string]bool{}
	for _, s := range []string{"botocore-session-1", "botocore-session-2", "aws-go-sdk-1709300712", "alice"} {
		id := NormalizeIdentity(UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/Ops/" + s})
		principals[id.Principal] = true
		sessions[id.Session] = true
	}
	require.Len(t, principals, 1, "one role, one principal")
	require.Len(t, sessions, 4)
}

func TestIsIaC(t *testing.T) {
	tf := "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.2"
	tests := []struct {
		name, ua, invokedBy string
		id                  Identity
		want                bool
	}{
		// An agent alone is the caller's claim: a stolen key may send Terraform's.
		{"terraform agent", tf, "", Identity{Kind: KindIAMUser, Principal: "alice"}, false},
		{"cdk agent", "aws-cdk/2.130.0 (CLI) os/linux", "", Identity{}, false},
		{"pulumi agent", "aws-sdk-go/1.50 Pulumi/3.100", "", Identity{}, false},
		{"terraform agent, CI role", tf, "", Identity{Kind: KindAssumedRole, Role: "terraform-ci", Session: "run-42"}, true},
		{"cloudformation invokes", "cloudformation.amazonaws.com", "cloudformation.amazonaws.com", Identity{Kind: KindAWSService}, true},
		{"github session", "aws-sdk-js/3.0", "", Identity{Kind: KindAssumedRole, Role: "deploy", Session: "GitHubActions"}, true},
		{"cdk role", "aws-cli/2.15", "", Identity{Kind: KindAssumedRole, Role: "cdk-hnb659fds-deploy-role-111122223333-us-east-1", Session: "x"}, true},
		{"jenkins user", "aws-cli/2.15", "", Identity{Kind: KindIAMUser, Principal: "jenkins-builder"}, true},
		{"human cli", "aws-cli/2.15.30 Python/3.11.8 Darwin/23.3.0", "", Identity{Kind: KindIAMUser, Principal: "alice"}, false},
		{"console", "console.amazonaws.com", "", Identity{Kind: KindSSO, Principal: "bob@example.com"}, false},
		{"empty", "", "", Identity{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, IsIaC(tc.id, tc.invokedBy))
		})
	}
}

func TestReadOnly(t *testing.T) {
	tests := []struct{ field, name, want string }{
		{"true", "GetSecretValue", "1"},
		{"false", "ListBuckets", "0"}, // CloudTrail's field wins over the verb
		{"", "ListBuckets", "1"},
		{"", "DescribeInstances", "1"},
		{"", "HeadBucket", "1"},
		{"", "LookupEvents", "1"},
		{"", "BatchGetSecretValue", "1"},
		{"", "GetObject", "1"},
		{"", "DeleteTrail", "0"},
		{"", "ConsoleLogin", "0"},
		{"", "Listen", "0"}, // not the List verb
		{"", "", Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.field, func(t *testing.T) {
			require.Equal(t, tc.want, ReadOnly(tc.field, tc.name))
		})
	}
}

func TestErrorClassExtended(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AccessDenied", ErrAccessDenied},
		{"AccessDeniedException", ErrAccessDenied},
		{"UnauthorizedOperation", ErrAccessDenied},
		{"Client.UnauthorizedOperation", ErrAccessDenied},
		{"UnauthorizedAccess", ErrAccessDenied},
		{"NotAuthorizedException", ErrAccessDenied},
		{"AuthorizationError", ErrAccessDenied},
		{"Forbidden", ErrAccessDenied},
		{"OptInRequired", ErrAccessDenied},
		{"InvalidClientTokenId", ErrAuthFailure}, // before the generic "invalid"
		{"SignatureDoesNotMatch", ErrAuthFailure},
		{"AuthFailure", ErrAuthFailure},
		{"Client.AuthFailure", ErrAuthFailure},
		{"InvalidAccessKeyId", ErrAuthFailure},
		{"UnrecognizedClientException", ErrAuthFailure},
		{"failure", ErrAuthFailure},
		{"ExpiredToken", ErrOther}, // routine: a session outliving its token
		{"ExpiredTokenException", ErrOther},
		{"Throttling", ErrThrottling},
		{"TooManyRequestsException", ErrThrottling},
		{"Client.RequestLimitExceeded", ErrThrottling},
		{"NoSuchEntity", ErrNotFound},
		{"NoSuchBucket", ErrNotFound},
		{"Client.InvalidInstanceID.NotFound", ErrNotFound},
		{"ResourceNotFoundException", ErrNotFound},
		{"EntityAlreadyExists", ErrConflict},
		{"BucketAlreadyOwnedByYou", ErrConflict},
		{"ResourceInUseException", ErrConflict},
		{"Client.InvalidPermission.Duplicate", ErrConflict}, // before the generic "invalid"
		{"ConcurrentModificationException", ErrConflict},
		{"ValidationException", ErrInvalid},
		{"InvalidParameterValueException", ErrInvalid},
		{"MalformedPolicyDocument", ErrInvalid},
		{"ServiceUnavailable", ErrOther},
		{"", None},
		{"Success", None},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := ErrorClass(tc.in)
			require.Equal(t, tc.want, got)
			require.Contains(t, ErrorClasses, got)
		})
	}
}

func FuzzNormalizeIdentity(f *testing.F) {
	f.Add("AssumedRole", "arn:aws:sts::1:assumed-role/R/s", "AROA:s", "AWSReservedSSO_x", "")
	f.Add("Root", "", "", "", "1")
	f.Add("", "arn:", ":", "", "")
	f.Fuzz(func(t *testing.T, typ, arn, principalID, issuerName, recipient string) {
		id := NormalizeIdentity(UserIdentity{Type: typ, ARN: arn, PrincipalID: principalID, IssuerUserName: issuerName, Recipient: recipient})
		for _, v := range []string{id.Kind, id.Principal, id.Role, id.Session, id.AccessKey, id.Account, id.RiskObjectType} {
			require.NotEmpty(t, v, "%+v", id)
		}
		require.Contains(t, PrincipalKinds, id.Kind)
		require.Contains(t, []string{RiskUser, RiskSystem, RiskOther}, id.RiskObjectType)
	})
}

// TestUserIdentityOf: every IdentityFields value lands in its UserIdentity field, and a failed
// console sign-in's user name comes from additionalEventData.UserName.
func TestUserIdentityOf(t *testing.T) {
	rec := map[string]string{}
	for _, f := range IdentityFields {
		rec[f] = "v:" + f
	}
	u := UserIdentityOf(func(f string) string { return rec[f] })
	require.Equal(t, UserIdentity{
		Type: "v:userIdentity.type", ARN: "v:userIdentity.arn", PrincipalID: "v:userIdentity.principalId",
		AccessKeyID: "v:userIdentity.accessKeyId", AccountID: "v:userIdentity.accountId",
		IssuerARN: "v:userIdentity.sessionContext.sessionIssuer.arn", IssuerUserName: "v:userIdentity.sessionContext.sessionIssuer.userName",
		InvokedBy: "v:userIdentity.invokedBy", UserName: "v:userIdentity.userName", Recipient: "v:recipientAccountId",
	}, u)
	delete(rec, "userIdentity.userName")
	require.Equal(t, "v:additionalEventData.UserName", UserIdentityOf(func(f string) string { return rec[f] }).UserName)
}
