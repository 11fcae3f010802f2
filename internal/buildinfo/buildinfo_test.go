package buildinfo

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func vcs(rev, when, modified string) []debug.BuildSetting {
	return []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
		{Key: "vcs.time", Value: when}, {Key: "vcs.modified", Value: modified},
	}
}

func TestResolveStampedWins(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260101000000-aaaaaaaaaaaa"}, Settings: vcs("aaaaaaaaaaaa", "2026-01-01T00:00:00Z", "false")}
	in := resolve("v1.2.3", "abc1234def5678", "2026-12-02T10:00:00Z", bi)
	assert.Equal(t, Info{Version: "v1.2.3", Commit: "abc1234def5678", Date: "2026-12-02T10:00:00Z"}, in)
	assert.Equal(t, "datastack-mcp v1.2.3 (commit abc1234, built 2026-12-02T10:00:00Z)", in.String())
}

func TestResolveGoInstallModuleVersion(t *testing.T) {
	// go install …@v1.4.0 records the module version and no vcs settings.
	in := resolve("", "", "", &debug.BuildInfo{Main: debug.Module{Path: "github.com/datastack-mcp/datastack-mcp", Version: "v1.4.0"}})
	assert.Equal(t, Info{Version: "v1.4.0"}, in)
	assert.Equal(t, "datastack-mcp v1.4.0", in.String())
}

func TestResolvePlainBuildFromVCS(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123456789abcdef01234567", "2026-03-04T05:06:07Z", "true")}
	in := resolve("", "", "", bi)
	assert.Equal(t, "dev", in.Version)
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", in.Commit)
	assert.Equal(t, "2026-03-04T05:06:07Z", in.Date)
	assert.True(t, in.Modified)
	assert.Equal(t, "datastack-mcp dev (commit 0123456, modified, built 2026-03-04T05:06:07Z)", in.String())
}

func TestResolvePseudoVersionDirty(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260304050607-0123456789ab+dirty"}, Settings: vcs("0123456789abcdef", "2026-03-04T05:06:07Z", "true")}
	in := resolve("", "", "", bi)
	assert.Equal(t, "v0.0.0-20260304050607-0123456789ab+dirty", in.Version)
	assert.True(t, in.Modified)
	// The version says dirty already; String does not repeat it.
	assert.Equal(t, "datastack-mcp v0.0.0-20260304050607-0123456789ab+dirty (commit 0123456, built 2026-03-04T05:06:07Z)", in.String())
}

func TestResolveNothingKnown(t *testing.T) {
	assert.Equal(t, Info{Version: "dev"}, resolve("", "", "", nil))
	assert.Equal(t, Info{Version: "dev"}, resolve(" ", "", "", &debug.BuildInfo{}))
	assert.Equal(t, "datastack-mcp dev", resolve("", "", "", nil).String())
}

func TestShortCommit(t *testing.T) {
	assert.Equal(t, "abc", Info{Commit: "abc"}.ShortCommit())
	assert.Equal(t, "abcdef0", Info{Commit: "abcdef0123"}.ShortCommit())
}

func TestGetInTestBinary(t *testing.T) {
	in := Get()
	assert.NotEmpty(t, in.Version)
	assert.True(t, strings.HasPrefix(in.String(), "datastack-mcp "))
}

// TestLdflagsStamp builds a tiny program with the release build's -X flags
// and checks that Get reports them.
func TestLdflagsStamp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	main := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(main, []byte(`package main

import (
	"fmt"

	"github.com/datastack-mcp/datastack-mcp/internal/buildinfo"
)

func main() { fmt.Print(buildinfo.Get().String()) }
`), 0o600))
	// The program must live inside the module to import an internal
	// package; under a testdata directory, which ./... patterns skip, so a
	// go list running at the same time (the layering test) never sees it.
	_, err := os.Stat("testdata")
	madeTestdata := os.IsNotExist(err)
	require.NoError(t, os.MkdirAll("testdata", 0o755))
	pkgDir, err := os.MkdirTemp("testdata", "stampcheck")
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = os.RemoveAll(pkgDir)
		if madeTestdata {
			_ = os.Remove("testdata")
		}
	})
	require.NoError(t, os.Rename(main, filepath.Join(pkgDir, "main.go")))
	const p = "github.com/datastack-mcp/datastack-mcp/internal/buildinfo."
	bin := filepath.Join(dir, "stamp")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-o", bin,
		"-ldflags", "-X "+p+"version=v9.8.7 -X "+p+"commit=fedcba9876543210 -X "+p+"date=2026-12-02T10:00:00Z", "./"+filepath.ToSlash(pkgDir))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	got, err := exec.Command(bin).Output()
	require.NoError(t, err)
	assert.Equal(t, "datastack-mcp v9.8.7 (commit fedcba9, built 2026-12-02T10:00:00Z)", string(got))
}
