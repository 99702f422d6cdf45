package scorer

import (
	"hash/maphash"
	"math"
	"strings"

	"awsrisk/features"
	"awsrisk/scorer/incident"
)

// Enterprise Security threat-object fields and the normalised principal written with RBA.
const (
	FieldThreatObject     = "threat_object"
	FieldThreatObjectType = "threat_object_type"
	FieldCTRiskObject     = "ct_risk_object"
	FieldCTRiskObjectType = "ct_risk_object_type"
)

// DefaultRBAFloor is the lowest ai_risk_score that carries Enterprise Security risk fields
// (risk_object, risk_score, threat_object, ...). It equals the `awsrisk_risk_floor` macro of
// default/macros.conf (checked by a test): a score of 2 is not risk, and writing risk fields on
// every event would make every event a risk event.
const DefaultRBAFloor = 60

// CIMField is one Common Information Model name set on scored events, from the first non-empty
// CloudTrail field of From. A value the input already has (the Splunk Add-on for AWS extracts
// most of them) is kept. The `awsrisk_cim_fields` macro is the SPL twin of this table: a test
// checks that both say the same.
type CIMField struct {
	Name string
	From []string // coalesce order; "" entries never appear
}

// CIMFields is the one source of the CIM mapping. action is derived from errorCode and
// responseElements.ConsoleLogin (cimAction) and has no From.
var CIMFields = []CIMField{
	{Name: "user", From: []string{FieldCTRiskObject, FieldRiskObject, "userIdentity.userName"}},
	{Name: "src", From: []string{"sourceIPAddress"}},
	{Name: "user_agent", From: []string{"userAgent"}},
	{Name: "signature", From: []string{"eventName"}},
	{Name: "vendor_account", From: []string{"recipientAccountId", "userIdentity.accountId"}},
	{Name: "vendor_region", From: []string{"awsRegion"}},
	{Name: "action"},
	{Name: "dest", From: []string{"eventSource"}},
}

// cimAction is the CIM action of a CloudTrail event: "failure" when it has an errorCode or is a
// failed console sign-in (which AWS records with responseElements.ConsoleLogin=Failure and no
// errorCode), else "success".
func cimAction(errorCode, loginResult string) string {
	if strings.TrimSpace(errorCode) == "" && loginResult != "Failure" {
		return "success"
	}
	return "failure"
}

// IdentityInputs lists the fields PrincipalOf reads, for a command's required_fields.
func IdentityInputs() []string {
	return append([]string{FieldCTRiskObject, FieldCTRiskObjectType}, identityInputs[:]...)
}

// identityInputs are the fields the principal normalisation reads.
var identityInputs = features.IdentityFields

// PrincipalOf is the normalised principal of a row (features.NormalizeIdentity: a role name, not
// a rotating session ARN; the user name of a failed console sign-in, which has no ARN), unless
// the row already carries ct_risk_object.
func PrincipalOf(raw func(string) string) (object, typ, account string) {
	if o := raw(FieldCTRiskObject); o != "" {
		t := raw(FieldCTRiskObjectType)
		if t == "" {
			t = features.RiskUser
		}
		return o, t, raw("userIdentity.accountId")
	}
	id := features.NormalizeIdentity(features.UserIdentityOf(raw))
	return id.Principal, id.RiskObjectType, id.Account
}

// rbaCols are the input columns RBA, CIM and feedback read, resolved once per chunk so that the
// row loop indexes the row instead of hashing field names (-1: absent).
type rbaCols struct {
	ident          [len(identityInputs)]int // identityInputs, in order
	ctObj, ctType  int
	cimFrom        [][]int // per CIMFields entry, its From columns
	errCode, login int
	ip, name       int
	present        []int // the columns of ct_risk_object, ct_risk_object_type and identityInputs the chunk has
}

func bindRBA(cols map[string]int) rbaCols {
	at := func(f string) int {
		if i, ok := cols[f]; ok {
			return i
		}
		return -1
	}
	var c rbaCols
	for i, f := range identityInputs {
		c.ident[i] = at(f)
	}
	c.ctObj, c.ctType = at(FieldCTRiskObject), at(FieldCTRiskObjectType)
	for _, k := range append([]int{c.ctObj, c.ctType}, c.ident[:]...) {
		if k >= 0 {
			c.present = append(c.present, k)
		}
	}
	for _, f := range CIMFields {
		var from []int
		for _, src := range f.From {
			from = append(from, at(src))
		}
		c.cimFrom = append(c.cimFrom, from)
	}
	c.errCode, c.login = at("errorCode"), at("responseElements.ConsoleLogin")
	c.ip, c.name = at("sourceIPAddress"), at("eventName")
	return c
}

