package linreg

import (
	"iter"
	"math/bits"
	"slices"
)

// pairTable counts rows per pair of value ids (pairKey): open addressing with linear probing,
// at most three quarters full (21–43 bytes a pair, about a Go map's). It is the innermost loop of turning distinct rows into moments (k(k−1)/2
// increments a row); Go's map spent twice the time there.
type pairTable struct {
	keys  []uint64
	cnts  []int64 // 0 marks an empty slot: a stored count is ≥ 1
	n     int
	shift uint // 64 − log2(len(keys))
}

func (t *pairTable) slot(key uint64) int {
	mask := uint64(len(t.keys) - 1)
	j := (key * 0x9E3779B97F4A7C15) >> t.shift // Fibonacci hashing: the top bits depend on all of key
	for t.cnts[j] != 0 && t.keys[j] != key {
		j = (j + 1) & mask
	}
	return int(j)
}

// add adds c ≥ 1 rows to key.
func (t *pairTable) add(key uint64, c int64) {
	if 4*(t.n+1) > 3*len(t.keys) { // at most 3/4 full: linear probing stays short with Fibonacci hashing
		t.grow()
	}
	j := t.slot(key)
	if t.cnts[j] == 0 {
		t.keys[j] = key
		t.n++
	}
	t.cnts[j] += c
}

func (t *pairTable) grow() {
	keys, cnts := t.keys, t.cnts
	size := max(16, 2*len(keys))
	t.keys, t.cnts = make([]uint64, size), make([]int64, size)
	t.shift = uint(64 - bits.Len(uint(size)-1))
	for i, c := range cnts {
		if c != 0 {
			j := t.slot(keys[i])
			t.keys[j], t.cnts[j] = keys[i], c
		}
	}
}

// Len is the number of pairs.
func (t *pairTable) Len() int { return t.n }

// All yields every pair and its count, in no particular order (nothing for a nil table: a pair
// of fields one of which is null in the pattern).
func (t *pairTable) All() iter.Seq2[uint64, int64] {
	return func(yield func(uint64, int64) bool) {
		if t == nil {
			return
		}
		for i, c := range t.cnts {
			if c != 0 && !yield(t.keys[i], c) {
				return
			}
		}
	}
}

// sortedKeys returns the keys in ascending order.
func (t *pairTable) sortedKeys() []uint64 {
	out := make([]uint64, 0, t.n)
	for k := range t.All() {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// get returns key's count (0 if absent).
func (t *pairTable) get(key uint64) int64 {
	if t.n == 0 {
		return 0
	}
	return t.cnts[t.slot(key)]
}
