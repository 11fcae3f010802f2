// Package sqlast owns the one SQL grammar of the server: PostgreSQL's own
// parser (libpg_query compiled to WebAssembly and run by wazero, so the
// default build needs no cgo). Everything that must understand SQL text
// asks this package: whether a statement is a single read-only query (the
// confirmation policy, see [Classify]) and which input columns an output
// column comes from (dbt column lineage). A statement the grammar rejects is
// never guessed at: callers treat it as "not understood".
package sqlast
