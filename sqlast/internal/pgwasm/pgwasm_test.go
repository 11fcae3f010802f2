package pgwasm

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
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
		{name: "unterminated string", sql: "select 'x", wantErr: "unterminated quoted string at or near \"'x\"", wantPos: 8},
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
}

func TestScan(t *testing.T) {
	got, err := Scan("select 'x' -- c")
	require.NoError(t, err)
	assert.NotEmpty(t, got)
}

// TestErrorThenParse: a syntax error leaves the grammar by longjmp; the
// same instance then parses again, over and over, with the same answers.
func TestErrorThenParse(t *testing.T) {
	require.NoError(t, Compile())
	in, err := compiled.instantiate()
	require.NoError(t, err)
	defer func() { require.NoError(t, in.close()) }()

	want, err := in.protobuf("select 1", "pg_query_parse_protobuf", "pg_query_free_protobuf_parse_result")
	require.NoError(t, err)
	for i := range 50 {
		_, err := in.protobuf("select from from", "pg_query_parse_protobuf", "pg_query_free_protobuf_parse_result")
		var pgErr *Error
		require.ErrorAs(t, err, &pgErr, "round %d", i)
		got, err := in.protobuf("select 1", "pg_query_parse_protobuf", "pg_query_free_protobuf_parse_result")
		require.NoError(t, err, "round %d", i)
		assert.Equal(t, want, got, "round %d", i)
	}
}

// TestConcurrent: parses on several goroutines at once (so on several
// instances) answer what the same parses answer one at a time.
func TestConcurrent(t *testing.T) {
	const goroutines, rounds = 6, 20
	sqls := make([]string, 8)
	for i := range sqls {
		sqls[i] = fmt.Sprintf("select a%d, count(*) from t%d group by 1", i, i)
	}
	sqls[3] = "select from from" // the error path too
	want := make([][]byte, len(sqls))
	for i, sql := range sqls {
		want[i], _ = Parse(sql)
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for r := range rounds {
				i := (g + r) % len(sqls)
				got, err := Parse(sqls[i])
				if want[i] == nil {
					var pgErr *Error
					assert.ErrorAs(t, err, &pgErr, "%q", sqls[i])
					continue
				}
				if assert.NoError(t, err, "%q", sqls[i]) {
					assert.Equal(t, want[i], got, "%q", sqls[i])
				}
			}
		})
	}
	wg.Wait()
}

// TestTrapIsError: a trap inside the module (here a text pointer far past
// its memory) is an error, not a panic, and the instance is not reused.
func TestTrapIsError(t *testing.T) {
	var trapped *instance
	_, err := with(func(in *instance) ([]byte, error) {
		trapped = in
		_, err := in.invoke("pg_query_parse_protobuf", 1024, 0xfffffff0)
		return nil, err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pg_query_parse_protobuf")
	idle.mu.Lock()
	assert.NotContains(t, idle.in, trapped, "the trapped instance went back to the pool")
	idle.mu.Unlock()

	_, err = Parse("select 1")
	require.NoError(t, err)
}

// TestDiskCacheUnusable: a cache directory that cannot be made or written
// is no cache, not an error.
func TestDiskCacheUnusable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	assert.Nil(t, openDiskCache(filepath.Join(file, "wazero")), "a directory under a file")
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(t.TempDir(), "ro")
		require.NoError(t, os.Mkdir(ro, 0o500))
		assert.Nil(t, openDiskCache(ro), "a read-only directory")
	}
}

// TestCorruptCache: a damaged entry costs a compile, which writes a good
// entry again. (Two compiles: slow, but the one thing a user could break.)
func TestCorruptCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the parser twice")
	}
	dir := filepath.Join(t.TempDir(), "wazero")
	first, err := load(dir)
	require.NoError(t, err)
	require.NotNil(t, first.cache, "no disk cache in a writable directory")
	require.NoError(t, first.close())
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

	second, err := load(dir)
	require.NoError(t, err)
	assert.NotNil(t, second.cache, "the second compile fell back to memory")
	in, err := second.instantiate()
	require.NoError(t, err)
	out, err := in.protobuf("select 1", "pg_query_parse_protobuf", "pg_query_free_protobuf_parse_result")
	require.NoError(t, err)
	assert.NotEmpty(t, out)
	require.NoError(t, second.close())
	assert.NotEmpty(t, cacheEntries(t, dir), "the compile after the corrupt entry wrote none")
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
