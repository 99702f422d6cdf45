package scorer

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"awsrisk/app"
	"awsrisk/app/table"
	"awsrisk/features"
)

// identityRows are rows of every identity input and ct_risk_object(_type), drawn so that a
// principal's memo is tested where it can go wrong: ARNs that alternate from row to row (the
// last row's answer misses, the table must answer), one ARN with different types, user names and
// session ids (the same hash of the ARN, told apart only by the other inputs), an empty ARN, a
// ct_risk_object that overrides everything, values with commas and edge blanks.
func identityRows(r *rand.Rand, n int) (header []string, rows [][]string) {
	header = append([]string{FieldCTRiskObject, FieldCTRiskObjectType}, identityInputs[:]...)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	arns := []string{"", "arn:aws:iam::111:user/alice", "arn:aws:iam::111:user/bob", "arn:aws:iam::111:root",
		"arn:aws:sts::111:assumed-role/deploy/i-0123456789abcdef0", "arn:aws:sts::222:assumed-role/R,x/ s",
		"arn:aws:sts::111:assumed-role/AWSReservedSSO_Admin_1a2b/carol@example.com", "arn:aws:iam::111:user/ edge "}
	types := []string{"", "IAMUser", "AssumedRole", "Root", "AWSService", "FederatedUser"}
	names := []string{"", "alice", "HIDDEN_DUE_TO_SECURITY_REASONS", "dave"}
	pids := []string{"", "AROAEXAMPLE:s1", "AROAEXAMPLE:s2"}
	for range n {
		row := make([]string, len(header))
		row[col["userIdentity.arn"]] = arns[r.IntN(len(arns))]
		row[col["userIdentity.type"]] = types[r.IntN(len(types))]
		row[col["userIdentity.userName"]] = names[r.IntN(len(names))]
		row[col["userIdentity.principalId"]] = pids[r.IntN(len(pids))]
		if r.IntN(3) == 0 {
			row[col["userIdentity.accountId"]] = "111"
		}
		if r.IntN(5) == 0 {
			row[col["userIdentity.invokedBy"]] = "ec2.amazonaws.com"
		}
		if r.IntN(10) == 0 {
			row[col[FieldCTRiskObject]] = "from-addon"
			row[col[FieldCTRiskObjectType]] = types[r.IntN(2)]
		}
		rows = append(rows, row)
	}
	return header, rows
}

// TestPrincipalMemoExact: the memo's answer is principalRow's on every row, with the real hash
// and with one under which every identity collides, in a table with room for every identity
// and in one that fills after two, over two chunks in one memo; and the memo does hold the
// identities it met.
func TestPrincipalMemoExact(t *testing.T) {
	hash := principalHash
	defer func() { principalHash = hash }()
	for _, collide := range []bool{false, true} {
		for _, n := range []int{2, 2000} {
			t.Run(fmt.Sprintf("collide=%v/rows=%d", collide, n), func(t *testing.T) {
				principalHash = hash
				if collide {
					principalHash = func(string) uint64 { return 42 }
				}
				var m principalMemo // kept from one chunk to the next, as Pipeline.memos is
				for chunk := range uint64(2) {
					header, rows := identityRows(rand.New(rand.NewPCG(7, chunk)), n)
					cols := map[string]int{}
					for i, h := range header {
						cols[h] = i
					}
					c := bindRBA(cols)
					m.sized(len(c.present), n)
					distinct := map[string]bool{}
					for i, row := range rows {
						obj, typ := m.principal(row, &c)
						wo, wt := principalRow(row, &c)
						require.Equal(t, [2]string{wo, wt}, [2]string{obj, typ}, "chunk %d row %d: %q", chunk, i, row)
						distinct[strings.Join(row, "\x00")] = true
					}
					require.Equal(t, min(len(distinct), len(m.table)/2), len(m.ids), "every identity met is kept while there is room")
				}
			})
		}
	}
}

