package linreg

import (
	"encoding/json"
	"fmt"
	"strconv"

	"awsrisk/models/fit"
)

// The partial rows of LinearRegression's map phase (`fit ... phase=map`, on the indexers): since
// issue 14, one row per flush, fit.ColPartial = fit.KindStats and fit.ColState = EncodePartial's
// record (distinct rows or moments, see partialstats.go). Before, one row per distinct feature
// combination with its count, Σy and Σy² in the columns below and the features' values in their
// own columns; the reduce still reads those (a search head and indexers on different versions).
const (
	colPart    = "__awsrisk_part" // "train" or "test" (holdout)
	colN       = "__awsrisk_n"
	colSumY    = "__awsrisk_sumy"
	colSumY2   = "__awsrisk_sumy2"
	colDropped = "__awsrisk_dropped" // JSON DropReport
)

// PartialColumns are the columns the reduce reads partial rows from (besides the features', which
// only the old rows use).
var PartialColumns = []string{fit.ColPartial, fit.ColState, colPart, colN, colSumY, colSumY2, colDropped}

var legacyColumns = []string{fit.ColPartial, colPart, colN, colSumY, colSumY2, colDropped}

// WritePartials emits the map phase's statistics as one partial row (fit.ColPartial, fit.ColState).
// In splunkd's selected-fields mode the row must name an event of the chunk it answers, by
// chunkedIdx, so that splunkd can merge it back (scp-v2.md §4.3): it then carries _chunked_idx.
// It returns the form of the train part (see EncodePartial).
func WritePartials(train, test *Aggregate, chunkedIdx string, header func([]string), row func(rec []string)) byte {
	blob, form := EncodePartial(train, test)
	if chunkedIdx == "" {
		header([]string{fit.ColPartial, fit.ColState})
		row([]string{fit.KindStats, blob})
		return form
	}
	header([]string{fit.ColPartial, fit.ColState, "_chunked_idx"})
	row([]string{fit.KindStats, blob, chunkedIdx})
	return form
}

// PartialReader reads partial rows of one chunk back into aggregates.
type PartialReader struct {
	features                                 []string
	kind, state, part, n, sumY, sumY2, drops int
	fcols                                    []int
	xs                                       []string
}

// NewPartialReader finds the partial columns of a chunk through col (-1 when absent).
func NewPartialReader(col func(name string) int, features []string) *PartialReader {
	p := &PartialReader{features: features, kind: col(fit.ColPartial), state: col(fit.ColState), part: col(colPart), n: col(colN),
		sumY: col(colSumY), sumY2: col(colSumY2), drops: col(colDropped),
		fcols: make([]int, len(features)), xs: make([]string, len(features))}
	for i, f := range features {
		p.fcols[i] = col(f)
	}
	return p
}

// IsPartial reports whether row is a partial row rather than a raw event.
func (p *PartialReader) IsPartial(row []string) bool { return p.kind >= 0 && row[p.kind] != "" }

// Add adds partial row r (0-based; 1-based in messages) to train or test (distinct rows), mom
// (the train part's moments) or hm (the test part's).
func (p *PartialReader) Add(r int, row []string, train, test *Aggregate, mom *Moments, hm *HoldoutMoments) error {
	agg := train
	if p.part >= 0 && row[p.part] == "test" {
		agg = test
	}
	bad := func(what string) error {
		return fmt.Errorf("partial row %d from the map phase has a bad %s; rerun the search (mixed awsrisk versions on search head and indexers?)", r+1, what)
	}
	switch row[p.kind] {
	case fit.KindStats:
		if p.state < 0 {
			return bad(fit.ColState)
		}
		if err := DecodePartial(row[p.state], train, test, mom, hm); err != nil {
			return fmt.Errorf("partial row %d from the map phase: %w; rerun the search (mixed awsrisk versions on search head and indexers?)", r+1, err)
		}
		return nil
	case fit.KindDropped:
		if p.drops < 0 {
			return bad(colDropped)
		}
		var d DropReport
		if err := json.Unmarshal([]byte(row[p.drops]), &d); err != nil {
			return bad(colDropped)
		}
		agg.AddDropped(d)
		return nil
	case fit.KindGroup:
	default:
		return bad(fit.ColPartial)
	}
	if p.n < 0 || p.sumY < 0 || p.sumY2 < 0 {
		return bad("count or sum column")
	}
	n, err1 := strconv.ParseInt(row[p.n], 10, 64)
	sy, err2 := strconv.ParseFloat(row[p.sumY], 64)
	sy2, err3 := strconv.ParseFloat(row[p.sumY2], 64)
	if err1 != nil || err2 != nil || err3 != nil || n <= 0 {
		return bad("count or sum")
	}
	for i, c := range p.fcols {
		if c < 0 {
			return bad("feature column " + strconv.Quote(p.features[i]))
		}
		p.xs[i] = row[c]
	}
	agg.AddGroup(p.xs, n, sy, sy2)
	return nil
}