// cell is row[i], "" for an absent column.
func cell(row []string, i int) string {
	if i < 0 {
		return ""
	}
	return row[i]
}

// principalRow is PrincipalOf reading the row through c.
func principalRow(row []string, c *rbaCols) (object, typ string) {
	if o := cell(row, c.ctObj); o != "" {
		t := cell(row, c.ctType)
		if t == "" {
			t = features.RiskUser
		}
		return o, t
	}
	var v [len(identityInputs)]string
	for i, k := range c.ident {
		v[i] = cell(row, k)
	}
	n := features.NormalizeIdentity(features.UserIdentityFrom(&v))
	return n.Principal, n.RiskObjectType
}

// principalMemo is principalRow remembering its answers within one chunk: the last row's
// (CloudTrail comes in runs of one principal's calls) and, in a hash table of the chunk's
// distinct identities, every other (a chunk of thousands of events names hundreds of principals
// at most, and normalising one costs several times a lookup). An answer is reused only when
// every input the chunk has (c.present) equals the row's, so it is principalRow's exactly; two
// identities of one hash are told apart by their inputs. The inputs and the answers are kept as
// copies side by side (keys, names): comparing with the values where the chunk holds them, or
// writing an answer from there, would read a line of the chunk megabytes away, not in cache,
// per hit. It holds one chunk's identities (emptied for each by sized); its storage is kept
// across chunks (Pipeline.memos).
type principalMemo struct {
	in       [2 + len(identityInputs)]string // the last row's values of c.present
	obj, typ string
	ok       bool

	n       int              // len(c.present): the stride of lens
	table   []int32          // open addressing, linear probing: 1 + an index of ids, 0 = free
	ids     []principalEntry // the identities seen, at most len(table)/2
	lens    []int            // the lengths of ids[i]'s inputs are lens[i*n : (i+1)*n]
	keys    []byte           // ids[i]'s inputs, one after the other from keys[ids[i].at]
	names   strings.Builder  // the answers' bytes: ids[i].obj and typ are substrings of it
	hashing func(string) uint64
}

type principalEntry struct {
	h        uint64
	at       int
	obj, typ string
}

// same reports whether identity k's inputs are in.
func (m *principalMemo) same(k int, in []string) bool {
	at := m.ids[k].at
	for j, l := range m.lens[k*m.n : (k+1)*m.n] {
		if l != len(in[j]) || string(m.keys[at:at+l]) != in[j] {
			return false
		}
		at += l
	}
	return true
}

// principalSeed seeds principalMemo's hash.
var principalSeed = maphash.MakeSeed()

// maxPrincipals bounds the identities a chunk's memo holds (the rest are normalised every
// time); its storage grows only as a chunk shows new ones.
const maxPrincipals = 4096

// noPrincipalMemo leaves principalMemo the last row's answer only, for the test that holds the
// table to principalRow.
var noPrincipalMemo = false

// principalHash is the hash of an input; a variable so that a test can make every identity collide.
var principalHash = func(v string) uint64 { return maphash.String(principalSeed, v) }

// sized empties m for a chunk of rows rows with n inputs, its table twice as many slots as the
// identities it can hold (min(rows, maxPrincipals)), a power of two. Without inputs every row is
// the last row's.
func (m *principalMemo) sized(n, rows int) {
	clear(m.ids[:cap(m.ids)]) // the last chunk's answers, so that they do not keep its names
	*m = principalMemo{table: m.table, ids: m.ids[:0], lens: m.lens[:0], keys: m.keys[:0]}
	if n == 0 || noPrincipalMemo {
		m.table = nil
		return
	}
	s := 4
	for s < 2*min(rows, maxPrincipals) {
		s *= 2
	}
	if cap(m.table) >= s {
		m.table = m.table[:s]
		clear(m.table)
	} else {
		m.table = make([]int32, s)
	}
	m.n, m.hashing = n, principalHash
}

