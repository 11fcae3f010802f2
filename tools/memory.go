package tools

import (
	"runtime/debug"
	"sync/atomic"
)

// Memory after big answers. An upstream answer is read whole (up to the
// client's limit, 10 MiB by default) and fitted to the result budget on
// its bytes (package budget), so a call holds about its answer's size.
// Once the calls are over that memory is garbage, but the Go runtime keeps
// the heap it grew to until a later collection sets a lower goal and its
// background scavenger returns the pages, which on an idle server takes
// minutes: 8 calls at once with 10 MiB answers left the process at 300 MB
// for as long as it stayed idle.
//
// So when the last call with a big answer in flight ends, the server
// collects and returns free memory to the OS at once
// (debug.FreeOSMemory), on a goroutine of its own so no result waits for
// it. It is one full collection per burst of big answers (a few
// milliseconds with a small live heap); small answers never trigger it.

// bigAnswer is the size from which an answer counts as big.
const bigAnswer = 1 << 20

var (
	bigInFlight atomic.Int64 // big answers being turned into results
	bigDone     atomic.Bool  // a big answer ended since the last release
	releasing   atomic.Bool  // a release is running
)

// holdAnswer notes an answer of n bytes being turned into a result; the
// returned function notes that it is done.
func holdAnswer(n int) func() {
	if n < bigAnswer {
		return func() {}
	}
	bigInFlight.Add(1)
	return func() {
		bigDone.Store(true)
		bigInFlight.Add(-1)
	}
}

// settleMemory returns the memory of finished big answers to the OS when
// none is in flight any more. Tool.Run calls it when a call has ended, so
// that the call's answer is no longer referenced.
func settleMemory() {
	if !bigDone.Load() || bigInFlight.Load() > 0 || !releasing.CompareAndSwap(false, true) {
		return
	}
	bigDone.Store(false)
	go func() {
		defer releasing.Store(false)
		debug.FreeOSMemory()
	}()
}
