package tokens

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pkoukk/tiktoken-go"
	loader "github.com/pkoukk/tiktoken-go-loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reference is tiktoken-go's o200k_base, what Count used before it kept
// only what counting needs.
var reference = sync.OnceValue(func() *tiktoken.Tiktoken {
	tiktoken.SetBpeLoader(loader.NewOfflineLoader())
	enc, err := tiktoken.GetEncoding("o200k_base")
	if err != nil {
		panic(err)
	}
	return enc
})

func samples(t testing.TB) []string {
	corpus, err := os.ReadFile("testdata/corpus.txt")
	require.NoError(t, err)
	out := []string{
		"",
		"a",
		"hello world",
		"Hello, World! It's 2026; they'll've 1234567 items.",
		"  leading and trailing  \n\n\r\n\t ",
		"<|endoftext|> and <|endofprompt|> are plain text here",
		"日本語のテキストとÉmojis 🙂👍🏽 and Ελληνικά, русский, عربي",
		"invalid \xff\xfe utf-8 \xc3",
		strings.Repeat("x", 500),
		strings.Repeat("ab12 ", 300),
		`{"key":"value","n":[1,2,3],"nested":{"deep":true}}`,
		string(corpus),
	}
	for _, line := range strings.Split(string(corpus), "\n") {
		out = append(out, line)
	}
	return out
}

func TestCountMatchesTiktoken(t *testing.T) {
	for i, s := range samples(t) {
		want := len(reference().Encode(s, nil, nil))
		assert.Equal(t, want, Count(s), "sample %d %.60q: got Count, want tiktoken-go's", i, s)
	}
}

func TestCountKnown(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"hello world", 2},
		{"<|endoftext|>", 7},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Count(tt.in), "Count(%q)", tt.in)
	}
}

func TestRanksComplete(t *testing.T) {
	ranks, err := loadRanks()
	require.NoError(t, err)
	n := len(ranks.off) - 1
	require.Equal(t, 199998, n, "got %d ranks, want o200k_base's 199998", n)
	for _, r := range []int{0, 1, 255, 1000, 100000, n - 1} {
		assert.Equal(t, r, ranks.rank(ranks.token(r)), "rank of token %d", r)
	}
	assert.Equal(t, -1, ranks.rank([]byte("not a token at all, surely")))
}

func BenchmarkCount(b *testing.B) {
	corpus, err := os.ReadFile("testdata/corpus.txt")
	require.NoError(b, err)
	s := string(corpus)
	Count(s)
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	for b.Loop() {
		Count(s)
	}
}

func BenchmarkTiktoken(b *testing.B) {
	corpus, err := os.ReadFile("testdata/corpus.txt")
	require.NoError(b, err)
	s := string(corpus)
	enc := reference()
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	for b.Loop() {
		enc.Encode(s, nil, nil)
	}
}
