package synth

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
)

func TestGeneratedProjectLoadsAndTraces(t *testing.T) {
	p := New(Options{Models: 60, Sources: 10, Macros: 5})
	var m, c bytes.Buffer
	require.NoError(t, p.WriteManifest(&m))
	require.NoError(t, p.WriteCatalog(&c))
	proj, err := dbt.FromBytes("synth", m.Bytes(), c.Bytes())
	require.NoError(t, err)
	s, err := proj.Snapshot()
	require.NoError(t, err)
	g := s.Graph()
	counts := g.Counts()
	assert.Equal(t, 60, counts[manifest.KindModel])
	assert.Equal(t, 10, counts[manifest.KindSource])
	assert.Equal(t, 120, counts[manifest.KindTest])
	assert.Equal(t, 2, counts[manifest.KindExposure])
	assert.Empty(t, g.Warnings())
	columns := 0
	for i := 0; i < 60; i++ {
		l, err := s.ColumnLineage(ModelID(i))
		require.NoError(t, err)
		require.Equal(t, dbt.LevelColumn, l.Level, "%s: %s", ModelID(i), l.Reason)
		require.Empty(t, l.Unresolved, ModelID(i))
		require.Len(t, l.Columns, 20)
		for _, col := range l.Columns {
			require.NotEmpty(t, col.Sources, "%s.%s has no sources", ModelID(i), col.Name)
		}
		columns += len(l.Columns)
	}
	assert.Equal(t, 1200, columns)
}

func TestDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, New(Options{Models: 30}).WriteManifest(&a))
	require.NoError(t, New(Options{Models: 30}).WriteManifest(&b))
	assert.Equal(t, a.Bytes(), b.Bytes())
}
