package pgwasm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/wasilibs/wazero-helpers/allocator"
)

// instance is one running copy of the parser: its own linear memory (the C
// heap and stack), used by one goroutine at a time. The exported functions
// are looked up once: wazero gives each api.Function its own call stack.
type instance struct {
	mod api.Module
	mem api.Memory
	sp  api.MutableGlobal // __stack_pointer: the C stack's top of stack
	// stackBase is __heap_base, where the C stack starts: it grows down
	// from there towards the static data, so the live part of the stack is
	// [sp, stackBase).
	stackBase uint32

	malloc, free api.Function
	fns          map[string]api.Function

	// ctx is passed to every call: it enables wazero's snapshots (needed
	// by stack_checkpoint) and carries this instance to the host functions.
	ctx context.Context
	// checkpoints are the setjmps of the current call, in order; call
	// numbers the calls, so a longjmp to an earlier call's checkpoint is
	// refused instead of followed.
	checkpoints []checkpoint
	call        uint64
	// restored says a longjmp happened during the current call.
	restored bool
}

type instanceKey struct{}

// instanceOf is the instance a host function was called from.
func instanceOf(ctx context.Context) *instance {
	in, _ := ctx.Value(instanceKey{}).(*instance)
	if in == nil {
		trap("host function called outside a parser call")
	}
	return in
}

// instantiate starts a new instance: the module's _initialize (the C
// runtime's constructors), then libpg_query's pg_query_init. The module's
// stdout and stderr go nowhere: the server's stdout is the protocol's.
func (e *engine) instantiate() (*instance, error) {
	cfg := wazero.NewModuleConfig().
		WithName(""). // anonymous, so that any number can run side by side
		WithStdout(io.Discard).
		WithStderr(io.Discard).
		WithStartFunctions("_initialize")
	// The module's shared memory may grow to 4 GiB. The non-moving
	// allocator reserves that address space outside the Go heap and
	// commits pages as the parser touches them; without it wazero would
	// make a 4 GiB Go slice for every instance.
	ctx := experimental.WithMemoryAllocator(context.Background(), allocator.NewNonMoving())
	mod, err := e.rt.InstantiateModule(ctx, e.code, cfg)
	if err != nil {
		return nil, fmt.Errorf("starting libpg_query.wasm: %w", err)
	}
	in := &instance{mod: mod, mem: mod.Memory(), fns: map[string]api.Function{}}
	in.ctx = context.WithValue(experimental.WithSnapshotter(context.Background()), instanceKey{}, in)
	if err := in.bind(); err != nil {
		return nil, errors.Join(err, mod.Close(context.Background()))
	}
	if _, err := in.invoke("pg_query_init"); err != nil {
		return nil, errors.Join(err, mod.Close(context.Background()))
	}
	return in, nil
}

// bind looks up what the host side uses of the module's exports.
func (in *instance) bind() error {
	sp, ok := in.mod.ExportedGlobal("__stack_pointer").(api.MutableGlobal)
	if !ok {
		return errors.New("libpg_query.wasm exports no mutable __stack_pointer")
	}
	base := in.mod.ExportedGlobal("__heap_base")
	if base == nil || in.mem == nil {
		return errors.New("libpg_query.wasm exports no __heap_base or no memory")
	}
	in.sp, in.stackBase = sp, uint32(base.Get())
	var err error
	in.malloc, err = in.function("malloc")
	if err != nil {
		return err
	}
	in.free, err = in.function("free")
	return err
}

// function returns the export called name, looked up once.
func (in *instance) function(name string) (api.Function, error) {
	if f, ok := in.fns[name]; ok {
		return f, nil
	}
	f := in.mod.ExportedFunction(name)
	if f == nil {
		return nil, fmt.Errorf("libpg_query.wasm exports no %s", name)
	}
	in.fns[name] = f
	return f, nil
}

// invoke calls the export name (see callFn).
//
// A function through which a longjmp went is looked up afresh next time:
// wazero's restore leaves that function's call stack 16 bytes longer than
// before, and every later checkpoint copies the whole stack, so reusing it
// after each syntax error would make each parse slower than the last.
func (in *instance) invoke(name string, args ...uint64) (uint64, error) {
	f, err := in.function(name)
	if err != nil {
		return 0, err
	}
	res, err := in.callFn(name, f, args...)
	if in.restored {
		delete(in.fns, name)
	}
	return res, err
}

// callFn calls f, the export name. It starts a new call: checkpoints left
// by the previous one are forgotten. A trap comes back as the error.
func (in *instance) callFn(name string, f api.Function, args ...uint64) (uint64, error) {
	clear(in.checkpoints)
	in.checkpoints = in.checkpoints[:0]
	in.call++
	in.restored = false
	res, err := f.Call(in.ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("libpg_query.wasm %s: %w", name, err)
	}
	if len(res) == 0 {
		return 0, nil
	}
	return res[0], nil
}

// close ends the instance and releases its memory.
func (in *instance) close() error { return in.mod.Close(context.Background()) }

// pool holds the idle instances. A caller takes one, or starts a new one
// when none is idle, and gives it back when done; so there are as many
// instances as there were concurrent parses at the busiest moment.
type pool struct {
	mu sync.Mutex
	in []*instance
}

var idle pool

func (p *pool) get() *instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.in)
	if n == 0 {
		return nil
	}
	in := p.in[n-1]
	p.in[n-1] = nil
	p.in = p.in[:n-1]
	return in
}

func (p *pool) put(in *instance) {
	p.mu.Lock()
	p.in = append(p.in, in)
	p.mu.Unlock()
}

// with runs f on an idle instance. An instance on which f failed with
// anything but PostgreSQL's rejection of the text may be in any state
// (a trap can leave the C heap half-updated), so it is closed, not kept.
func with(f func(*instance) ([]byte, error)) ([]byte, error) {
	if err := Compile(); err != nil {
		return nil, err
	}
	in := idle.get()
	if in == nil {
		var err error
		if in, err = compiled.instantiate(); err != nil {
			return nil, err
		}
	}
	out, err := f(in)
	var rejected *Error
	if err != nil && !errors.As(err, &rejected) {
		return nil, errors.Join(err, in.close())
	}
	idle.put(in)
	return out, err
}
