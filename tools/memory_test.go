package tools

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSettleMemory: memory is returned once the last big answer in flight
// is done, not while another is still in flight, and small answers never
// ask for it; the collector runs at bigGCPercent meanwhile.
func TestSettleMemory(t *testing.T) {
	for releasing.Load() { // a release another test started
		runtime.Gosched()
	}
	bigDone.Store(false)

	holdAnswer(bigAnswer - 1)()
	settleMemory()
	assert.False(t, bigDone.Load(), "a small answer got a release pending, want none")

	gogc := debug.SetGCPercent(100)
	defer debug.SetGCPercent(gogc)
	doneA := holdAnswer(bigAnswer)
	doneB := holdAnswer(2 * bigAnswer)
	assert.Equal(t, bigGCPercent, debug.SetGCPercent(bigGCPercent), "GOGC while big answers are in flight")
	doneA()
	settleMemory()
	assert.True(t, bigDone.Load(), "got the release made while a big answer is in flight, want it pending")

	doneB()
	settleMemory()
	assert.False(t, bigDone.Load(), "got the release still pending once no big answer is in flight, want it made")
	assert.Zero(t, bigInFlight.Load(), "big answers in flight")
	assert.Equal(t, 100, debug.SetGCPercent(100), "GOGC once none is in flight, want it back as it was")
}