// TestScoreShortcutsSameBytes: score's shortcuts (the principals' memo, and the quoting of
// cells copied from a record without quotes or CRs checked at their edges only) write the bytes
// that normalising every principal and checking every cell write, on records that are clean,
// quoted (needlessly or not), or hold a lone CR in an unquoted field, with cells that need quotes
// for a blank at either end, and identities as identityRows draws them.
func TestScoreShortcutsSameBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	header, ids := identityRows(r, 3000)
	header = append(header, "eventName", "bytes_out", "sourceIPAddress", "userAgent", "awsRegion", "eventSource", "_chunked_idx")
	names := []string{"GetObject", "StopLogging", "CreateUser", "ListBuckets", "DeleteTrail", " x", "y\t"}
	ips := []string{"", "203.0.113.9", "s3.amazonaws.com", " 10.0.0.1", "a\rb"}
	agents := []string{"aws-cli/2", "Boto3 ", "\tterraform", "Mozilla/5.0 (X11, Linux)", `say "hi"`}
	// cell writes a field unquoted when it can be (a lone CR too), quoted otherwise or now and
	// then for no reason.
	cell := func(b []byte, f string) []byte {
		if strings.ContainsAny(f, ",\"\n") || strings.HasSuffix(f, "\r") || r.IntN(50) == 0 {
			return append(append(append(b, '"'), strings.ReplaceAll(f, `"`, `""`)...), '"')
		}
		return append(b, f...)
	}
	record := func(b []byte, fields []string) []byte {
		for i, f := range fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = cell(b, f)
		}
		return append(b, '\n')
	}
	// Two chunks, one pipeline: the memo's storage passes from one to the next.
	bodies := [2][]byte{record(nil, header), record(nil, header)}
	for i, id := range ids {
		row := append(id, names[r.IntN(len(names))], fmt.Sprint(r.IntN(2000)), ips[r.IntN(len(ips))],
			agents[r.IntN(len(agents))], "eu-west-1", "cloudtrail.amazonaws.com", fmt.Sprint(i))
		bodies[i%2] = record(bodies[i%2], row)
	}
	run := func(shortcuts bool, opt Options) string {
		noPrincipalMemo, noCleanRecords = !shortcuts, !shortcuts
		defer func() { noPrincipalMemo, noCleanRecords = false, false }()
		var comps []Component
		for _, name := range []string{"a", "b"} {
			f := fitFile(t, nil)
			f.Name = name
			c, err := LoadComponent(f, "pred_"+name, nil)
			require.NoError(t, err)
			comps = append(comps, c)
		}
		p, err := New(comps, opt)
		require.NoError(t, err)
		var all []byte
		for _, body := range bodies {
			v, err := table.ParseView(body)
			require.NoError(t, err)
			var out app.Output
			require.NoError(t, p.ScoreView(v, &out))
			all = append(all, out.Body()...)
		}
		return string(all)
	}
	for _, opt := range []Options{
		{RBA: true, CIM: true, Scoped: true, RBAFloor: DefaultRBAFloor},
		{RBA: true, CIM: true, RBAFloor: 0, Explain: 2},
		{CIM: true},
	} {
		fast, slow := run(true, opt), run(false, opt)
		require.Equal(t, slow, fast, "%+v", opt)
		require.Contains(t, fast, `," edge"`, "%+v: a principal with edge blanks is quoted", opt)
		require.Contains(t, fast, `,"Boto3 "`, "%+v: a user agent with an edge blank is quoted", opt)
	}
}

// edgeBlank is appendCells' test of a non-empty cell of a clean record.
func edgeBlank(f string) bool {
	b, e := f[0], f[len(f)-1]
	return b == ' ' || b == '\t' || e == ' ' || e == '\t'
}

