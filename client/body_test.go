package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneByteReader returns its data one byte per Read, as a slow upstream does.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestReadBody(t *testing.T) {
	const limit = 4 << 10
	data := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	for _, tc := range []struct {
		name    string
		body    io.Reader
		length  int64 // Content-Length; -1 unknown
		want    int   // bytes read; -1: error
		wantErr error
	}{
		{"known length", bytes.NewReader(data(3000)), 3000, 3000, nil},
		{"known length at the limit", bytes.NewReader(data(limit)), limit, limit, nil},
		{"known length over the limit: not read", errReader{}, limit + 1, -1, errTooLarge},
		{"known length, cut short", bytes.NewReader(data(10)), 20, -1, io.ErrUnexpectedEOF},
		{"unknown length", bytes.NewReader(data(3000)), -1, 3000, nil},
		{"unknown length, several chunks", bytes.NewReader(data(chunkSize*2 + 5)), -1, chunkSize*2 + 5, nil},
		{"unknown length at the limit", bytes.NewReader(data(limit)), -1, limit, nil},
		{"unknown length over the limit", bytes.NewReader(data(limit + 1)), -1, -1, errTooLarge},
		{"unknown length, one byte at a time", oneByteReader{bytes.NewReader(data(1000))}, -1, 1000, nil},
		{"empty", http.NoBody, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := int64(limit)
			if strings.Contains(tc.name, "several chunks") {
				lim = chunkSize * 3
			}
			got, err := readBody(&http.Response{Body: io.NopCloser(tc.body), ContentLength: tc.length}, lim)
			if tc.want < 0 {
				require.ErrorIs(t, err, tc.wantErr, "got %v, want %v", err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Len(t, got, tc.want, "got %d bytes, want %d", len(got), tc.want)
			assert.Equal(t, len(got), cap(got), "got a buffer of capacity %d for %d bytes, want one of the answer's size", cap(got), len(got))
		})
	}
}

// errReader fails the test's expectation if it is read at all.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("read, but should not have been") }

// TestAnswerLimit: an answer over MaxResponseBytes is TooLarge after one
// attempt, whether its length is declared or not, and one at the limit is
// whole. Small sizes: nothing here depends on how fast bytes move.
func TestAnswerLimit(t *testing.T) {
	const limit = 4 << 10
	for _, tc := range []struct {
		name     string
		size     int
		declared bool
		tooLarge bool
	}{
		{"declared, over", 64 << 10, true, true},
		{"chunked, over", 64 << 10, false, true},
		{"declared, at the limit", limit, true, false},
		{"chunked, at the limit", limit, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits counter
			c, _, _ := newTestClient(t, Config{MaxResponseBytes: limit}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.inc()
				if tc.declared {
					w.Header().Set("Content-Length", strconv.Itoa(tc.size))
				}
				for n := 0; n < tc.size; n += 1024 {
					if _, err := w.Write(bytes.Repeat([]byte(" "), min(1024, tc.size-n))); err != nil {
						return
					}
					if !tc.declared {
						http.NewResponseController(w).Flush() // chunked, no length
					}
				}
			}))
			resp, err := c.Do(context.Background(), Request{Path: "/api/v1/x"})
			assert.Equal(t, 1, hits.get(), "got %d attempts, want 1", hits.get())
			if !tc.tooLarge {
				require.NoError(t, err)
				assert.Len(t, resp.Body, tc.size)
				return
			}
			e := asError(t, err)
			assert.True(t, e.TooLarge, "got TooLarge false, want true")
			assert.Contains(t, e.Error(), "response too large", "got %q", e.Error())
		})
	}
}

// TestErrorBodyBounded: only the start of a large error answer is read.
func TestErrorBodyBounded(t *testing.T) {
	c, _, _ := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"detail":"bad"` + strings.Repeat(" ", 1<<20) + `}`))
	}))
	_, err := get(c, "/api/v1/x")
	e := asError(t, err)
	assert.Equal(t, http.StatusBadRequest, e.Status)
	assert.LessOrEqual(t, len(e.Message), maxMessage+3, "got a message of %d bytes, want it bounded", len(e.Message))
}

// TestAnswerReadMemory: reading an answer allocates about its size once:
// straight into a buffer of its declared length, or (chunked) pooled chunks
// and one copy, never the repeated growth of io.ReadAll (about five times
// the size for a large answer).
func TestAnswerReadMemory(t *testing.T) {
	const size = 4 << 20
	payload := bytes.Repeat([]byte("x"), size)
	for _, tc := range []struct {
		name     string
		declared bool
		max      float64 // allocated bytes per answer byte
	}{
		{"declared length", true, 1.25},
		{"chunked", false, 2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, Config{MaxResponseBytes: 2 * size}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.declared {
					w.Header().Set("Content-Length", strconv.Itoa(size))
				}
				w.Write(payload)
			}))
			_, err := get(c, "/warm-up") // connection and pools in place
			require.NoError(t, err)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			resp, err := get(c, "/api/v1/x")
			runtime.ReadMemStats(&after)
			require.NoError(t, err)
			require.Len(t, resp.Body, size)
			perByte := float64(after.TotalAlloc-before.TotalAlloc) / size
			assert.LessOrEqual(t, perByte, tc.max, "got %.2f bytes allocated per answer byte, want at most %.2f", perByte, tc.max)
		})
	}
}
