package pgwasm

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

//go:embed libpg_query.wasm
var wasmBinary []byte

// CacheDir is the directory of the on-disk compilation cache:
// os.UserCacheDir()/datastack-mcp/wazero, or "" (compile in memory only)
// when the platform names no cache directory. It is read once, by the
// first [Compile]. wazero keys each entry by the module's hash, its own
// version and the CPU's features, so an upgrade of either writes a new
// entry rather than loading an old one.
var CacheDir = userCacheDir()

func userCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "datastack-mcp", "wazero")
}

// engine is the process's compiled parser: one wazero runtime holding the
// host modules and the compiled libpg_query, from which every instance is
// made. Instances share the machine code and nothing else.
type engine struct {
	rt    wazero.Runtime
	code  wazero.CompiledModule
	cache wazero.CompilationCache // nil when compiled in memory only
}

var (
	compileOnce sync.Once
	compileErr  error
	compiled    *engine
)

// Compile makes the parser ready: it compiles libpg_query.wasm (or loads
// it from [CacheDir]) and starts one instance. The first call does the
// work and later calls wait for it and return its outcome, so callers may
// start it early in the background and report its error at the first parse.
func Compile() error {
	compileOnce.Do(func() {
		e, err := load(CacheDir)
		if err != nil {
			compileErr = fmt.Errorf("preparing the SQL parser: %w", err)
			return
		}
		in, err := e.instantiate()
		if err != nil {
			compileErr = fmt.Errorf("preparing the SQL parser: %w", err)
			return
		}
		compiled = e
		idle.put(in)
	})
	return compileErr
}

// load compiles the module, going through a disk cache in dir when dir is
// usable. A cache that fails to answer (wazero rejects an entry whose
// checksum does not match) is emptied and tried once more, so the compile
// that follows leaves a good entry behind; after that, memory only.
func load(dir string) (*engine, error) {
	if dir != "" {
		for range 2 {
			cache := openDiskCache(dir)
			if cache == nil {
				break
			}
			e, err := newEngine(cache)
			if err == nil {
				return e, nil
			}
			if os.RemoveAll(dir) != nil {
				break
			}
		}
	}
	return newEngine(nil)
}

// openDiskCache returns a compilation cache kept in dir, or nil when dir
// cannot be created or written: wazero would compile and then fail to
// store the result, so such a directory is treated as no cache at all.
func openDiskCache(dir string) wazero.CompilationCache {
	if os.MkdirAll(dir, 0o700) != nil || !writable(dir) {
		return nil
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil
	}
	return cache
}

// writable reports whether a file can be created and removed in dir.
func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	closeErr := f.Close()
	return errors.Join(closeErr, os.Remove(name)) == nil
}

// newEngine makes the runtime, with cache when it is not nil, registers
// the host modules and compiles libpg_query.wasm. The compile runs on this
// goroutine: wazero's parallel compile (experimental.WithCompilationWorkers)
// gained no wall time on 2 cores busy loading a dbt manifest and raised
// the peak by about 120 MB.
func newEngine(cache wazero.CompilationCache) (*engine, error) {
	ctx := context.Background()
	// The module declares a shared memory, which is the threads proposal,
	// although it never starts a thread.
	cfg := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesThreads)
	if cache != nil {
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	fail := func(err error) (*engine, error) {
		err = errors.Join(err, rt.Close(ctx))
		if cache != nil {
			err = errors.Join(err, cache.Close(ctx))
		}
		return nil, err
	}
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return fail(fmt.Errorf("WASI host module: %w", err))
	}
	if err := instantiateWASIX(ctx, rt); err != nil {
		return fail(err)
	}
	code, err := rt.CompileModule(ctx, wasmBinary)
	if err != nil {
		return fail(fmt.Errorf("compiling libpg_query.wasm: %w", err))
	}
	return &engine{rt: rt, code: code, cache: cache}, nil
}

// close releases the runtime, every instance made from it, and the cache
// handle. The process's engine is never closed; tests close theirs.
func (e *engine) close() error {
	ctx := context.Background()
	err := e.rt.Close(ctx)
	if e.cache != nil {
		err = errors.Join(err, e.cache.Close(ctx))
	}
	return err
}
