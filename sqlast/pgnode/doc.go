// Package pgnode holds the Go types of PostgreSQL's parse tree as
// libpg_query serialises it (protobuf): [ParseResult], [Node] and its
// variants, [ScanResult] and the scanner's [Token] kinds.
//
// The types are generated (scripts/gen-pgnode.sh) from the schema of the
// libpg_query release that go-pgquery's WebAssembly parser is built from,
// so that this module owns them instead of importing
// github.com/pganalyze/pg_query_go, whose package compiles the whole C
// parser into any build with cgo available. See LICENSE (libpg_query,
// pg_query_go) and LICENSE.POSTGRESQL (the node definitions follow
// PostgreSQL's).
//
// The types register with the protobuf runtime on their first use, not at
// package initialisation (scripts/gen-pgnode: lazyRegistration), so that a
// process that never parses SQL does not pay for it at start-up.
package pgnode
