package dbt

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(jaffle, name))
	require.NoError(t, err)
	return raw
}

// writeAt writes a file and gives it a distinct modification time.
func writeAt(t *testing.T, path string, data []byte, mtime time.Time) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	require.NoError(t, os.Chtimes(path, mtime, mtime))
}

func TestReload(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target", "manifest.json")
	v12 := readTestdata(t, "manifests/manifest_v12.json")
	v4 := readTestdata(t, "manifests/manifest_v4.json")
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	writeAt(t, target, v12, mtime)

	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	p, err := New(Config{Name: "jaffle", Manifest: dir}, Options{Now: clock.Now, CheckEvery: 10 * time.Second})
	require.NoError(t, err)
	s1, err := p.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, "datafold_demo", s1.Graph().Meta.ProjectName)
	l1, err := s1.ColumnLineage("orders")
	require.NoError(t, err)
	require.NotNil(t, l1.Column("new_column"))

	// A new manifest: not looked at before the interval is up.
	writeAt(t, target, v4, mtime.Add(time.Minute))
	clock.Advance(5 * time.Second)
	s, err := p.Snapshot()
	require.NoError(t, err)
	assert.Same(t, s1, s, "before the check interval: got a new snapshot, want the same")

	clock.Advance(5 * time.Second)
	s2, err := p.Snapshot()
	require.NoError(t, err)
	assert.NotSame(t, s1, s2, "after the interval and a change: want a new snapshot")
	assert.Equal(t, "demo", s2.Graph().Meta.ProjectName)
	assert.Equal(t, 2, p.Status().Loads)
	l2, err := s2.ColumnLineage("orders")
	require.NoError(t, err)
	assert.Nil(t, l2.Column("new_column"), "column lineage is computed again for the new snapshot")
	assert.NotNil(t, l2.Column("status"))

	// A half-written file: the last good graph keeps serving.
	writeAt(t, target, v12[:len(v12)/3], mtime.Add(2*time.Minute))
	clock.Advance(10 * time.Second)
	s, err = p.Snapshot()
	require.NoError(t, err)
	assert.Same(t, s2, s)
	st := p.Status()
	assert.True(t, st.Stale)
	assert.Contains(t, st.Error, "truncated")
	assert.Contains(t, st.Error, `dbt project "jaffle"`)
	errAt := st.ErrorAt

	// The same broken file is not read again.
	clock.Advance(10 * time.Second)
	_, err = p.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, errAt, p.Status().ErrorAt, "the same broken file was read again")

	// Fixed: reloaded, error cleared.
	writeAt(t, target, v12, mtime.Add(3*time.Minute))
	clock.Advance(10 * time.Second)
	s3, err := p.Snapshot()
	require.NoError(t, err)
	assert.NotSame(t, s2, s3)
	st = p.Status()
	assert.Empty(t, st.Error)
	assert.False(t, st.Stale)
	assert.Equal(t, 3, st.Loads)
	assert.False(t, st.HasCatalog)

	// A catalog appearing beside the manifest is a change too.
	writeAt(t, filepath.Join(dir, "target", "catalog.json"), readTestdata(t, "catalog.json"), mtime)
	clock.Advance(10 * time.Second)
	s4, err := p.Snapshot()
	require.NoError(t, err)
	assert.NotSame(t, s3, s4)
	assert.True(t, p.Status().HasCatalog)
	assert.Equal(t, filepath.Join(dir, "target", "catalog.json"), p.Status().Catalog)
}

func TestFirstLoadFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	p, err := New(Config{Name: "late", Manifest: path}, Options{Now: clock.Now, CheckEvery: time.Second})
	require.NoError(t, err)
	_, err = p.Snapshot()
	require.Error(t, err, "no manifest yet")
	assert.False(t, p.Status().Loaded)

	writeAt(t, path, []byte(`{"metadata": {}, "nodes": {`), time.Unix(1000, 0))
	clock.Advance(time.Second)
	_, err = p.Snapshot()
	require.ErrorContains(t, err, "manifest.json")

	writeAt(t, path, readTestdata(t, "manifest.json"), time.Unix(2000, 0))
	clock.Advance(time.Second)
	s, err := p.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, 5, s.Graph().Counts()[manifest.KindModel])
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{Manifest: "x"}, Options{})
	require.Error(t, err)
	_, err = New(Config{Name: "x"}, Options{})
	require.Error(t, err)
	p, err := New(Config{Name: "x", Manifest: "x", Catalog: "missing/catalog.json"}, Options{})
	require.NoError(t, err)
	_, err = p.Snapshot()
	require.Error(t, err, "a configured catalog that is missing is an error")
}

func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	writeAt(t, path, readTestdata(t, "manifest.json"), time.Unix(1000, 0))
	p, err := New(Config{Name: "c", Manifest: path}, Options{CheckEvery: -1})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				s, err := p.Snapshot()
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.ColumnImpact("raw_orders.id", manifest.ImpactOptions{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, p.Status().Loads, "an unchanged file is read once")
}

func TestSet(t *testing.T) {
	a, err := New(Config{Name: "A", Manifest: "a.json"}, Options{})
	require.NoError(t, err)
	b, err := New(Config{Name: "b", Manifest: "b.json"}, Options{})
	require.NoError(t, err)
	s, err := NewSet(b, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "b"}, s.Names())
	got, err := s.Get("a")
	require.NoError(t, err)
	assert.Same(t, a, got)
	_, err = s.Get("")
	require.ErrorContains(t, err, "several dbt projects are configured (A, b)")
	_, err = s.Get("c")
	require.ErrorContains(t, err, `no dbt project named "c"`)
	_, err = NewSet(a, a)
	require.Error(t, err)

	one, err := Open([]Config{{Name: "only", Manifest: "m.json"}}, Options{})
	require.NoError(t, err)
	got, err = one.Get("")
	require.NoError(t, err)
	assert.Equal(t, "only", got.Name())
}
