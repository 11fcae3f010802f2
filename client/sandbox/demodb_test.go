package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoFiles: the demo databases are written on first use, hold the
// rows the generator makes (prod and dev differ as PR #42 says), and the
// first write removes the directories of processes that no longer run.
func TestDemoFiles(t *testing.T) {
	root := t.TempDir()
	stale := filepath.Join(root, demoDirPrefix+"2147483646") // no such process
	require.NoError(t, os.MkdirAll(stale, 0o700))
	f := &demoFiles{root: root}
	t.Cleanup(f.close)
	require.False(t, f.written(), "nothing is written before it is needed")
	ctx := context.Background()
	for _, tc := range []struct {
		db    string
		query string
		want  int64
	}{
		{dbProd, "select count(*) from fct_orders", nOrders},
		{dbDev, "select count(*) from fct_orders", nOrders + nDevExtra - nOrders/883},
		{dbProd, "select count(*) from raw_payments", nPayments},
		{dbMarketing, "select count(*) from campaigns", 12},
	} {
		c, err := f.conn(ctx, tc.db)
		require.NoError(t, err, tc.db)
		res, err := c.Query(ctx, tc.query, 1)
		require.NoError(t, err, tc.query)
		assert.Equal(t, tc.want, res.Rows[0][0], "%s on %s: got %v, want %d", tc.query, tc.db, res.Rows[0][0], tc.want)
	}
	assert.True(t, f.written())
	assert.NoDirExists(t, stale, "the directory of a process that no longer runs is removed")
	assert.FileExists(t, filepath.Join(root, demoDirPrefix+itoa(os.Getpid()), "dev.db"))
}
