package sandbox

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A kept demo file is written once, found by the next process, named by
// what it holds, and replaces the files of other rows.
func TestDemoFilesKeptAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	tables, env, ok := demoTablesOf(dbMarketing)
	require.True(t, ok)
	stale := filepath.Join(dir, dbMarketing+"-0123456789abcdef01234567.db")
	require.NoError(t, os.WriteFile(stale, []byte("older rows"), 0o600))

	p, err := cachedDemoDB(dir, dbMarketing, tables, env)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, dbMarketing+"-"+demoDigest(tables, env)+".db"), p)
	_, err = os.Stat(stale)
	assert.True(t, os.IsNotExist(err), "got the file of other rows kept, want it removed")
	first, err := os.Stat(p)
	require.NoError(t, err)

	// The modification time, set back an hour, shows whether the second
	// call wrote the file again.
	require.NoError(t, os.Chtimes(p, first.ModTime(), first.ModTime().Add(-3600e9)))
	again, err := cachedDemoDB(dir, dbMarketing, tables, env)
	require.NoError(t, err)
	assert.Equal(t, p, again)
	second, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, first.ModTime().Add(-3600e9), second.ModTime(), "got the file written again, want the kept one used")

	// Other rows name another file.
	prod, prodEnv, _ := demoTablesOf(dbProd)
	assert.NotEqual(t, demoDigest(tables, env), demoDigest(prod, prodEnv))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "got %v, want only the kept file (no temporary files left)", entries)
}
