package features

// MITRE ATT&CK tactics used by Tactic.
const (
	TacticInitialAccess   = "initial-access"
	TacticPersistence     = "persistence"
	TacticPrivEsc         = "privilege-escalation"
	TacticDefenseEvasion  = "defense-evasion"
	TacticCredentialAcc   = "credential-access"
	TacticDiscovery       = "discovery"
	TacticLateralMovement = "lateral-movement"
	TacticExfiltration    = "exfiltration"
	TacticImpact          = "impact"
)

// Severity levels for sensitive APIs. They follow the impact side of Security
// Content's risk rubric: 1 = hunting-grade (mostly benign, useful in bulk),
// 2 = worth a look alone, 3 = what SC ships as a TTP with risk >= 60.
const (
	SevNone   = 0
	SevLow    = 1
	SevMedium = 2
	SevHigh   = 3
)

type sensitive struct {
	tactic string
	sev    int
}

// sensitiveAPIs maps eventName to the ATT&CK tactic an attacker would use it
// for. The list follows Splunk Security Content's AWS detections
// (mltk-parity.md §7) and the common AWS attack tooling (Pacu, Stratus Red
// Team). eventName is unique enough across services that the source is not
// needed.
var sensitiveAPIs = map[string]sensitive{
	// Defense evasion: blinding logging and guard rails.
	"StopLogging":                 {TacticDefenseEvasion, SevHigh},
	"DeleteTrail":                 {TacticDefenseEvasion, SevHigh},
	"UpdateTrail":                 {TacticDefenseEvasion, SevMedium},
	"PutEventSelectors":           {TacticDefenseEvasion, SevMedium},
	"DeleteDetector":              {TacticDefenseEvasion, SevHigh},
	"UpdateDetector":              {TacticDefenseEvasion, SevMedium},
	"DeleteFlowLogs":              {TacticDefenseEvasion, SevHigh},
	"DeleteLogGroup":              {TacticDefenseEvasion, SevMedium},
	"DeleteLogStream":             {TacticDefenseEvasion, SevMedium},
	"StopConfigurationRecorder":   {TacticDefenseEvasion, SevHigh},
	"DeleteConfigurationRecorder": {TacticDefenseEvasion, SevHigh},
	"DeleteDeliveryChannel":       {TacticDefenseEvasion, SevHigh},
	"DisableSecurityHub":          {TacticDefenseEvasion, SevHigh},
	"DeleteWebACL":                {TacticDefenseEvasion, SevMedium},
	"DeleteAlarms":                {TacticDefenseEvasion, SevMedium},
	"DeactivateMFADevice":         {TacticDefenseEvasion, SevHigh},
	"DeleteVirtualMFADevice":      {TacticDefenseEvasion, SevHigh},
	"PutBucketVersioning":         {TacticDefenseEvasion, SevLow},
	"DeleteAccountPasswordPolicy": {TacticDefenseEvasion, SevHigh},
	"UpdateAccountPasswordPolicy": {TacticDefenseEvasion, SevMedium},
	"LeaveOrganization":           {TacticDefenseEvasion, SevHigh},
	// Persistence: new identities and credentials.
	"CreateUser":                   {TacticPersistence, SevMedium},
	"CreateAccessKey":              {TacticPersistence, SevMedium},
	"CreateLoginProfile":           {TacticPersistence, SevHigh},
	"UpdateLoginProfile":           {TacticPersistence, SevMedium},
	"CreateVirtualMFADevice":       {TacticPersistence, SevMedium},
	"CreateRole":                   {TacticPersistence, SevLow},
	"UpdateSAMLProvider":           {TacticPersistence, SevHigh},
	"CreateSAMLProvider":           {TacticPersistence, SevHigh},
	"UpdateFunctionCode20150331v2": {TacticPersistence, SevLow},
	"ImportKeyPair":                {TacticPersistence, SevLow},
	"GetFederationToken":           {TacticPersistence, SevMedium},
	// Privilege escalation: granting more rights.
	"AttachUserPolicy":        {TacticPrivEsc, SevHigh},
	"PutUserPolicy":           {TacticPrivEsc, SevHigh},
	"AttachRolePolicy":        {TacticPrivEsc, SevMedium},
	"PutRolePolicy":           {TacticPrivEsc, SevMedium},
	"AttachGroupPolicy":       {TacticPrivEsc, SevMedium},
	"PutGroupPolicy":          {TacticPrivEsc, SevMedium},
	"UpdateAssumeRolePolicy":  {TacticPrivEsc, SevHigh},
	"CreatePolicyVersion":     {TacticPrivEsc, SevHigh},
	"SetDefaultPolicyVersion": {TacticPrivEsc, SevHigh},
	"AddUserToGroup":          {TacticPrivEsc, SevMedium},
	"PassRole":                {TacticPrivEsc, SevMedium},
	// Credential access.
	"GetSecretValue":      {TacticCredentialAcc, SevLow},
	"GetPasswordData":     {TacticCredentialAcc, SevMedium},
	"GetSessionToken":     {TacticCredentialAcc, SevLow},
	"ModifyDBInstance":    {TacticCredentialAcc, SevLow},
	"GetParametersByPath": {TacticCredentialAcc, SevLow},
	// Discovery: enumeration favoured by recon tooling.
	"ListUsers":                      {TacticDiscovery, SevLow},
	"ListRoles":                      {TacticDiscovery, SevLow},
	"ListAccessKeys":                 {TacticDiscovery, SevLow},
	"ListAttachedUserPolicies":       {TacticDiscovery, SevLow},
	"GetCallerIdentity":              {TacticDiscovery, SevLow},
	"GetAccountAuthorizationDetails": {TacticDiscovery, SevMedium},
	"GetAccountSummary":              {TacticDiscovery, SevLow},
	"DescribeInstances":              {TacticDiscovery, SevLow},
	"ListBuckets":                    {TacticDiscovery, SevLow},
	"DescribeRegions":                {TacticDiscovery, SevLow},
	"DescribeSecurityGroups":         {TacticDiscovery, SevLow},
	"ListSecrets":                    {TacticDiscovery, SevLow},
	"DescribeTrails":                 {TacticDiscovery, SevLow},
	// Exfiltration: opening data to the outside.
	"PutBucketPolicy":           {TacticExfiltration, SevHigh},
	"PutBucketAcl":              {TacticExfiltration, SevHigh},
	"PutBucketReplication":      {TacticExfiltration, SevHigh},
	"DeletePublicAccessBlock":   {TacticExfiltration, SevHigh},
	"ModifySnapshotAttribute":   {TacticExfiltration, SevHigh},
	"ModifyDBSnapshotAttribute": {TacticExfiltration, SevHigh},
	"ModifyImageAttribute":      {TacticExfiltration, SevMedium},
	"GetObject":                 {TacticExfiltration, SevLow},
	// Impact: resource hijacking and destruction.
	"RunInstances":                  {TacticImpact, SevMedium},
	"TerminateInstances":            {TacticImpact, SevMedium},
	"DeleteBucket":                  {TacticImpact, SevHigh},
	"DeleteDBInstance":              {TacticImpact, SevHigh},
	"DeleteDBCluster":               {TacticImpact, SevHigh},
	"ScheduleKeyDeletion":           {TacticImpact, SevHigh},
	"DeleteSnapshot":                {TacticImpact, SevMedium},
	"AuthorizeSecurityGroupIngress": {TacticImpact, SevLow},
	// Initial access and lateral movement: authentication events.
	"ConsoleLogin":              {TacticInitialAccess, SevLow},
	"AssumeRoleWithSAML":        {TacticInitialAccess, SevLow},
	"AssumeRoleWithWebIdentity": {TacticInitialAccess, SevLow},
	"AssumeRole":                {TacticLateralMovement, SevLow},
	"SendCommand":               {TacticLateralMovement, SevMedium},
	"StartSession":              {TacticLateralMovement, SevMedium},
}

// Tactic returns the ATT&CK tactic and severity (SevNone..SevHigh) of an
// eventName, or ("none", SevNone) for APIs not considered sensitive.
func Tactic(eventName string) (tactic string, severity int) {
	if s, ok := sensitiveAPIs[eventName]; ok {
		return s.tactic, s.sev
	}
	return None, SevNone
}

// SensitiveAPIs returns the number of APIs in the tactic table (for docs/tests).
func SensitiveAPIs() int { return len(sensitiveAPIs) }
