// Package pgwasm runs PostgreSQL's parser, libpg_query compiled to
// WebAssembly, in wazero: SQL text in, libpg_query's protobuf encoding of
// the parse tree (or of the scanner's tokens) out.
//
// It is go-pgquery's runner (github.com/wasilibs/go-pgquery, see LICENSE)
// made ours so that the compiled parser can be kept: compiling the 2.2 MB
// module is seconds of CPU and hundreds of MB at peak, once per process,
// and go-pgquery offers no way to give wazero a compilation cache (each of
// its parser instances even compiled the module anew). Here the module is
// compiled once per process into a cache shared by every
// instance, and that cache is kept on disk (os.UserCacheDir, see
// [CacheDir]) so that later processes load the machine code instead of
// compiling it. Anything wrong with the disk cache (no home, unwritable,
// corrupt) costs a compile, never an error.
//
// libpg_query.wasm is go-pgquery's build, copied by scripts/gen-pgnode.sh
// from the module version named there; its libpg_query release matches
// the parse-tree types of package sqlast/pgnode.
package pgwasm
