package incident

import (
	"math"
	"strconv"
	"strings"
	"time"

	"awsrisk/features"
)

// Principal kinds returned in Principal.Kind by the ARN fallback.
const (
	KindAssumedRole = "assumed-role"
	KindIAMUser     = "iam-user"
	KindRoot        = "root"
	KindRole        = "role"
	KindFederated   = "federated-user"
	KindService     = "aws-service"
	KindUnknown     = "unknown"
	KindSource      = "source-address" // a spray incident's risk object is an address
)

// Principal is the identity an incident is grouped on.
type Principal struct {
	Object  string // risk_object: role name, IAM user name, root@account, ...
	Type    string // risk_object_type (Enterprise Security: "user", "system", "other")
	Kind    string // principal kind, one of the Kind* constants or a features value
	Account string // AWS account id, "" when unknown; part of the grouping key
}

// principalKey is the grouping key: the same role name in two accounts is
// two principals.
type principalKey struct{ account, object string }

func (p Principal) key() principalKey { return principalKey{p.Account, p.Object} }

// Event is one scored CloudTrail event, the input of a Grouper. Only Time and
// Principal.Object are required; every other field makes the incident richer.
type Event struct {
	Time      time.Time
	ID        string // eventID
	Name      string // eventName
	SourceIP  string // sourceIPAddress
	UserAgent string // userAgent
	AccessKey string // userIdentity.accessKeyId
	Score     float64
	Tactic    string   // ATT&CK tactic; "" or "none" = routine call
	Technique string   // ATT&CK technique id, optional
	Reasons   []string // risk_reasons
	Denied    bool
	AuthFail  bool // a failed sign-in (ConsoleLogin Failure)
	ReadOnly  bool
	Target    string // requestParameters.userName: the IAM user acted on
	Role      string // role acted on: requestParameters.roleName, or the name in requestParameters.roleArn
	// RoleAccount is the account of requestParameters.roleArn: an AssumeRole
	// whose RoleAccount is not the caller's crosses accounts.
	RoleAccount string
	IaC         bool // made by infrastructure-as-code or CI, by identity (see EventFromRecord)
	// MFA is "1" when the sign-in used MFA or the session is MFA-authenticated,
	// "0" when the record says it was not, "" when it does not say.
	MFA       string
	Principal Principal
}

// Input field names read by EventFromRecord.
const (
	FieldTime         = "_time"
	FieldEventTime    = "eventTime"
	FieldEventID      = "eventID"
	FieldEventName    = "eventName"
	FieldSourceIP     = "sourceIPAddress"
	FieldUserAgent    = "userAgent"
	FieldAccessKey    = "userIdentity.accessKeyId"
	FieldScore        = "ai_risk_score"
	FieldEventScore   = "ai_event_risk_score" // an event's own score once Lift raised ai_risk_score
	FieldCategory     = "ai_threat_category"
	FieldReasons      = "risk_reasons"
	FieldErrorCode    = "errorCode"
	FieldErrorMessage = "errorMessage"
	FieldLoginResult  = "responseElements.ConsoleLogin"
	FieldARN          = "userIdentity.arn"
	FieldIdentityType = "userIdentity.type"
	FieldAccount      = "userIdentity.accountId"
	FieldInvokedBy    = "userIdentity.invokedBy"
	FieldUserName     = "userIdentity.userName"
	FieldIssuerName   = "userIdentity.sessionContext.sessionIssuer.userName"
	FieldPrincipalID  = "userIdentity.principalId"
	FieldTargetUser   = "requestParameters.userName"
	FieldRoleName     = "requestParameters.roleName"
	FieldRoleARN      = "requestParameters.roleArn"
	FieldRiskObject   = "ct_risk_object"
	FieldObjectType   = "ct_risk_object_type"
	FieldKind         = "ct_principal_kind"
	FieldDenied       = "ct_denied"
	FieldAPITactic    = "ct_api_tactic"
	FieldAPITechnique = "ct_api_technique"
	FieldReadOnly     = "ct_readonly"
	FieldReadOnlyCT   = "readOnly"
	FieldMFA          = "ct_mfa"
	FieldMFAUsed      = "additionalEventData.MFAUsed"
	FieldMFAAuth      = "userIdentity.sessionContext.attributes.mfaAuthenticated"
)

