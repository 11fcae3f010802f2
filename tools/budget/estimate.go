package budget

import (
	"unicode/utf8"

	"github.com/datastack-mcp/datastack-mcp/schemas/tokens"
)

// Default is the result budget, in tokens, when the server sets none.
const Default = 25000

// Min is the smallest budget honoured; a smaller setting is raised to it,
// since the explanation of a cut needs room.
const Min = 500

// exactTokens counts o200k tokens exactly (nil: estimates only). It is
// slow (about 1 ms per KB, and loading the ranks takes a moment), so it is
// used only when the estimate is near the budget.
var exactTokens = tokens.Count

// EstimateTokens approximates the o200k token count of s without a
// tokenizer, erring high: ASCII letters cost a token per 4 (per 2 in runs
// with few vowels, like identifiers, hex or base64), digits one per 3,
// punctuation one per 2, other characters one each, plus 10%. On the
// sandbox's answers it is 1.1 to 2 times the real count.
func EstimateTokens(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isASCIILetter(c):
			j := i
			for j < len(s) && isASCIILetter(s[j]) {
				j++
			}
			n += letterTokens(s[i:j])
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n += (j - i + 2) / 3
			i = j
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c < utf8.RuneSelf:
			j := i
			for j < len(s) && s[j] < utf8.RuneSelf && !isASCIILetter(s[j]) && !(s[j] >= '0' && s[j] <= '9') && s[j] != ' ' {
				j++
			}
			n += (j - i + 1) / 2
			i = j
		default:
			_, w := utf8.DecodeRuneInString(s[i:])
			n++
			i += w
		}
	}
	return n + n/10
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isUpperASCII(c byte) bool  { return c >= 'A' && c <= 'Z' }

// letterTokens splits a run of letters at case changes ("fooBar",
// "HTTPServer") and prices each piece.
func letterTokens(s string) int {
	n, start := 0, 0
	for i := 1; i < len(s); i++ {
		prevUp, up := isUpperASCII(s[i-1]), isUpperASCII(s[i])
		switch {
		case !prevUp && up:
			n += letterPiece(s[start:i])
			start = i
		case prevUp && !up && i-start >= 2:
			n += letterPiece(s[start : i-1])
			start = i - 1
		}
	}
	return n + letterPiece(s[start:])
}

func letterPiece(s string) int {
	switch {
	case len(s) == 0:
		return 0
	case len(s) <= 3:
		return 1
	}
	vowels := 0
	for i := 0; i < len(s); i++ {
		switch s[i] | 0x20 {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			vowels++
		}
	}
	if vowels*4 >= len(s) {
		return (len(s) + 3) / 4
	}
	return (len(s) + 1) / 2
}

// countTokens is the token count the budget is checked with: the estimate,
// or the exact count when a tokenizer is available and the estimate is
// near the budget (the estimate errs high by up to about 2 times).
func countTokens(s string, budget int) int {
	e := EstimateTokens(s)
	if exactTokens != nil && e > budget*7/10 && e < budget*2 {
		return exactTokens(s)
	}
	return e
}

func keyTokens(k string) int { return stringTokens(k) + 1 }

// stringTokens is the size of a string value as JSON text: its characters,
// its quotes and its escapes.
func stringTokens(s string) int {
	extra := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' || s[i] < 0x20 {
			extra++
		}
	}
	return EstimateTokens(s) + 1 + extra/2
}
