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

// TestNoEngineUntilUsed: a sandbox writes no database until something
// needs the engine (a SQL query here), then runs on its own files.
func TestNoEngineUntilUsed(t *testing.T) {
	s := newTestSandbox(t)
	s.demo = &demoFiles{root: t.TempDir()}
	t.Cleanup(s.demo.close)
	for _, path := range []string{"/api/v1/data_sources", "/api/v1/monitors", "/api/v1/monitors/201"} {
		r := do(t, s, "datafold", "GET", path, nil)
		require.Equal(t, 200, r.Status, path)
	}
	assert.False(t, s.demo.written(), "nothing is written before the engine is needed")
	r := do(t, s, "datafold", "POST", "/api/v1/data_sources/1/query", map[string]any{"query": "select count(*) as n from MARTS.dim_customers"})
	require.Equal(t, 200, r.Status, string(r.Body))
	assert.Equal(t, float64(nCustomers), r.get("rows.0.N"))
	assert.True(t, s.demo.written())
}