// RequiredFields lists every field EventFromRecord reads, for a command's
// required_fields.
func RequiredFields() []string {
	return []string{
		FieldTime, FieldEventTime, FieldEventID, FieldEventName, FieldSourceIP, FieldScore, FieldEventScore,
		FieldCategory, FieldReasons, FieldErrorCode, FieldErrorMessage, FieldLoginResult, FieldARN, FieldIdentityType, FieldAccount,
		FieldInvokedBy, FieldUserName, FieldIssuerName, FieldPrincipalID, FieldTargetUser, FieldRoleName, FieldRoleARN, FieldRiskObject, FieldObjectType, FieldKind, FieldDenied,
		FieldAPITactic, FieldAPITechnique, FieldReadOnly, FieldReadOnlyCT, FieldMFA, FieldMFAUsed, FieldMFAAuth, FieldUserAgent, FieldAccessKey,
	}
}

// EventFromRecord builds an Event from a record's fields (get returns "" for
// an absent field). Multivalue risk_reasons are "\n"-joined, as the local
// CSV writer and splunkd's plain column hold them. ok is false when the
// record has no usable time.
func EventFromRecord(get func(field string) string) (e Event, ok bool) {
	e.Time, ok = parseTime(get(FieldTime), get(FieldEventTime))
	e.ID = get(FieldEventID)
	e.Name = get(FieldEventName)
	e.SourceIP = get(FieldSourceIP)
	e.UserAgent = get(FieldUserAgent)
	e.AccessKey = get(FieldAccessKey)
	// The event's own score: ai_event_risk_score when an earlier incidents
	// run lifted ai_risk_score to its incident's, so that grouping lifted
	// events again gives the same incidents (no evidence counted twice).
	own := get(FieldEventScore)
	if strings.TrimSpace(own) == "" {
		own = get(FieldScore)
	}
	if s, err := strconv.ParseFloat(strings.TrimSpace(own), 64); err == nil && !math.IsNaN(s) {
		e.Score = clamp(s, 0, 100)
	}
	// ct_api_tactic is the API's own tactic; ai_threat_category may already
	// be a session category from an earlier run, so it is only a fallback.
	e.Tactic = firstOf(get(FieldAPITactic), get(FieldCategory))
	if e.Tactic == "" || e.Tactic == features.None || e.Tactic == features.Unknown {
		e.Tactic, _ = features.Tactic(e.Name)
	}
	e.Technique = get(FieldAPITechnique)
	if r := get(FieldReasons); r != "" {
		e.Reasons = strings.Split(r, "\n")
	}
	switch d := get(FieldDenied); d {
	case "1", "true", "0", "false":
		e.Denied = d == "1" || d == "true"
	default:
		e.Denied = features.ErrorClass(get(FieldErrorCode)) == features.ErrAccessDenied
	}
	e.AuthFail = features.ErrorClass(get(FieldErrorCode)) == features.ErrAuthFailure ||
		strings.EqualFold(get(FieldLoginResult), "Failure") ||
		e.Name == "ConsoleLogin" && strings.Contains(get(FieldErrorMessage), "Failed authentication")
	switch ro := firstOf(get(FieldReadOnly), get(FieldReadOnlyCT)); ro {
	case "1", "true":
		e.ReadOnly = true
	case "0", "false":
	default:
		e.ReadOnly = readOnlyVerb(e.Name)
	}
	switch m := get(FieldMFA); m {
	case "0", "1":
		e.MFA = m
	default:
		switch u, a := get(FieldMFAUsed), get(FieldMFAAuth); {
		case strings.EqualFold(u, "Yes"), strings.EqualFold(a, "true"):
			e.MFA = "1"
		case strings.EqualFold(u, "No"), strings.EqualFold(a, "false"):
			e.MFA = "0"
		}
	}
	e.Target = get(FieldTargetUser)
	e.Role = get(FieldRoleName)
	if arn := get(FieldRoleARN); arn != "" {
		if e.Role == "" {
			e.Role = lastSegment(arn)
		}
		e.RoleAccount = accountOf(arn)
	}
	// IaC by identity only (role, session or user name, a CloudFormation
	// invocation), as ct_iac: the user agent is the caller's free choice, and
	// an attacker's tools send "Terraform" as easily as a pipeline does.
	e.IaC = features.IsIaC(features.Identity{Principal: get(FieldARN)}, get(FieldInvokedBy)) || isScanner(get(FieldARN))
	if obj := get(FieldRiskObject); obj != "" {
		e.Principal = Principal{Object: obj, Type: get(FieldObjectType), Kind: get(FieldKind)}
		e.Principal.Account = firstOf(get(FieldAccount), accountOf(get(FieldARN)))
		if e.Principal.Type == "" {
			e.Principal.Type = "user"
		}
		if e.Principal.Kind == "" {
			e.Principal.Kind = NormalizePrincipal(get(FieldARN), get(FieldIdentityType), "", "").Kind
		}
	} else {
		e.Principal = NormalizeIdentity(Identity{
			ARN: get(FieldARN), Type: get(FieldIdentityType), AccountID: get(FieldAccount),
			InvokedBy: get(FieldInvokedBy), UserName: get(FieldUserName), IssuerUserName: get(FieldIssuerName),
			PrincipalID: get(FieldPrincipalID),
		})
		// Failed sign-ins for unknown users carry no identity; one
		// "unknown" principal would merge every typo in the organisation,
		// so the address stands for the anonymous actor.
		if e.Principal.Object == "unknown" && e.SourceIP != "" {
			e.Principal.Object = "unknown@" + e.SourceIP
		}
	}
	return e, ok
}

