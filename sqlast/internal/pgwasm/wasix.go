package pgwasm

import (
	"bytes"
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// The build of libpg_query targets WASIX (wasm32-wasmer-wasi), whose libc
// imports these functions from module "wasix_32v1". The parser runs one
// thread and is never sent a signal, so only the setjmp/longjmp pair does
// real work; the rest answer as a process with one thread would, or trap
// where that process would hang.
const wasixModule = "wasix_32v1"

// Errno values of WASI preview 1, which WASIX shares.
const (
	errnoSuccess = 0
	errnoNosys   = 52
)

var (
	i32, i64 = api.ValueTypeI32, api.ValueTypeI64
	errno    = []api.ValueType{i32}
)

// wasixFunctions are the imports of wasix_32v1, with the signatures the
// module declares (pointers are i32, Longsize is i64).
var wasixFunctions = []struct {
	name            string
	params, results []api.ValueType
	fn              api.GoModuleFunc
}{
	{"stack_checkpoint", []api.ValueType{i32, i32}, errno, stackCheckpoint},
	{"stack_restore", []api.ValueType{i32, i64}, nil, stackRestore},
	{"proc_id", []api.ValueType{i32}, errno, procID},
	{"callback_signal", []api.ValueType{i32, i32}, nil, callbackSignal},
	{"futex_wait", []api.ValueType{i32, i32, i32, i32}, errno, futexWait},
	{"futex_wake", []api.ValueType{i32, i32}, errno, futexWake},
	{"futex_wake_all", []api.ValueType{i32, i32}, errno, futexWake},
	{"thread_signal", []api.ValueType{i32, i32}, errno, threadSignal},
	{"thread_exit", []api.ValueType{i32}, nil, threadExit},
}

// instantiateWASIX registers the wasix_32v1 host module in rt.
func instantiateWASIX(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(wasixModule)
	for _, f := range wasixFunctions {
		b.NewFunctionBuilder().WithGoModuleFunction(f.fn, f.params, f.results).Export(f.name)
	}
	if _, err := b.Instantiate(ctx); err != nil {
		return fmt.Errorf("%s host module: %w", wasixModule, err)
	}
	return nil
}

// trapError is what a host function panics with: wazero turns the panic
// into the error of the exported call, which drops the instance.
type trapError string

func (e trapError) Error() string { return "wasix: " + string(e) }

func trap(format string, args ...any) {
	panic(trapError(fmt.Sprintf(format, args...)))
}

// checkpoint is one setjmp: what stack_restore needs to return from the
// same stack_checkpoint call a second time.
type checkpoint struct {
	// resume is wazero's copy of the WebAssembly call stack at the
	// stack_checkpoint call.
	resume experimental.Snapshot
	// sp and cstack are the C stack, which lives in linear memory and
	// which wazero's snapshot does not cover: the stack pointer global and
	// the bytes of [sp, __heap_base). Frames below the setjmp's may have
	// been reused since, so they are written back on longjmp.
	sp     uint32
	cstack []byte
	// retPtr is where stack_checkpoint's caller reads its Longsize answer:
	// 0 the first time, longjmp's value when resumed.
	retPtr uint32
}

// The StackSnapshot that stack_checkpoint fills is { u64 user; u128 hash }.
// Here user is the checkpoint's index in the call and the first half of
// hash the call's number, which is all stack_restore needs to find it.
const snapshotUser, snapshotCall = 0, 8

// stackCheckpoint is stack_checkpoint(snapshot *StackSnapshot, ret_val
// *Longsize) errno: setjmp.
func stackCheckpoint(ctx context.Context, _ api.Module, stack []uint64) {
	in := instanceOf(ctx)
	snapPtr, retPtr := uint32(stack[0]), uint32(stack[1])
	index := uint64(len(in.checkpoints))
	// Written before the C stack is copied: the StackSnapshot is usually a
	// local in that stack, and must still say the same after a longjmp.
	if !in.mem.WriteUint64Le(snapPtr+snapshotUser, index) ||
		!in.mem.WriteUint64Le(snapPtr+snapshotCall, in.call) ||
		!in.mem.WriteUint64Le(retPtr, 0) {
		trap("stack_checkpoint: pointer outside memory")
	}
	sp := uint32(in.sp.Get())
	if sp > in.stackBase {
		trap("stack_checkpoint: stack pointer %#x above the stack's base %#x", sp, in.stackBase)
	}
	live, ok := in.mem.Read(sp, in.stackBase-sp)
	if !ok {
		trap("stack_checkpoint: C stack outside memory")
	}
	in.checkpoints = append(in.checkpoints, checkpoint{
		resume: experimental.GetSnapshotter(ctx).Snapshot(),
		sp:     sp,
		cstack: bytes.Clone(live),
		retPtr: retPtr,
	})
	stack[0] = errnoSuccess
}

// stackRestore is stack_restore(snapshot *StackSnapshot, val Longsize),
// which does not return: longjmp. The checkpoint's stack_checkpoint
// returns again, with val (1 if val is 0) at its ret_val.
func stackRestore(ctx context.Context, _ api.Module, stack []uint64) {
	in := instanceOf(ctx)
	snapPtr, val := uint32(stack[0]), stack[1]
	if val == 0 {
		val = 1
	}
	index, ok1 := in.mem.ReadUint64Le(snapPtr + snapshotUser)
	call, ok2 := in.mem.ReadUint64Le(snapPtr + snapshotCall)
	if !ok1 || !ok2 {
		trap("stack_restore: pointer outside memory")
	}
	if call != in.call || index >= uint64(len(in.checkpoints)) {
		trap("stack_restore: no checkpoint %d in this call", index)
	}
	c := in.checkpoints[index]
	in.sp.Set(uint64(c.sp))
	if !in.mem.Write(c.sp, c.cstack) || !in.mem.WriteUint64Le(c.retPtr, val) {
		trap("stack_restore: pointer outside memory")
	}
	in.restored = true
	c.resume.Restore([]uint64{errnoSuccess}) // unwinds; never returns
}

// procID is proc_id(ret_pid *Pid) errno: the one process, 1.
func procID(_ context.Context, m api.Module, stack []uint64) {
	if !m.Memory().WriteUint32Le(uint32(stack[0]), 1) {
		trap("proc_id: pointer outside memory")
	}
	stack[0] = errnoSuccess
}

// callbackSignal is callback_signal(name *u8, len u32): the export to call
// when a signal arrives. None is ever sent, so there is nothing to record.
func callbackSignal(context.Context, api.Module, []uint64) {}

// futexWait is futex_wait(futex *u32, expected u32, timeout
// *OptionTimestamp, ret_woken *Bool) errno. libc calls it only when the
// value still equals expected, and with one thread nobody will change it:
// waiting would hang the parse.
func futexWait(context.Context, api.Module, []uint64) {
	trap("futex_wait in a single-threaded parser would never wake")
}

// futexWake is futex_wake and futex_wake_all(futex *u32, ret_woken *Bool)
// errno: with one thread nobody is waiting, so nobody is woken.
func futexWake(_ context.Context, m api.Module, stack []uint64) {
	if !m.Memory().WriteByte(uint32(stack[1]), 0) {
		trap("futex_wake: pointer outside memory")
	}
	stack[0] = errnoSuccess
}

// threadSignal is thread_signal(tid Tid, sig Signal) errno: signals are
// not supported.
func threadSignal(_ context.Context, _ api.Module, stack []uint64) {
	stack[0] = errnoNosys
}

// threadExit is thread_exit(rval ExitCode): the parser's only thread
// ending is a failure of the call.
func threadExit(_ context.Context, _ api.Module, stack []uint64) {
	trap("thread_exit(%d)", uint32(stack[0]))
}
