package features

import (
	"bytes"
	"strings"
)

// Principal kinds returned in Identity.Kind (ct_principal_kind).
const (
	KindRoot        = "root"
	KindIAMUser     = "iam_user"
	KindAssumedRole = "assumed_role"
	KindFederated   = "federated"
	KindSSO         = "sso"
	KindAWSService  = "aws_service"
	KindAWSAccount  = "aws_account"
)

// PrincipalKinds lists every value of Identity.Kind.
var PrincipalKinds = []string{KindRoot, KindIAMUser, KindAssumedRole, KindFederated, KindSSO, KindAWSService, KindAWSAccount, Unknown}

// Risk object types (Splunk Enterprise Security's risk_object_type).
const (
	RiskUser   = "user"
	RiskSystem = "system"
	RiskOther  = "other"
)

// UserIdentity holds the userIdentity fields of one CloudTrail record ("" when absent).
type UserIdentity struct {
	Type           string // userIdentity.type
	ARN            string // userIdentity.arn
	PrincipalID    string // userIdentity.principalId ("AROA...:session" for roles)
	AccessKeyID    string // userIdentity.accessKeyId
	AccountID      string // userIdentity.accountId
	IssuerARN      string // userIdentity.sessionContext.sessionIssuer.arn
	IssuerUserName string // userIdentity.sessionContext.sessionIssuer.userName (the role name)
	InvokedBy      string // userIdentity.invokedBy
	UserName       string // userIdentity.userName (also on failed console sign-ins without an ARN)
	Recipient      string // recipientAccountId: the account when the caller's is not recorded
}

// IdentityFields are the raw CloudTrail fields of a UserIdentity, in the order UserIdentityFrom
// takes them: every place that reads a principal from a record reads these.
var IdentityFields = [...]string{
	"userIdentity.type", "userIdentity.arn", "userIdentity.principalId", "userIdentity.accessKeyId",
	"userIdentity.accountId", "userIdentity.sessionContext.sessionIssuer.arn",
	"userIdentity.sessionContext.sessionIssuer.userName", "userIdentity.invokedBy",
	"userIdentity.userName", "additionalEventData.UserName", "recipientAccountId",
}

// UserIdentityFrom builds a UserIdentity from the values of IdentityFields, in order. A failed
// console sign-in has no ARN and names its user only in additionalEventData.UserName.
func UserIdentityFrom(v *[len(IdentityFields)]string) UserIdentity {
	u := UserIdentity{
		Type: v[0], ARN: v[1], PrincipalID: v[2], AccessKeyID: v[3], AccountID: v[4], IssuerARN: v[5],
		IssuerUserName: v[6], InvokedBy: v[7], UserName: v[8], Recipient: v[10],
	}
	if u.UserName == "" {
		u.UserName = v[9]
	}
	return u
}

// UserIdentityOf is UserIdentityFrom of a record's fields (get returns "" for an absent one).
func UserIdentityOf(get func(field string) string) UserIdentity {
	var v [len(IdentityFields)]string
	for i, f := range IdentityFields {
		v[i] = get(f)
	}
	return UserIdentityFrom(&v)
}

// Identity is the normalised principal behind an event.
//
// Principal is the name an analyst triages and risk accumulates on, stable across sessions:
//
//	root               root@<account> ("root" when no account is recorded)
//	iam_user           the user name (path dropped)
//	assumed_role       the role name: assumed-role/R/s -> R, so rotating session names do not
//	                   split one role into many new principals
//	sso                the session name, which Identity Center sets to the person's user name
//	                   (AWSReservedSSO_<PermissionSet>_<hash>/alice@example.com -> alice@example.com)
//	federated          the federated user name (federated-user/bob, SAML/web identity userName)
//	aws_service        the service principal (invokedBy, e.g. ec2.amazonaws.com)
//	aws_account        the calling account id
//
// A failed console sign-in for a user name that does not exist is recorded by AWS with userName
// HIDDEN_DUE_TO_SECURITY_REASONS; that value is kept as the principal, so a password spray over
// made-up names accumulates on one principal instead of vanishing.
//
// RiskObjectType is "user" for people and "system" for machines: root, IAM users, federated and
// SSO principals are users; AWS services, other accounts, service-linked roles
// (AWSServiceRoleFor*, path aws-service-role/), roles whose session is an EC2 instance id
// (i-0123...) or a task/UUID-like hex id, and roles or sessions named after an IaC/CI tool are
// systems; any other assumed role is a user, because people assume roles and an unknown
// automation role is better triaged like one; no identity at all is "other".
type Identity struct {
	Kind           string
	Principal      string
	Role           string // role name for assumed_role and sso, else "none"
	Session        string // role session name for assumed_role and sso, else "none"
	AccessKey      string // access key id, "unknown" when not recorded
	Account        string // caller account: accountId, the ARN's, the issuer's, then recipientAccountId
	RiskObjectType string
}

