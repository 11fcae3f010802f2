// Package inline builds a view's single self-contained HTML file from its
// sources: each <link rel="stylesheet" href="…"> and <script src="…">
// naming a file beside the page is replaced by that file's text in a
// <style> or <script> element, and a comment naming the sources and their
// SHA-256 is put first. The output depends only on the sources, so the
// build is reproducible and a test can check that the built file is
// current.
package inline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

var (
	linkRE   = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)
	scriptRE = regexp.MustCompile(`<script src="([^"]+)"></script>`)
	remoteRE = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`)
)

// Page builds the page name (a path in fsys, e.g. "lineage.html").
func Page(fsys fs.FS, name string) ([]byte, error) {
	page, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	dir := path.Dir(name)
	sources := []string{name}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n", name, len(page))
	h.Write(page)
	var firstErr error
	if m := remoteRE.FindString(string(page)); m != "" {
		return nil, fmt.Errorf("inline %s: the page loads something from the network (%q); views must be self-contained", name, m)
	}
	include := func(ref string) string {
		p := path.Join(dir, ref)
		b, err := fs.ReadFile(fsys, p)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("inline %s: %w", name, err)
		}
		sources = append(sources, p)
		fmt.Fprintf(h, "%s\n%d\n", p, len(b))
		h.Write(b)
		return strings.TrimRight(string(b), "\n")
	}
	out := linkRE.ReplaceAllStringFunc(string(page), func(m string) string {
		css := include(linkRE.FindStringSubmatch(m)[1])
		if strings.Contains(strings.ToLower(css), "</style") {
			firstErr = fmt.Errorf("inline %s: a stylesheet contains </style", name)
		}
		return "<style>\n" + css + "\n</style>"
	})
	out = scriptRE.ReplaceAllStringFunc(out, func(m string) string {
		js := include(scriptRE.FindStringSubmatch(m)[1])
		if strings.Contains(strings.ToLower(js), "</script") {
			firstErr = fmt.Errorf("inline %s: a script contains </script", name)
		}
		return "<script>\n" + js + "\n</script>"
	})
	if firstErr != nil {
		return nil, firstErr
	}
	if m := remoteRE.FindString(out); m != "" {
		return nil, fmt.Errorf("inline %s: the page loads something from the network (%q); views must be self-contained", name, m)
	}
	if strings.Contains(out, `<link rel="stylesheet"`) || strings.Contains(out, `<script src=`) {
		return nil, fmt.Errorf("inline %s: a stylesheet link or script src is not in the form inline replaces", name)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	var b bytes.Buffer
	b.WriteString(out[:strings.Index(out, "\n")+1]) // <!doctype html>
	fmt.Fprintf(&b, "<!-- Built by `go generate ./apps` from apps/src (%s); do not edit. sources-sha256: %s -->\n", strings.Join(sources, ", "), sum)
	b.WriteString(out[strings.Index(out, "\n")+1:])
	return b.Bytes(), nil
}

// Checksum returns the sources-sha256 a built page records, or "".
func Checksum(built []byte) string {
	m := regexp.MustCompile(`sources-sha256: ([0-9a-f]{64})`).FindSubmatch(built)
	if m == nil {
		return ""
	}
	return string(m[1])
}