// NormalizePrincipal is the fallback principal key when features did not
// supply ct_risk_object. A role's session name rotates with every session
// (often per pipeline run or per user), so keying on the full ARN would split
// one role into many "new" principals:
//
//	arn:aws:sts::A:assumed-role/R/s   -> R       (assumed-role)
//	arn:aws:iam::A:user/path/u        -> u       (iam-user)
//	arn:aws:iam::A:root               -> root@A  (root)
//	arn:aws:iam::A:role/path/R        -> R       (role)
//	arn:aws:sts::A:federated-user/u   -> u       (federated-user)
//	no ARN, invokedBy s3.amazonaws.com-> s3.amazonaws.com (aws-service)
func NormalizePrincipal(arn, identityType, account, invokedBy string) Principal {
	return NormalizeIdentity(Identity{ARN: arn, Type: identityType, AccountID: account, InvokedBy: invokedBy})
}

// Identity is the userIdentity block of a CloudTrail record.
type Identity struct {
	ARN, Type, AccountID, InvokedBy string
	UserName                        string // userIdentity.userName (failed console sign-ins carry no ARN)
	IssuerUserName                  string // userIdentity.sessionContext.sessionIssuer.userName, the role of a session
	PrincipalID                     string // userIdentity.principalId
}

// NormalizeIdentity is NormalizePrincipal with the fallbacks records without
// an ARN need: an IAMUser by userName, an AssumedRole by its session
// issuer, an AWSAccount (cross-account caller) by principalId or
// "account@<id>", anything else by principalId.
func NormalizeIdentity(id Identity) Principal {
	if id.ARN == "" {
		p := Principal{Type: "user", Kind: KindUnknown, Account: id.AccountID}
		switch {
		case strings.EqualFold(id.Type, "Root"):
			p.Object, p.Kind = "root@"+id.AccountID, KindRoot
		case strings.EqualFold(id.Type, "IAMUser") && id.UserName != "":
			p.Object, p.Kind = id.UserName, KindIAMUser
		case strings.EqualFold(id.Type, "AssumedRole") && id.IssuerUserName != "":
			p.Object, p.Kind = id.IssuerUserName, KindAssumedRole
		case id.InvokedBy != "":
			p.Object, p.Kind, p.Type = id.InvokedBy, KindService, "system"
		case id.PrincipalID != "":
			// A role session's principalId is "AROA…:<session>"; the session
			// part rotates like the ARN's.
			p.Object, _, _ = strings.Cut(id.PrincipalID, ":")
		case strings.EqualFold(id.Type, "AWSAccount") && id.AccountID != "":
			p.Object = "account@" + id.AccountID
		case id.UserName != "":
			p.Object = id.UserName
		default:
			p.Object = "unknown"
		}
		if p.Kind == KindUnknown {
			switch {
			case strings.EqualFold(id.Type, "AssumedRole"):
				p.Kind = KindAssumedRole
			case strings.EqualFold(id.Type, "IAMUser"):
				p.Kind = KindIAMUser
			}
		}
		return p
	}
	arn, identityType, account, invokedBy := id.ARN, id.Type, id.AccountID, id.InvokedBy
	p := Principal{Type: "user", Kind: KindUnknown, Account: firstOf(account, accountOf(arn))}
	resource := ""
	if strings.HasPrefix(arn, "arn:") {
		if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
			resource = parts[5]
		}
	}
	typ, rest, _ := strings.Cut(resource, "/")
	switch {
	case resource == "root" || strings.EqualFold(identityType, "Root"):
		p.Object, p.Kind = "root@"+p.Account, KindRoot
	case typ == "assumed-role":
		role, _, _ := strings.Cut(rest, "/")
		p.Object, p.Kind = role, KindAssumedRole
	case typ == "user":
		p.Object, p.Kind = lastSegment(rest), KindIAMUser
	case typ == "role":
		p.Object, p.Kind = lastSegment(rest), KindRole
	case typ == "federated-user":
		p.Object, p.Kind = rest, KindFederated
	case arn != "":
		p.Object = arn
	case invokedBy != "":
		p.Object, p.Kind, p.Type = invokedBy, KindService, "system"
	default:
		p.Object = "unknown"
	}
	if p.Object == "" {
		p.Object = arn
	}
	return p
}