// NormalizeIdentity derives an Identity from userIdentity. It never fails; missing parts are
// "unknown". It allocates only to build "root@<account>".
func NormalizeIdentity(u UserIdentity) Identity {
	id := Identity{Kind: Unknown, Principal: Unknown, Role: None, Session: None, AccessKey: Unknown, Account: Unknown, RiskObjectType: RiskOther}
	if v := strings.TrimSpace(u.AccessKeyID); v != "" {
		id.AccessKey = v
	}
	id.Account = firstNonEmpty(strings.TrimSpace(u.AccountID), arnAccount(u.ARN), arnAccount(u.IssuerARN), strings.TrimSpace(u.Recipient))
	if id.Account == "" {
		id.Account = Unknown
	}
	res := arnResource(u.ARN)
	typ := strings.TrimSpace(u.Type)
	switch {
	case strings.EqualFold(typ, "Root") || (typ == "" && res == "root"):
		id.Kind = KindRoot
		id.Principal = "root"
		if id.Account != Unknown {
			id.Principal = "root@" + id.Account
		}
	case strings.EqualFold(typ, "IAMUser") || (typ == "" && strings.HasPrefix(res, "user/")):
		id.Kind = KindIAMUser
		id.Principal = firstNonEmpty(strings.TrimSpace(u.UserName), lastSegment(res))
	case strings.EqualFold(typ, "AssumedRole") || (typ == "" && strings.HasPrefix(res, "assumed-role/")):
		id.Kind = KindAssumedRole
		role, session := splitAssumedRole(res)
		if role == "" {
			role = firstNonEmpty(strings.TrimSpace(u.IssuerUserName), lastSegment(arnResource(u.IssuerARN)))
		}
		if session == "" {
			if _, s, ok := strings.Cut(u.PrincipalID, ":"); ok {
				session = strings.TrimSpace(s)
			}
		}
		id.Role, id.Session = orUnknown(role), orUnknown(session)
		id.Principal = id.Role
		if hasPrefixFold(role, "awsreservedsso_") {
			id.Kind = KindSSO
			id.Principal = id.Session
		}
	case strings.EqualFold(typ, "FederatedUser") || (typ == "" && strings.HasPrefix(res, "federated-user/")):
		id.Kind = KindFederated
		id.Principal = firstNonEmpty(lastSegment(res), strings.TrimSpace(u.UserName), afterColon(u.PrincipalID))
	case strings.EqualFold(typ, "SAMLUser") || strings.EqualFold(typ, "WebIdentityUser"):
		id.Kind = KindFederated
		id.Principal = firstNonEmpty(strings.TrimSpace(u.UserName), afterColon(u.PrincipalID))
	case strings.EqualFold(typ, "IdentityCenterUser"):
		id.Kind = KindSSO
		id.Principal = firstNonEmpty(strings.TrimSpace(u.UserName), strings.TrimSpace(u.PrincipalID))
	case strings.EqualFold(typ, "AWSService") || (typ == "" && res == "" && strings.TrimSpace(u.InvokedBy) != ""):
		// AwsServiceEvent records (key or secret rotation) carry only accountId and invokedBy.
		id.Kind = KindAWSService
		id.Principal = firstNonEmpty(strings.TrimSpace(u.InvokedBy), strings.TrimSpace(u.PrincipalID))
	case strings.EqualFold(typ, "AWSAccount"):
		id.Kind = KindAWSAccount
		id.Principal = firstNonEmpty(strings.TrimSpace(u.AccountID), strings.TrimSpace(u.PrincipalID))
	default:
		// "Unknown" (e.g. a failed Identity Center sign-in), "Directory", or no type at all:
		// name whoever the record names.
		id.Principal = firstNonEmpty(strings.TrimSpace(u.UserName), lastSegment(res), strings.TrimSpace(u.PrincipalID))
	}
	if id.Principal == "" {
		id.Principal = Unknown
	}
	id.RiskObjectType = riskObjectType(id, u)
	return id
}

func riskObjectType(id Identity, u UserIdentity) string {
	switch id.Kind {
	case KindRoot, KindIAMUser, KindFederated, KindSSO:
		return RiskUser
	case KindAWSService, KindAWSAccount:
		return RiskSystem
	case KindAssumedRole:
		if hasPrefixFold(id.Role, "awsservicerolefor") || strings.Contains(u.IssuerARN, ":role/aws-service-role/") ||
			isInstanceID(id.Session) || isHexID(id.Session) || isIaCName(id.Role) || isIaCName(id.Session) {
			return RiskSystem
		}
		return RiskUser
	}
	if id.Principal != Unknown {
		return RiskUser
	}
	return RiskOther
}

// arnResource returns the resource part of arn:partition:service:region:account:resource.
func arnResource(arn string) string {
	rest, _ := arnAfter(strings.TrimSpace(arn), 5)
	return rest
}

