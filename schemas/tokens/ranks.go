package tokens

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/maphash"
	"math"
	"strconv"

	"github.com/pkoukk/tiktoken-go-loader/assets"
)

// rankTable maps a token's bytes to its BPE rank. In the o200k_base file
// ranks are the line numbers (0, 1, 2, ...), so token r's bytes are
// blob[off[r]:off[r+1]], and an open-addressing hash table of ranks finds
// a token by its bytes: about 3 MB for 200k tokens, with no per-token
// allocation for the collector to scan.
type rankTable struct {
	blob  []byte   // every token's bytes, in rank order
	off   []uint32 // token r is blob[off[r]:off[r+1]]
	slots []uint32 // rank+1 by hash of the bytes; 0 is empty
	mask  uint64
	seed  maphash.Seed
}

// loadRanks decodes the embedded o200k_base.tiktoken: one "base64 rank"
// line per token.
func loadRanks() (*rankTable, error) {
	data, err := assets.Assets.ReadFile("o200k_base.tiktoken")
	if err != nil {
		return nil, err
	}
	t := &rankTable{seed: maphash.MakeSeed()}
	lines := bytes.Count(data, []byte("\n")) + 1
	t.off = make([]uint32, 1, lines+1)
	t.blob = make([]byte, 0, len(data)*3/4/2)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		tok, rank, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			return nil, fmt.Errorf("line %q: no rank", line)
		}
		r, err := strconv.Atoi(string(rank))
		if err != nil || r != len(t.off)-1 {
			return nil, fmt.Errorf("line %q: rank is not the line number %d", line, len(t.off)-1)
		}
		t.blob, err = base64.StdEncoding.AppendDecode(t.blob, tok)
		if err != nil {
			return nil, fmt.Errorf("line %q: %v", line, err)
		}
		if len(t.blob) > math.MaxUint32 {
			return nil, fmt.Errorf("ranks too large")
		}
		t.off = append(t.off, uint32(len(t.blob)))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	t.blob = bytes.Clone(t.blob) // drop the spare capacity
	n := len(t.off) - 1
	size := 1
	for size < n*2 { // load factor at most 1/2
		size <<= 1
	}
	t.slots = make([]uint32, size)
	t.mask = uint64(size - 1)
	for r := range n {
		i := maphash.Bytes(t.seed, t.token(r)) & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = uint32(r) + 1
	}
	return t, nil
}

func (t *rankTable) token(r int) []byte { return t.blob[t.off[r]:t.off[r+1]] }

// rank returns the rank of the token b, or -1 if b is not a token.
func (t *rankTable) rank(b []byte) int {
	i := maphash.Bytes(t.seed, b) & t.mask
	for {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if r := int(s - 1); bytes.Equal(t.token(r), b) {
			return r
		}
		i = (i + 1) & t.mask
	}
}
