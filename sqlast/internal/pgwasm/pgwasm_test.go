package pgwasm

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, sql string
		wantErr   string
		wantPos   int
	}{
		{name: "select", sql: "select 1"},
		{name: "syntax error", sql: "select from from", wantErr: `syntax error at or near "from"`, wantPos: 13},
		{name: "empty", sql: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.sql)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, got)
				return
			}
			var pgErr *Error
			require.ErrorAs(t, err, &pgErr)
			assert.Equal(t, tt.wantErr, pgErr.Message)
			assert.Equal(t, tt.wantPos, pgErr.Cursorpos)
		})
	}
	// The instance that answered the error still parses.
	_, err := Parse("select 2")
	require.NoError(t, err)
}

func TestScan(t *testing.T) {
	got, err := Scan("select 'x' -- c")
	require.NoError(t, err)
	assert.NotEmpty(t, got)
}

// TestDiskCacheUnusable: a cache directory that cannot be made or written
// is no cache, not an error.
func TestDiskCacheUnusable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	assert.Nil(t, diskCache(filepath.Join(file, "wazero")), "a directory under a file")
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(t.TempDir(), "ro")
		require.NoError(t, os.Mkdir(ro, 0o500))
		assert.Nil(t, diskCache(ro), "a read-only directory")
	}
}

// TestCorruptCache: a damaged entry costs a compile, which writes a good
// entry again. (Two compiles: slow, but the one thing a user could break.)
func TestCorruptCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the parser twice")
	}
	dir := filepath.Join(t.TempDir(), "wazero")
	first, cache, err := compile(dir)
	require.NoError(t, err)
	closeAll(t, first, cache)
	entries := cacheEntries(t, dir)
	require.NotEmpty(t, entries, "the compile wrote no cache entry")
	for _, e := range entries {
		b, err := os.ReadFile(e)
		require.NoError(t, err)
		for i := len(b) / 2; i < len(b)/2+64 && i < len(b); i++ {
			b[i] ^= 0xff
		}
		require.NoError(t, os.WriteFile(e, b, 0o600))
	}

	second, cache, err := compile(dir)
	require.NoError(t, err)
	out, err := second.run("select 1", "pg_query_parse_protobuf", "pg_query_free_protobuf_parse_result")
	require.NoError(t, err)
	assert.NotEmpty(t, out)
	closeAll(t, second, cache)
	assert.NotEmpty(t, cacheEntries(t, dir), "the compile after the corrupt entry wrote none")
}

func closeAll(t *testing.T, in *instance, cache interface{ Close(context.Context) error }) {
	t.Helper()
	require.NoError(t, in.rt.Close(context.Background()))
	require.NoError(t, cache.Close(context.Background()))
}

// cacheEntries lists the files wazero keeps under dir.
func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	}))
	return out
}
