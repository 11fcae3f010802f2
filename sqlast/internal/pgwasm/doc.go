// Package pgwasm runs PostgreSQL's own parser inside the process: libpg_query
// built for WebAssembly (libpg_query.wasm, see NOTICE), executed by wazero.
// Text goes in; libpg_query's protobuf encoding of the parse tree ([Parse])
// or of the scanner's tokens ([Scan]) comes out, for package sqlast to decode
// into the types of sqlast/pgnode.
//
// Turning the 2.2 MB module into machine code is the expensive part: about
// 1.7 s of CPU and a few hundred MB at its peak. It happens at most once per
// process ([Compile]), on one goroutine, and its result is written to a
// wazero compilation cache on disk ([CacheDir]) so that later processes map
// the machine code in instead of compiling it again. A cache directory that
// cannot be used, or an entry that fails wazero's checksum, only costs a
// compile; it is never an error.
//
// The package owns the host side of the module's contract: the WASI calls
// (wazero's implementation, with stdout and stderr discarded because the
// server's stdout carries the protocol), and the few WASIX calls the build
// imports, of which only the setjmp/longjmp pair (stack_checkpoint,
// stack_restore) does real work: PostgreSQL reports a syntax error by
// longjmp-ing out of the grammar. Any trap inside the module is returned as
// an error and the instance that trapped is thrown away.
package pgwasm