// FuzzCleanRecord: in a record cleanRecord passes, every cell, and the principal and its type
// normalised from the record's identity columns, needs quotes exactly when a blank is at
// either end: the premise of appendCells' fromRec cells.
func FuzzCleanRecord(f *testing.F) {
	f.Add([]byte("userIdentity.type,userIdentity.arn,userIdentity.userName\nIAMUser,arn:aws:iam::1:user/ a ,b\n"))
	f.Add([]byte("userIdentity.type,userIdentity.arn,userIdentity.accountId\nRoot,arn:aws:iam::1:root, 7\r\n,x\ry,\"q,\"\n"))
	f.Add([]byte("userIdentity.type,userIdentity.arn,userIdentity.principalId\nAssumedRole,arn:aws:sts::1:assumed-role/\tR/s,AROA:\ts\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := table.ParseView(body)
		if err != nil {
			return
		}
		cols := map[string]int{}
		for i, h := range v.Header {
			if _, dup := cols[h]; !dup {
				cols[h] = i
			}
		}
		c := bindRBA(cols)
		row := make([]string, len(v.Header))
		for i := range v.Len() {
			if !cleanRecord(v.Record(i)) {
				continue
			}
			row = v.Row(i, row)
			obj, typ := principalRow(row, &c)
			for _, s := range append([]string{obj, typ}, row...) {
				if s != "" && table.NeedsQuotes(s) != edgeBlank(s) {
					t.Fatalf("record %d %q: cell %q", i, v.Record(i), s)
				}
			}
		}
	})
}

// TestCategoryMemoExact holds the chunk's category memo to features.ThreatCategory on more APIs
// than it has slots (so that sets fill and entries are replaced), each API asked for again
// after others displaced it, with and without an eventSource and without an eventName column.
func TestCategoryMemoExact(t *testing.T) {
	verbs := []string{"Get", "List", "Describe", "Create", "Delete", "Put", "Update", "Attach", "Detach", "Stop", "Start",
		"Modify", "Authorize", "Revoke", "Invoke"}
	nouns := []string{"User", "Role", "Policy", "AccessKey", "Bucket", "Object", "Trail", "Logging", "Instances",
		"SecurityGroupIngress", "Secret", "Parameter", "Key", "Detector", "Snapshot", "Image", "Function", "Model",
		"LoginProfile", "BucketPolicy"}
	sources := []string{"", "iam.amazonaws.com", "s3.amazonaws.com", "ec2.amazonaws.com"}
	type api struct{ source, name string }
	var apis []api
	for i, v := range verbs {
		for j, n := range nouns {
			apis = append(apis, api{sources[(i+j)%len(sources)], v + n})
		}
	}
	// One name under two services whose categories differ: the memo must key on the source too.
	for range 3 {
		apis = append(apis, api{"", "PutResourcePolicy"}, api{"kms.amazonaws.com", "PutResourcePolicy"})
	}
	c1, _ := features.ThreatCategory("", "PutResourcePolicy")
	c2, _ := features.ThreatCategory("kms.amazonaws.com", "PutResourcePolicy")
	require.NotEqual(t, c1, c2, "the test needs an API whose category depends on its service")
	require.Greater(t, len(apis), 2*categoryMemoSlots)
	want := func(a api) (string, string) {
		c, _ := features.ThreatCategory(a.source, a.name)
		cell := c
		if c == "" {
			cell = features.None
		}
		return c, string(table.AppendField(nil, cell))
	}
	var m categoryMemo
	order := append(append(append([]api{}, apis...), apis[:40]...), apis...)
	for k := len(apis) - 1; k >= 0; k -= 3 {
		order = append(order, apis[k])
	}
	for _, a := range order {
		c, cell := want(a)
		require.Equal(t, cell, m.cell(a.source, a.name, true), "%+v", a)
		require.Equal(t, c, m.category(a.source, a.name), "%+v", a)
	}
	// Without an eventName column every event's category is none.
	var none categoryMemo
	require.Equal(t, features.None, none.cell("s3.amazonaws.com", "", false))
	require.Equal(t, features.None, none.cell("", "", false))
}
