// Command gen builds apps/dist/*.html from apps/src (run by
// `go generate ./apps`, from the apps directory).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/datastack-mcp/datastack-mcp/apps/internal/inline"
)

// pages are the views' source pages in src/; each is built to dist/ under
// the same name.
var pages = []string{"lineage.html", "diff.html"}

func main() {
	for _, p := range pages {
		b, err := inline.Page(os.DirFS("src"), p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join("dist", p), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("dist/%s: %d bytes\n", p, len(b))
	}
}