// arnAfter returns what follows the n-th ':' of arn, without allocating; ok is false when arn is
// not an ARN or has fewer fields.
func arnAfter(arn string, n int) (rest string, ok bool) {
	if !strings.HasPrefix(arn, "arn:") {
		return "", false
	}
	rest = arn
	for range n {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return "", false
		}
		rest = rest[i+1:]
	}
	return rest, true
}

// splitAssumedRole splits "assumed-role/R/s" into R and s.
func splitAssumedRole(res string) (role, session string) {
	rest, ok := strings.CutPrefix(res, "assumed-role/")
	if !ok {
		return "", ""
	}
	role, session, _ = strings.Cut(rest, "/")
	return role, session
}

// lastSegment returns what follows the last '/' of an ARN resource ("user/path/alice" -> alice);
// a resource without '/' has no name segment.
func lastSegment(res string) string {
	i := strings.LastIndexByte(res, '/')
	if i < 0 {
		return ""
	}
	return res[i+1:]
}

func afterColon(s string) string {
	if _, v, ok := strings.Cut(s, ":"); ok {
		return strings.TrimSpace(v)
	}
	return ""
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

// isInstanceID matches an EC2 instance id, the session name EC2 gives an instance role.
func isInstanceID(s string) bool {
	if len(s) != 10 && len(s) != 19 || !strings.HasPrefix(s, "i-") {
		return false
	}
	return isHex(s[2:])
}

// isHexID matches the 32-hex-digit or UUID session names ECS tasks and other services use.
func isHexID(s string) bool {
	if len(s) < 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// iacNeedles are lower-case substrings of user agents and role/session/user names that
// infrastructure-as-code tools and CI/CD systems write.
var iacNeedles = []string{
	"terraform", "cloudformation", "aws-cdk", "cdk-hnb659fds", "pulumi", "github-actions", "githubactions",
	"gitlab", "jenkins", "atlantis", "spacelift", "env0", "crossplane", "ansible", "circleci", "buildkite",
	"bitbucket", "argocd", "codebuild", "codepipeline", "aws-sam-cli", "serverless", "opentofu", "terragrunt",
}

var iacNeedleBytes = func() [][]byte {
	b := make([][]byte, len(iacNeedles))
	for i, n := range iacNeedles {
		b[i] = []byte(n)
	}
	return b
}()

// isIaCName reports whether s contains one of iacNeedles, ignoring ASCII case. It lower-cases s
// once into a stack buffer and lets bytes.Contains scan, because a byte-by-byte fold per needle
// would dominate Derive.
func isIaCName(s string) bool {
	var buf [512]byte
	if len(s) > len(buf) {
		for _, n := range iacNeedles {
			if containsFold(s, n) {
				return true
			}
		}
		return false
	}
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	for _, n := range iacNeedleBytes {
		if bytes.Contains(b, n) {
			return true
		}
	}
	return false
}

// IsIaC reports whether an event is recognisably made by infrastructure-as-code or CI/CD: by the
// names of its role, session or user ("GitHubActions", "gitlab-runner",
// "cdk-hnb659fds-deploy-role") or a CloudFormation invocation. Such principals create and delete
// roles and policies as a matter of course, so novelty counts less for them.
//
// The user agent is not read: it is the caller's claim, and a stolen key sends whatever agent its
// user likes ("Terraform/1.7" costs nothing), while names are chosen by the account's owner and
// invokedBy is written by AWS. Reading it gave an attacker's first-seen address, agent and APIs
// the IaC discount (×0.3) for the price of a header.
func IsIaC(id Identity, invokedBy string) bool {
	if strings.EqualFold(strings.TrimSpace(invokedBy), "cloudformation.amazonaws.com") {
		return true
	}
	return id.Kind != KindAWSService && (isIaCName(id.Role) || isIaCName(id.Session) || isIaCName(id.Principal))
}

// readVerbPrefixes are eventName verbs that do not change anything.
var readVerbPrefixes = []string{"Get", "List", "Describe", "Head", "Lookup", "Search", "BatchGet", "Scan",
	"Query", "Select", "Check", "View", "Preview", "Estimate", "Simulate", "Download", "Filter", "Retrieve"}

// ReadOnly returns "1" for a read-only call and "0" otherwise. CloudTrail's own readOnly field
// ("true"/"false") wins; without it the eventName's verb decides (Get, List, Describe, Head,
// Lookup, Search, BatchGet, Scan, Query, Select, Check, ...). "unknown" when neither is present.
func ReadOnly(readOnlyField, eventName string) string {
	switch {
	case strings.EqualFold(readOnlyField, "true"):
		return "1"
	case strings.EqualFold(readOnlyField, "false"):
		return "0"
	}
	name := strings.TrimSpace(eventName)
	if name == "" {
		return Unknown
	}
	return boolString(anyVerb(name, readVerbPrefixes))
}
