package tokens

import "math"

// pieceTokens returns how many tokens byte-pair encoding makes of one
// piece of the pre-tokenized text: tiktoken's merge, lowest rank first,
// counted rather than collected.
func (t *rankTable) pieceTokens(piece []byte) int {
	if len(piece) <= 1 || t.rank(piece) >= 0 {
		return min(len(piece), 1)
	}
	type part struct{ start, rank int }
	var small [64]part
	parts := small[:0]
	if len(piece)+1 > len(small) {
		parts = make([]part, 0, len(piece)+1)
	}
	for i := 0; i <= len(piece); i++ {
		parts = append(parts, part{i, math.MaxInt})
	}
	// rankOf is the rank of parts[i] merged with the skip+1 parts after it.
	rankOf := func(i, skip int) int {
		if i+skip+2 < len(parts) {
			if r := t.rank(piece[parts[i].start:parts[i+skip+2].start]); r >= 0 {
				return r
			}
		}
		return math.MaxInt
	}
	for i := 0; i < len(parts)-2; i++ {
		parts[i].rank = rankOf(i, 0)
	}
	for len(parts) > 1 {
		minRank, i := math.MaxInt, -1
		for j := 0; j < len(parts)-1; j++ {
			if parts[j].rank < minRank {
				minRank, i = parts[j].rank, j
			}
		}
		if i < 0 {
			break
		}
		parts[i].rank = rankOf(i, 1)
		if i > 0 {
			parts[i-1].rank = rankOf(i-1, 1)
		}
		parts = append(parts[:i+1], parts[i+2:]...)
	}
	return len(parts) - 1
}
