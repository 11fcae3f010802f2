//go:build unix

package sandbox

import (
	"errors"
	"syscall"
)

// processRuns reports whether process pid runs (or may: one of another
// user answers EPERM).
func processRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
