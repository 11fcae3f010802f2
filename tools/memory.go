package tools

import (
	"runtime/debug"
	"sync"
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
//
// While big answers are in flight, the collector also runs at
// bigGCPercent instead of GOGC (100 unless set): with the default, the
// heap may grow to twice what is live before a collection, and the
// garbage of fitting the answers (the exact token counts of candidate
// cuts, about 19 MB a call) filled that headroom, so the peak was about 3.4
// times the answers in flight. The answers are byte slices, which the
// collector does not scan, so the extra collections cost little.

// bigAnswer is the size from which an answer counts as big.
const bigAnswer = 1 << 20

// bigGCPercent is the collector's GOGC while big answers are in flight.
const bigGCPercent = 25

var (
	bigInFlight atomic.Int64 // big answers being turned into results
	bigDone     atomic.Bool  // a big answer ended since the last release
	releasing   atomic.Bool  // a release is running

	gcMu      sync.Mutex
	gcLowered bool // GOGC is bigGCPercent; gcSaved is what it was
	gcSaved   int
)

// holdAnswer notes an answer of n bytes being turned into a result; the
// returned function notes that it is done.
func holdAnswer(n int) func() {
	if n < bigAnswer {
		return func() {}
	}
	if bigInFlight.Add(1) == 1 {
		setGC()
	}
	return func() {
		bigDone.Store(true)
		if bigInFlight.Add(-1) == 0 {
			setGC()
		}
	}
}

// setGC runs the collector at bigGCPercent while a big answer is in
// flight and at what it was otherwise (a GOGC lower than bigGCPercent, or
// off, is left alone).
func setGC() {
	gcMu.Lock()
	defer gcMu.Unlock()
	switch busy := bigInFlight.Load() > 0; {
	case busy && !gcLowered:
		if prev := debug.SetGCPercent(bigGCPercent); prev >= 0 && prev <= bigGCPercent {
			debug.SetGCPercent(prev)
		} else {
			gcSaved, gcLowered = prev, true
		}
	case !busy && gcLowered:
		debug.SetGCPercent(gcSaved)
		gcLowered = false
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
