// Package buildinfo says which build of datastack-mcp is running: the
// version, commit and commit date stamped by the release build with
// -ldflags -X, or, for a plain `go build` or `go install …@vX`, what the Go
// toolchain recorded in the binary (the module version and the vcs.*
// settings).
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Name is the program name String starts with.
const Name = "datastack-mcp"

// Set by the release build:
//
//	-ldflags "-X github.com/datastack-mcp/datastack-mcp/internal/buildinfo.version=v1.2.3
//	          -X github.com/datastack-mcp/datastack-mcp/internal/buildinfo.commit=<sha>
//	          -X github.com/datastack-mcp/datastack-mcp/internal/buildinfo.date=<RFC 3339>"
var (
	version string
	commit  string
	date    string
)

// Info identifies a build.
type Info struct {
	// Version is a semantic version (v1.2.3), a Go pseudo-version for an
	// untagged commit, or "dev" when nothing better is known.
	Version string `json:"version"`
	// Commit is the full VCS revision, empty when unknown.
	Commit string `json:"commit,omitempty"`
	// Date is when Commit was made (RFC 3339), not when it was built, so
	// that two builds of one commit are the same; empty when unknown.
	Date string `json:"date,omitempty"`
	// Modified is true when the build's work tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
}

// DevVersion is the version of a build that carries none.
const DevVersion = "dev"

// Get returns the running binary's build information.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolve(version, commit, date, bi)
}

// resolve prefers the stamped values and fills what is missing from the
// toolchain's build information.
func resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	in := Info{Version: strings.TrimSpace(version), Commit: strings.TrimSpace(commit), Date: strings.TrimSpace(date)}
	if bi == nil {
		if in.Version == "" {
			in.Version = DevVersion
		}
		return in
	}
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if in.Commit == "" {
				in.Commit = s.Value
			}
		case "vcs.time":
			if in.Date == "" {
				in.Date = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if in.Version == "" {
		v := bi.Main.Version
		if v == "" || v == "(devel)" {
			v = DevVersion
		}
		in.Version = v
	}
	// A pseudo-version or the toolchain's "+dirty" suffix already says the
	// tree was modified; Modified says it for every kind of version.
	in.Modified = modified || strings.HasSuffix(in.Version, "+dirty")
	return in
}

// ShortCommit is the commit's first 7 characters (or all of a shorter one).
func (i Info) ShortCommit() string {
	if len(i.Commit) > 7 {
		return i.Commit[:7]
	}
	return i.Commit
}

// String renders the build for people and logs:
//
//	datastack-mcp v1.2.3 (commit abc1234, built 2026-12-02T10:00:00Z)
//
// "built" is the commit's date: release builds are reproducible, so the
// date of the sources is the date that identifies the build. A commit made
// from a modified work tree reads "commit abc1234, modified".
func (i Info) String() string {
	var b strings.Builder
	b.WriteString(Name + " " + i.Version)
	var details []string
	if c := i.ShortCommit(); c != "" {
		details = append(details, "commit "+c)
	}
	if i.Modified && !strings.HasSuffix(i.Version, "+dirty") {
		details = append(details, "modified")
	}
	if i.Date != "" {
		details = append(details, "built "+i.Date)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	return b.String()
}
