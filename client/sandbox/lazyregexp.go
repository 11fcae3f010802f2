package sandbox

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles pattern on first use. The sandbox's dozen patterns
// (SQL, error messages) compiled at package initialisation cost a quarter
// of a millisecond of every server start, sandbox or not.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
