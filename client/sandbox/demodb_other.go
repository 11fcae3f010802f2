//go:build !unix

package sandbox

// processRuns reports whether process pid may run: without a portable
// way to tell, every other process's directory is kept.
func processRuns(int) bool { return true }
