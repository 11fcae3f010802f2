package diff

import (
	"math/big"
	"strconv"
)

// segment is a range of keys: from lo (inclusive) to hi (exclusive), as
// canonical key texts, nil for no bound. Both sides' rows of a segment
// are those whose key falls in it, so a segment's checksums are
// comparable.
type segment struct {
	lo, hi []string
	// countA and countB are the rows on each side.
	countA, countB int64
	// For a single integer key, min and max bound the keys in it
	// (inclusive), so it can be split by value.
	numeric  bool
	min, max int64
	depth    int
}

// numericBounds splits [seg.min, seg.max] into at most factor ranges of
// equal width and returns the keys that start every range but the first.
func numericBounds(seg *segment, factor int) [][]string {
	lo, hi := big.NewInt(seg.min), big.NewInt(seg.max)
	span := new(big.Int).Sub(hi, lo)
	span.Add(span, big.NewInt(1)) // keys in the range
	k := big.NewInt(int64(factor))
	if span.Cmp(k) < 0 {
		k.Set(span)
	}
	if k.Cmp(big.NewInt(2)) < 0 {
		return nil
	}
	width := new(big.Int).Add(span, new(big.Int).Sub(k, big.NewInt(1)))
	width.Quo(width, k) // ceil(span / k)
	var out [][]string
	b := new(big.Int).Set(lo)
	for i := 1; i < int(k.Int64()); i++ {
		b.Add(b, width)
		if b.Cmp(hi) > 0 {
			break
		}
		out = append(out, []string{b.String()})
	}
	return out
}

// children are the sub-segments of seg cut at bounds (len(bounds)+1 of
// them).
func children(seg *segment, bounds [][]string) []*segment {
	out := make([]*segment, len(bounds)+1)
	for i := range out {
		c := &segment{lo: seg.lo, hi: seg.hi, numeric: seg.numeric, min: seg.min, max: seg.max, depth: seg.depth + 1}
		if i > 0 {
			c.lo = bounds[i-1]
			if seg.numeric {
				c.min, _ = strconv.ParseInt(bounds[i-1][0], 10, 64)
			}
		}
		if i < len(bounds) {
			c.hi = bounds[i]
			if seg.numeric {
				n, _ := strconv.ParseInt(bounds[i][0], 10, 64)
				c.max = n - 1
			}
		}
		out[i] = c
	}
	return out
}
