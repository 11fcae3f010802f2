// Package golden owns the golden-file check of the warehouse tests: the
// SQL each dialect renders is kept in testdata/*.golden and compared on
// every run; go test ./warehouse/... -update rewrites the files.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// Check compares got with testdata/name.golden (or rewrites it with
// -update).
func Check(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755), "mkdir testdata")
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644), "write %s", path)
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "read %s (run go test -update to create it)", path)
	require.Equal(t, string(want), got, "%s: got the text on the right, want the golden file's (go test -update rewrites it)", path)
}