// scannerNames are the role or user names of the cloud security posture and
// audit tools (Prowler, ScoutSuite, the SecurityAudit managed-policy role,
// Steampipe, CloudSploit, Cloud Custodian): they enumerate every service of
// every region on a schedule and are denied wherever their policy stops, by
// design. Recognised by identity, like IaC: an incident counts them as it
// counts a pipeline.
var scannerNames = []string{"prowler", "scoutsuite", "securityaudit", "steampipe", "cloudsploit", "custodian"}

// isScanner reports whether the ARN's principal (role, user or session name)
// names a security scanner.
func isScanner(arn string) bool {
	arn = strings.ToLower(arn)
	_, res, ok := strings.Cut(arn, ":assumed-role/")
	if !ok {
		_, res, ok = strings.Cut(arn, ":user/")
	}
	if !ok {
		return false
	}
	for _, n := range scannerNames {
		if strings.Contains(res, n) {
			return true
		}
	}
	return false
}

func lastSegment(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// accountOf returns the account field of arn:partition:service:region:account:resource.
func accountOf(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// readOnlyVerb guesses CloudTrail's readOnly flag from the API verb when the
// record lacks it.
func readOnlyVerb(name string) bool {
	switch features.APIVerb(name) {
	case "Get", "List", "Describe", "Lookup":
		return true
	}
	return false
}

// Epoch bounds (1990..2200) keep milliseconds from being read as seconds.
const (
	minEpoch = 631152000
	maxEpoch = 7258118400
)

// parseTime prefers Splunk's _time (epoch seconds) and falls back to
// CloudTrail's ISO 8601 eventTime, which is all a local CSV may have.
func parseTime(epoch, iso string) (time.Time, bool) {
	if f, err := strconv.ParseFloat(strings.TrimSpace(epoch), 64); err == nil && f >= minEpoch && f <= maxEpoch {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(iso)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
