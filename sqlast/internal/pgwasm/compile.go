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
)

//go:embed libpg_query.wasm
var libPGQuery []byte

// CacheDir is where compiled parsers are kept between processes:
// <user cache dir>/datastack-mcp/wazero. Set it before the first parse; ""
// keeps the compiled parser in memory only. wazero names each entry by
// the module's hash, its own version and the CPU's features, so a new
// parser or wazero version writes a new entry instead of reusing a stale
// one.
var CacheDir = defaultCacheDir()

func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "datastack-mcp", "wazero")
}

var (
	compileOnce sync.Once
	compileErr  error
	shared      wazero.CompilationCache // every instance's, once compiled
)

// Compile compiles the parser (or loads it from [CacheDir]) and makes the
// first instance. Only the first call does the work; every call returns
// its outcome.
func Compile() error {
	compileOnce.Do(func() {
		first, cache, err := compile(CacheDir)
		if err != nil {
			compileErr = fmt.Errorf("compiling the SQL parser: %w", err)
			return
		}
		shared = cache
		put(first) // parked for good: it keeps the compiled module alive
	})
	return compileErr
}

// compile makes the first instance over a disk cache in dir when it can,
// else over a cache in memory.
func compile(dir string) (*instance, wazero.CompilationCache, error) {
	if dir != "" {
		if first, cache := fromDisk(dir); first != nil {
			return first, cache, nil
		}
		// A corrupt entry fails the load: clear the directory (ours alone)
		// and try once more, so that this compile writes a good entry.
		if os.RemoveAll(dir) == nil {
			if first, cache := fromDisk(dir); first != nil {
				return first, cache, nil
			}
		}
	}
	cache := wazero.NewCompilationCache()
	first, err := newInstance(cache)
	if err != nil {
		_ = cache.Close(context.Background())
		return nil, nil, err
	}
	return first, cache, nil
}

// fromDisk makes an instance over a compilation cache in dir, or returns
// nil when dir cannot be used.
func fromDisk(dir string) (*instance, wazero.CompilationCache) {
	cache := diskCache(dir)
	if cache == nil {
		return nil, nil
	}
	first, err := newInstance(cache)
	if err != nil {
		_ = cache.Close(context.Background())
		return nil, nil
	}
	return first, cache
}

// diskCache opens a compilation cache in dir, or returns nil when dir
// cannot be written (wazero would compile, then fail to store).
func diskCache(dir string) wazero.CompilationCache {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil
	}
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return nil
	}
	_ = f.Close()
	if os.Remove(f.Name()) != nil {
		return nil
	}
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil
	}
	return c
}

// newRuntime is a wazero runtime over cache with the host modules the
// parser imports. One per instance, as go-pgquery has it: an instance's
// calls keep state (setjmp checkpoints, the allocator) that instances must
// not share.
func newRuntime(ctx context.Context, cache wazero.CompilationCache) (wazero.Runtime, wazero.CompiledModule, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().
		WithCompilationCache(cache).
		WithCoreFeatures(api.CoreFeaturesV2|experimental.CoreFeaturesThreads))
	if err := instantiateWASI(ctx, rt); err != nil {
		_ = rt.Close(ctx)
		return nil, nil, err
	}
	if err := instantiateWasix(ctx, rt); err != nil {
		_ = rt.Close(ctx)
		return nil, nil, err
	}
	// The cache answers at once when the module is compiled already. The
	// compile stays on one goroutine: wazero's parallel compile
	// (experimental.WithCompilationWorkers) gained no wall time next to a
	// loading dbt manifest on 2 cores and raised the peak by ~120 MB.
	code, err := rt.CompileModule(ctx, libPGQuery)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, nil, errors.Join(errors.New("compile libpg_query.wasm"), err)
	}
	return rt, code, nil
}
