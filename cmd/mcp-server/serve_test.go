package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFirstWrite: what waits for the first answer (collection resuming
// after start-up) runs once, after that answer is written, not before.
func TestFirstWrite(t *testing.T) {
	var out bytes.Buffer
	var seen []string
	w := &firstWrite{w: &out, then: func() { seen = append(seen, out.String()) }}
	for _, msg := range []string{"one\n", "two\n"} {
		n, err := w.Write([]byte(msg))
		require.NoError(t, err)
		assert.Equal(t, len(msg), n)
	}
	assert.Equal(t, []string{"one\n"}, seen, "got the runs of then (with what was written by then), want one after the first write")
}
