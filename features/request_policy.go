package features

import "strings"

// Policy documents. IAM (policyDocument, assumeRolePolicyDocument), KMS (policy), ECR
// (policyText), Secrets Manager (resourcePolicy), SQS (attributes.Policy) and SNS (attributeValue)
// log their policy as a JSON string inside requestParameters, so neither spath nor the CSV
// flattener splits it into fields. scanPolicy walks that string once, without allocating, and
// summarises its statements; it never fails, and a document it cannot read summarises as nothing
// (ok=false), which keeps the table's prior.

// policySummary says what the Allow statements of a policy document grant.
type policySummary struct {
	ok            bool // the document parsed and had at least one statement
	allowStar     bool // an Allow statement with Principal "*" (or {"AWS":"*"}) and no Condition
	allowExternal bool // an Allow statement naming an AWS account other than own
	allowAdmin    bool // an Allow statement with Action "*" on Resource "*"
	allowOther    bool // an Allow statement naming an AWS principal that is neither "*" nor external (own account, or own unknown)
	allowService  bool // an Allow statement naming a service or federated principal
	statements    int
}

// maxPolicyDepth bounds nesting: IAM policies nest four deep (Statement, Condition, operator,
// key); deeper input is not a policy.
const maxPolicyDepth = 16

// scanPolicy summarises doc; own is the caller's 12-digit account ("" when unknown), so that a
// principal in another account reads as external.
func scanPolicy(doc, own string) policySummary {
	var sum policySummary
	i := skipWS(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return sum
	}
	ok := eachMember(doc, i, func(key string, v int) bool {
		if !strings.EqualFold(key, "Statement") {
			return true
		}
		switch {
		case v < len(doc) && doc[v] == '[':
			return eachElement(doc, v, func(e int) bool {
				if e < len(doc) && doc[e] == '{' {
					return scanStatement(doc, e, own, &sum)
				}
				return true
			})
		case v < len(doc) && doc[v] == '{':
			return scanStatement(doc, v, own, &sum)
		}
		return true
	})
	if !ok || sum.statements == 0 {
		return policySummary{} // a statement read before the damage may not be the whole story
	}
	sum.ok = true
	return sum
}

// scanStatement folds one statement object at doc[i] into sum.
func scanStatement(doc string, i int, own string, sum *policySummary) bool {
	allow, cond := false, false
	star, external, other, service, actionStar, resourceStar := false, false, false, false, false, false
	ok := eachMember(doc, i, func(key string, v int) bool {
		switch {
		case strings.EqualFold(key, "Effect"):
			s, _, _ := jsonString(doc, v)
			allow = strings.EqualFold(s, "Allow")
		case strings.EqualFold(key, "Condition"):
			cond = v < len(doc) && doc[v] == '{' && !emptyObject(doc, v)
		case strings.EqualFold(key, "Action"):
			eachStringValue(doc, v, func(_, s string) { actionStar = actionStar || s == "*" })
		case strings.EqualFold(key, "Resource"):
			eachStringValue(doc, v, func(_, s string) { resourceStar = resourceStar || s == "*" })
		case strings.EqualFold(key, "Principal"):
			eachStringValue(doc, v, func(kind, s string) {
				switch {
				case kind != "" && !strings.EqualFold(kind, "AWS"):
					service = true // Service, Federated: AWS runs it or an identity provider vouches
				case s == "*":
					star = true
				case own != "" && principalAccount(s) != "" && principalAccount(s) != own:
					external = true
				default:
					other = true
				}
			})
		}
		return true
	})
	if !ok {
		return false
	}
	sum.statements++
	if allow {
		sum.allowStar = sum.allowStar || star && !cond
		sum.allowExternal = sum.allowExternal || external
		sum.allowAdmin = sum.allowAdmin || actionStar && resourceStar
		sum.allowOther = sum.allowOther || other || star && cond
		sum.allowService = sum.allowService || service
	}
	return true
}

// principalAccount is the account of an AWS principal: a bare 12-digit id or the account field
// of an ARN (arn:aws:iam::123456789012:root); "" otherwise.
func principalAccount(s string) string {
	if isAccount(s) {
		return s
	}
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	// arn:partition:service:region:account:resource
	rest := s
	for range 4 {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ""
		}
		rest = rest[j+1:]
	}
	if j := strings.IndexByte(rest, ':'); j >= 0 && isAccount(rest[:j]) {
		return rest[:j]
	}
	return ""
}

