package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/apps"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestAppsViews: with Apps on, the tools that have a view point at it and
// nothing else changes; with Apps off, no tool carries _meta.
func TestAppsViews(t *testing.T) {
	for _, on := range []bool{true, false} {
		s, err := Build(Options{Sandbox: true, Apps: on})
		require.NoError(t, err)
		plain, err := Build(Options{Sandbox: true})
		require.NoError(t, err)
		require.Equal(t, len(plain.Tools), len(s.Tools))
		for i, tool := range s.Tools {
			want := apps.ToolMeta(tool.Name)
			if !on {
				want = nil
			}
			assert.Equal(t, want, tool.Meta, "%s: _meta", tool.Name)
			// Apart from _meta, the tool is the one a host without views sees.
			bare := *tool
			bare.Meta = nil
			assert.Equal(t, plain.Tools[i].InputSchema, bare.InputSchema, tool.Name)
			assert.Equal(t, plain.Tools[i].OutputSchema, bare.OutputSchema, tool.Name)
		}
		for _, name := range []string{"lineage_impact", "diff_tables", "get_diff_result"} {
			if tl := tools.Find(s.Tools, name); on {
				require.NotNil(t, tl, name)
				assert.NotNil(t, tl.Meta, name)
			}
		}
	}
}

func findTool(t *testing.T, s *Server, name string) *tools.Tool {
	t.Helper()
	tl := tools.Find(s.Tools, name)
	require.NotNil(t, tl, name)
	return tl
}
