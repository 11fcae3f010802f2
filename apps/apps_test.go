package apps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/apps/internal/inline"
)

// maxViewBytes bounds each built view.
const maxViewBytes = 150 * 1024

// TestDistIsCurrent rebuilds every view from src and compares it with the
// embedded dist file: run `go generate ./apps` after changing src.
func TestDistIsCurrent(t *testing.T) {
	for _, v := range Views() {
		name := filepath.Base(strings.TrimPrefix(v.URI, "ui://datastack/"))
		built, err := inline.Page(os.DirFS("src"), name)
		require.NoError(t, err)
		assert.Equal(t, inline.Checksum(built), inline.Checksum(v.HTML), "%s is stale: run go generate ./apps", name)
		assert.Equal(t, string(built), string(v.HTML), "%s is stale: run go generate ./apps", name)
	}
}

func TestViews(t *testing.T) {
	views := Views()
	require.Len(t, views, 2)
	assert.Equal(t, LineageURI, views[0].URI)
	assert.Equal(t, []string{"lineage_impact"}, views[0].Tools)
	assert.Equal(t, DiffURI, views[1].URI)
	assert.Equal(t, []string{"diff_tables", "get_diff_result"}, views[1].Tools)
	for _, v := range views {
		assert.Equal(t, "text/html;profile=mcp-app", v.MIMEType)
		assert.True(t, strings.HasPrefix(v.URI, "ui://"))
		assert.NotEmpty(t, v.Name)
		assert.NotEmpty(t, v.Description)
		assert.LessOrEqual(t, len(v.HTML), maxViewBytes, "%s is too large", v.URI)
		html := string(v.HTML)
		assert.True(t, strings.HasPrefix(html, "<!doctype html>"))
		// Self-contained: nothing loaded from files or the network.
		assert.NotContains(t, html, "<script src=")
		assert.NotContains(t, html, `rel="stylesheet"`)
		assert.NotContains(t, html, "https://")
		assert.Contains(t, html, "ui/initialize")
		assert.Contains(t, html, "prefers-color-scheme: dark")
		assert.NotEmpty(t, inline.Checksum(v.HTML))
	}
}

func TestToolMeta(t *testing.T) {
	assert.Equal(t, map[string]any{
		"ui":             map[string]any{"resourceUri": "ui://datastack/lineage.html"},
		"ui/resourceUri": "ui://datastack/lineage.html",
	}, ToolMeta("lineage_impact"))
	assert.Equal(t, DiffURI, ToolMeta("diff_tables")["ui/resourceUri"])
	assert.Equal(t, DiffURI, ToolMeta("get_diff_result")["ui/resourceUri"])
	assert.Nil(t, ToolMeta("datafold_list_data_sources"))
	v, ok := ForTool("get_diff_result")
	require.True(t, ok)
	ui := v.ResourceMeta()["ui"].(map[string]any)
	assert.Equal(t, true, ui["prefersBorder"])
}

func TestInlineRefusesNetworkAndBadScripts(t *testing.T) {
	fsys := fstest.MapFS{
		"remote.html":  {Data: []byte("<!doctype html>\n<script src=\"https://cdn.example/x.js\"></script>\n")},
		"close.html":   {Data: []byte("<!doctype html>\n<script src=\"a.js\"></script>\n")},
		"a.js":         {Data: []byte("document.write('</script>')")},
		"ok.html":      {Data: []byte("<!doctype html>\n<link rel=\"stylesheet\" href=\"s/a.css\">\n<script src=\"b.js\"></script>\n")},
		"s/a.css":      {Data: []byte("body{}\n")},
		"b.js":         {Data: []byte("let x = 1;\n")},
		"missing.html": {Data: []byte("<!doctype html>\n<script src=\"nope.js\"></script>\n")},
	}
	_, err := inline.Page(fsys, "remote.html")
	assert.ErrorContains(t, err, "network")
	_, err = inline.Page(fsys, "close.html")
	assert.ErrorContains(t, err, "</script")
	_, err = inline.Page(fsys, "missing.html")
	assert.Error(t, err)
	out, err := inline.Page(fsys, "ok.html")
	require.NoError(t, err)
	assert.Contains(t, string(out), "<style>\nbody{}\n</style>")
	assert.Contains(t, string(out), "<script>\nlet x = 1;\n</script>")
	again, err := inline.Page(fsys, "ok.html")
	require.NoError(t, err)
	assert.Equal(t, out, again, "the build is deterministic")
	fsys["b.js"] = &fstest.MapFile{Data: []byte("let x = 2;\n")}
	changed, err := inline.Page(fsys, "ok.html")
	require.NoError(t, err)
	assert.NotEqual(t, inline.Checksum(out), inline.Checksum(changed))
}
