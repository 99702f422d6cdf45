package incident

import (
	"slices"
	"strings"
)

// Novelty evidence. The baselines upstream (rare field values, first-seen
// values, unusual hours, new principals, sessions and keys) explain an event
// by where or when it happened, not by what it did, so one cause (a new
// source address, an unusual hour that day) is repeated on every API of a
// session. Counted per API, one new address becomes twenty pieces of evidence
// and the noisy-or pages on it. noveltyCauses names the cause of each novelty
// reason so that close can count each cause once per incident.

// noveltyCauses returns the novelty causes among reasons (in order, without
// duplicates) and whether the leading reason, the one that contributes most
// to the event score, is a novelty reason. Reasons are matched by the texts
// the baseline models write:
//
//	rare combination: F=V in …                    → F=V
//	first time P used F=V (…                       → F=V
//	P rarely uses F=V (…                           → F=V
//	F=V is outside the usual range … (p=…)         → F=V
//	F=V is below the smallest value seen, …        → F=V
//	first time K P is seen …                       → new principal
//	first session S of P …                         → new session S
//	first use of long-term access key K by P …     → new key K
//
// A denial, a supervised contribution (ct_…=x +n), an instance credential
// used from a new address or a role used after its trust changed are not
// novelty: they say what the call did.
func noveltyCauses(reasons []string) (causes []string, led bool) {
	for i, r := range reasons {
		c := noveltyCause(r)
		if c == "" {
			continue
		}
		if i == 0 {
			led = true
		}
		if !slices.Contains(causes, c) {
			causes = append(causes, c)
		}
	}
	return causes, led
}

// noveltyCause returns the cause of one novelty reason, "" for another reason.
func noveltyCause(r string) string {
	r = strings.TrimSpace(r)
	switch {
	case strings.HasPrefix(r, "rare combination: "):
		return fieldValue(strings.TrimPrefix(r, "rare combination: "), " in ")
	case strings.HasPrefix(r, "first time ") && strings.Contains(r, " is seen"):
		return "new principal"
	case strings.HasPrefix(r, "first time ") && strings.Contains(r, " used "):
		_, rest, _ := strings.Cut(r, " used ")
		return fieldValue(rest, " (")
	case strings.Contains(r, " rarely uses "):
		_, rest, _ := strings.Cut(r, " rarely uses ")
		return fieldValue(rest, " (")
	case strings.Contains(r, " is outside the usual range "):
		v, _, _ := strings.Cut(r, " is outside the usual range ")
		if strings.Contains(v, "=") {
			return v
		}
	case strings.Contains(r, " is below the smallest value seen"):
		v, _, _ := strings.Cut(r, " is below the smallest value seen")
		if strings.Contains(v, "=") {
			return v
		}
	case strings.HasPrefix(r, "first session "):
		s, _, _ := strings.Cut(strings.TrimPrefix(r, "first session "), " of ")
		return "new session " + s
	case strings.HasPrefix(r, "first use of long-term access key "):
		k, _, _ := strings.Cut(strings.TrimPrefix(r, "first use of long-term access key "), " by ")
		return "new key " + k
	}
	return ""
}

// fieldValue returns the "F=V" that starts s, up to sep; "" when s does not
// start with one.
func fieldValue(s, sep string) string {
	fv, _, _ := strings.Cut(s, sep)
	if f, v, ok := strings.Cut(fv, "="); !ok || f == "" || v == "" || strings.ContainsAny(f, " ") {
		return ""
	}
	return fv
}

// mergeNovelty replaces the evidence of novelty-led events by one piece per
// cause: pieces whose causes overlap (the same new address seen as rare
// overall and first-seen for the principal) are one cause, found by
// union-find over the cause names, and the strongest piece stands for it.
// causes[i] holds ev[i]'s causes, nil for evidence that is not novelty-led;
// acts[i] whether ev[i]'s API was a sensitive write or a denied sensitive
// call, counted into the kept piece so that corroborated can tell one call
// from many.
func mergeNovelty(ev []Evidence, causes [][]string, acts []bool) []Evidence {
	parent := make([]int, len(ev))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, cs := range causes {
		for _, c := range cs {
			if j, ok := owner[c]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[c] = i
			}
		}
	}
	best := map[int]int{} // component root → index of its strongest piece
	for i, cs := range causes {
		if cs == nil {
			continue
		}
		r := find(i)
		if b, ok := best[r]; !ok || ev[i].Score > ev[b].Score || ev[i].Score == ev[b].Score && ev[i].Name < ev[b].Name {
			best[r] = i
		}
	}
	nacts := map[int]int{}
	for i, cs := range causes {
		if cs != nil && acts[i] {
			nacts[find(i)]++
		}
	}
	out := ev[:0:0]
	for i, e := range ev {
		if causes[i] == nil {
			out = append(out, e)
			continue
		}
		if best[find(i)] == i {
			e.Novelty, e.acts = true, nacts[find(i)]
			out = append(out, e)
		}
	}
	return out
}