func (m *principalMemo) principal(row []string, c *rbaCols) (object, typ string) {
	same := m.ok
	for j, k := range c.present {
		if v := row[k]; v != m.in[j] {
			m.in[j], same = v, false
		}
	}
	if same {
		return m.obj, m.typ
	}
	m.ok = true
	if m.table == nil || m.n != len(c.present) {
		m.obj, m.typ = principalRow(row, c)
		return m.obj, m.typ
	}
	// The hash of the non-empty inputs, each with its position (most of the thirteen are
	// empty on any one event).
	in := m.in[:m.n]
	var h uint64
	for j, v := range in {
		if v != "" {
			h = (h ^ m.hashing(v)) * (0x9E3779B97F4A7C15 + 2*uint64(j))
		}
	}
	mask := len(m.table) - 1
	i := int(h>>32) & mask
	for ; m.table[i] != 0; i = (i + 1) & mask {
		k := int(m.table[i] - 1)
		if e := &m.ids[k]; e.h == h && m.same(k, in) {
			m.obj, m.typ = e.obj, e.typ
			return m.obj, m.typ
		}
	}
	m.obj, m.typ = principalRow(row, c)
	if 2*len(m.ids) < len(m.table) { // i is free: the load stays at most one half
		// Carved out of one builder: a string handed out keeps its block when the builder grows.
		at := m.names.Len()
		m.names.WriteString(m.obj)
		m.names.WriteString(m.typ)
		all := m.names.String()
		m.obj, m.typ = all[at:at+len(m.obj)], all[at+len(m.obj):]
		m.ids = append(m.ids, principalEntry{h: h, at: len(m.keys), obj: m.obj, typ: m.typ})
		for _, v := range in {
			m.lens = append(m.lens, len(v))
			m.keys = append(m.keys, v...)
		}
		m.table[i] = int32(len(m.ids))
	}
	return m.obj, m.typ
}

// SetFeedback makes the pipeline apply analysts' benign verdicts: a matching event's score is
// multiplied by the feedback's discount (0.3) and its first reason says why. nil turns it off.
func (p *Pipeline) SetFeedback(fb *incident.Feedback) { p.feedback = fb }

// discount applies the benign verdicts of p.feedback to one scored row: the event as the
// incident package sees it, with the principal just computed. It returns the new score and the
// reason to put first, "" when no verdict applies.
func (p *Pipeline) discount(raw func(string) string, principal, category string, score float64) (float64, string) {
	e, _ := incident.EventFromRecord(func(f string) string {
		switch f {
		case incident.FieldRiskObject:
			return principal
		case incident.FieldCategory:
			return category
		}
		return raw(f)
	})
	e.Score = score
	d := p.feedback.DiscountEvent(e, raw(incident.FieldIncidentID))
	if d.Score == score || len(d.Reasons) == 0 {
		return score, ""
	}
	return math.Max(0, d.Score), d.Reasons[0]
}

// rbaFields are the columns RBA writes, in layout.posRBA order.
var rbaFields = [...]string{FieldCTRiskObject, FieldCTRiskObjectType, FieldRiskObject, FieldRiskObjectType,
	FieldRBAScore, FieldRiskMessage, FieldThreatObject, FieldThreatObjectType}

// writeRBA sets the normalised principal (ct_risk_object, ct_risk_object_type) on every event
// and the Enterprise Security risk fields only on an event at or above the floor (risky); below
// it they are empty, which Splunk reads as absent. With echo (the reply record is the input's
// bytes and appendCells' new cells) the risk_message is left to appendCells (w.m).
func (p *Pipeline) writeRBA(rec []string, l *layout, row []string, principal, objType, category string, texts []string, reasons []weighed, risky bool, w *worker, echo bool) {
	pos := &l.posRBA
	w.m.on = false
	rec[pos[0]], rec[pos[1]] = principal, objType
	for _, c := range pos[2:] {
		rec[c] = ""
	}
	if !risky {
		return
	}
	score := rec[l.posScore]
	rec[pos[2]], rec[pos[3]], rec[pos[4]] = principal, objType, score
	if echo { // written by appendCells
		w.m = message{on: true, col: pos[5] - l.inWidth, score: score, name: cell(row, l.rba.name), category: category,
			texts: texts, reasons: reasons, tmp: w.m.tmp}
	} else {
		rec[pos[5]] = riskMessage(&w.msg, score, cell(row, l.rba.name), category, texts, reasons)
	}
	if ip := cell(row, l.rba.ip); ip != "" && !strings.HasSuffix(ip, ".amazonaws.com") && ip != "AWS Internal" {
		rec[pos[6]], rec[pos[7]] = ip, "ip_address"
	}
}

// cimCol is one CIMFields entry bound to a chunk.
type cimCol struct {
	at           int   // output column
	input        bool  // the input has the column
	action, user bool  // derived by cimAction; coalesced from the principal first
	from         []int // input columns of From that the chunk has
}

// writeCIM sets each CIM field the input does not already carry: a column the input has keeps
// its value unless it is empty; a new column is always written (it holds the previous row's
// value in the reused record).
func writeCIM(rec []string, l *layout, row []string, principal string) {
	for k := range l.cim {
		c := &l.cim[k]
		at := c.at
		if c.input && rec[at] != "" {
			continue
		}
		v := ""
		if c.action {
			v = cimAction(cell(row, l.rba.errCode), cell(row, l.rba.login))
		} else if c.user {
			v = principal
		}
		for _, i := range c.from {
			if v != "" {
				break
			}
			v = row[i]
		}
		rec[at] = v
	}
}
