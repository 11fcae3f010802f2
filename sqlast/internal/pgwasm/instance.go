package pgwasm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/wasilibs/wazero-helpers/allocator"
)

// Error is the parser's report of text it does not accept.
type Error struct {
	Message   string // PostgreSQL's message, e.g. syntax error at or near "x"
	Cursorpos int    // 1-based byte offset in the text, 0 when unknown
}

func (e *Error) Error() string { return e.Message }

// errMemory is a read or write outside the instance's memory: a broken
// parser, never the input's fault.
var errMemory = errors.New("pgwasm: access outside the parser's memory")

// instance is one parser: a module instance in its own runtime, used by
// one call at a time (see get and put).
type instance struct {
	rt  wazero.Runtime
	mod api.Module
	mem api.Memory
}

// pool holds idle instances; a call takes one or makes one.
var (
	poolMu sync.Mutex
	pool   []*instance
)

func get() (*instance, error) {
	if err := Compile(); err != nil {
		return nil, err
	}
	poolMu.Lock()
	if n := len(pool); n > 0 {
		in := pool[n-1]
		pool = pool[:n-1]
		poolMu.Unlock()
		return in, nil
	}
	poolMu.Unlock()
	return newInstance(shared)
}

func put(in *instance) {
	poolMu.Lock()
	pool = append(pool, in)
	poolMu.Unlock()
}

func instantiateWASI(ctx context.Context, rt wazero.Runtime) error {
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return fmt.Errorf("instantiate WASI: %w", err)
	}
	return nil
}

// newInstance compiles (or takes from cache) and instantiates the parser.
// Its stdout is discarded: the server's stdout is the protocol's.
func newInstance(cache wazero.CompilationCache) (*instance, error) {
	ctx := context.Background()
	rt, code, err := newRuntime(ctx, cache)
	if err != nil {
		return nil, err
	}
	cfg := wazero.NewModuleConfig().WithSysNanotime().WithStdout(io.Discard).WithStderr(os.Stderr).
		WithStartFunctions("_initialize")
	mod, err := rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, allocator.NewNonMoving()), code, cfg)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("instantiate libpg_query.wasm: %w", err)
	}
	in := &instance{rt: rt, mod: mod, mem: mod.Memory()}
	if _, err := in.call(callContext(), "pg_query_init"); err != nil {
		_ = rt.Close(ctx)
		return nil, err
	}
	return in, nil
}

// call calls an exported function; a trap is an error, not a panic.
func (in *instance) call(ctx context.Context, name string, args ...uint64) (uint64, error) {
	f := in.mod.ExportedFunction(name)
	if f == nil {
		return 0, fmt.Errorf("pgwasm: libpg_query.wasm exports no %s", name)
	}
	res, err := f.Call(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("pgwasm: %s: %w", name, err)
	}
	if len(res) == 0 {
		return 0, nil
	}
	return res[0], nil
}

// Parse returns libpg_query's protobuf encoding of sql's parse tree
// (pg_query_parse_protobuf), or an *[Error] when PostgreSQL rejects it.
func Parse(sql string) ([]byte, error) {
	return run(sql, "pg_query_parse_protobuf", "pg_query_free_protobuf_parse_result")
}

// Scan returns libpg_query's protobuf encoding of sql's tokens
// (pg_query_scan).
func Scan(sql string) ([]byte, error) {
	return run(sql, "pg_query_scan", "pg_query_free_scan_result")
}

// run calls fn(result, sql) on an idle instance. Both functions answer a
// struct { size_t len; char *data; char *stderr; PgQueryError *error }.
// An instance whose call failed is dropped, not reused.
func run(sql, fn, free string) ([]byte, error) {
	in, err := get()
	if err != nil {
		return nil, err
	}
	out, err := in.run(sql, fn, free)
	var pgErr *Error
	if err != nil && !errors.As(err, &pgErr) {
		_ = in.rt.Close(context.Background())
		return nil, err
	}
	put(in)
	return out, err
}

func (in *instance) run(sql, fn, free string) (out []byte, err error) {
	ctx := callContext()
	input, err := in.cString(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, in.free(ctx, input)) }()
	res, err := in.call(ctx, "malloc", 16)
	if err != nil {
		return nil, err
	}
	if res == 0 {
		return nil, errMemory
	}
	defer func() { err = errors.Join(err, in.free(ctx, uint32(res))) }()
	if _, err := in.call(ctx, fn, res, uint64(input)); err != nil {
		return nil, err
	}
	defer func() {
		_, ferr := in.call(ctx, free, res)
		err = errors.Join(err, ferr)
	}()
	b, ok := in.mem.Read(uint32(res), 16)
	if !ok {
		return nil, errMemory
	}
	if errPtr := binary.LittleEndian.Uint32(b[12:]); errPtr != 0 {
		return nil, in.pgError(errPtr)
	}
	data, ok := in.mem.Read(binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[:4]))
	if !ok {
		return nil, errMemory
	}
	return bytes.Clone(data), nil
}

// cString copies s into the instance's memory, NUL-terminated.
func (in *instance) cString(ctx context.Context, s string) (uint32, error) {
	p, err := in.call(ctx, "malloc", uint64(len(s))+1)
	if err != nil {
		return 0, err
	}
	ptr := uint32(p)
	if ptr == 0 || !in.mem.WriteString(ptr, s) || !in.mem.WriteByte(ptr+uint32(len(s)), 0) {
		return 0, errMemory
	}
	return ptr, nil
}

func (in *instance) free(ctx context.Context, ptr uint32) error {
	_, err := in.call(ctx, "free", uint64(ptr))
	return err
}

// pgError reads a PgQueryError { char *message, *funcname, *filename;
// int lineno, cursorpos; char *context }.
func (in *instance) pgError(ptr uint32) error {
	msg, ok := in.cStringAt(ptr)
	if !ok {
		return errMemory
	}
	pos, ok := in.mem.ReadUint32Le(ptr + 16)
	if !ok {
		return errMemory
	}
	return &Error{Message: msg, Cursorpos: int(pos)}
}

// cStringAt reads the NUL-terminated string a pointer at ptrptr points to.
func (in *instance) cStringAt(ptrptr uint32) (string, bool) {
	ptr, ok := in.mem.ReadUint32Le(ptrptr)
	if !ok {
		return "", false
	}
	if ptr == 0 {
		return "", true
	}
	size := in.mem.Size()
	if ptr >= size {
		return "", false
	}
	b, ok := in.mem.Read(ptr, size-ptr)
	if !ok {
		return "", false
	}
	end := bytes.IndexByte(b, 0)
	if end < 0 {
		return "", false
	}
	return string(b[:end]), true
}