// eachStringValue calls fn(kind, s) on every string in the value at doc[i]: the string itself, the
// strings of an array, or, for an object ({"AWS": [...], "Service": "..."}), the strings under
// each key with kind set to that key. It does not recurse (a recursive walk would move fn and
// its captures to the heap).
func eachStringValue(doc string, i int, fn func(kind, s string)) {
	if i < len(doc) && doc[i] == '{' {
		eachMember(doc, i, func(key string, v int) bool {
			eachString(doc, v, key, fn)
			return true
		})
		return
	}
	eachString(doc, i, "", fn)
}

// eachString calls fn(kind, s) on the string at doc[i] or each string of the array there.
func eachString(doc string, i int, kind string, fn func(kind, s string)) {
	if i >= len(doc) {
		return
	}
	switch doc[i] {
	case '"':
		if s, _, ok := jsonString(doc, i); ok {
			fn(kind, s)
		}
	case '[':
		eachElement(doc, i, func(e int) bool {
			if s, _, ok := jsonString(doc, e); ok {
				fn(kind, s)
			}
			return true
		})
	}
}

// eachMember calls fn(key, valueStart) for each member of the object at doc[i] and reports
// whether the object was well formed up to its closing brace (or fn stopped).
func eachMember(doc string, i int, fn func(key string, v int) bool) bool {
	return eachItem(doc, i, '}', func(i int) (int, bool) {
		key, end, ok := jsonString(doc, i)
		if !ok {
			return 0, false
		}
		i = skipWS(doc, end)
		if i >= len(doc) || doc[i] != ':' {
			return 0, false
		}
		v := skipWS(doc, i+1)
		if !fn(key, v) {
			return 0, false
		}
		return skipValue(doc, v)
	})
}

// eachElement calls fn(elementStart) for each element of the array at doc[i].
func eachElement(doc string, i int, fn func(e int) bool) bool {
	return eachItem(doc, i, ']', func(i int) (int, bool) {
		if !fn(i) {
			return 0, false
		}
		return skipValue(doc, i)
	})
}

// eachItem walks the comma-separated items of the object or array opened at doc[i] and closed
// by end: item reads the item starting at its argument and returns the index just past it, or
// false to stop. It reports whether the container was well formed up to end.
func eachItem(doc string, i int, end byte, item func(i int) (int, bool)) bool {
	i = skipWS(doc, i+1)
	if i < len(doc) && doc[i] == end {
		return true
	}
	for i < len(doc) {
		var ok bool
		if i, ok = item(i); !ok {
			return false
		}
		i = skipWS(doc, i)
		if i >= len(doc) {
			return false
		}
		switch doc[i] {
		case end:
			return true
		case ',':
			i = skipWS(doc, i+1)
		default:
			return false
		}
	}
	return false
}

// skipValue returns the index just past the value at doc[i]. Objects and arrays are skipped by
// counting brackets outside strings, up to maxPolicyDepth.
func skipValue(doc string, i int) (int, bool) {
	if i >= len(doc) {
		return i, false
	}
	switch c := doc[i]; {
	case c == '"':
		_, end, ok := jsonString(doc, i)
		return end, ok
	case c == '{' || c == '[':
		depth := 0
		for ; i < len(doc); i++ {
			switch doc[i] {
			case '"':
				_, end, ok := jsonString(doc, i)
				if !ok {
					return end, false
				}
				i = end - 1
			case '{', '[':
				if depth++; depth > maxPolicyDepth {
					return i, false
				}
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, true
				}
			}
		}
		return i, false
	default: // number, true, false, null
		j := i
		for j < len(doc) && doc[j] != ',' && doc[j] != '}' && doc[j] != ']' && !isWS(doc[j]) {
			j++
		}
		return j, j > i
	}
}

// jsonString returns the raw content of the string at doc[i] (escapes left as written: the
// values compared here, "*", "Allow", account ARNs, hold none) and the index past its quote.
func jsonString(doc string, i int) (string, int, bool) {
	if i >= len(doc) || doc[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(doc); j++ {
		switch doc[j] {
		case '\\':
			j++
		case '"':
			return doc[i+1 : j], j + 1, true
		}
	}
	return "", len(doc), false
}

func emptyObject(doc string, i int) bool {
	j := skipWS(doc, i+1)
	return j < len(doc) && doc[j] == '}'
}

func skipWS(doc string, i int) int {
	for i < len(doc) && isWS(doc[i]) {
		i++
	}
	return i
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
