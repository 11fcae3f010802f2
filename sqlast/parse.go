package sqlast

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/datastack-mcp/datastack-mcp/sqlast/internal/pgwasm"
	"github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
)

// Tree is a parsed SQL text: one entry per statement, in PostgreSQL's own
// parse-tree types.
type Tree = pgnode.ParseResult

// Parse parses sql with PostgreSQL's grammar. The first call in a process
// compiles the parser (seconds of CPU, or a few hundred milliseconds when
// an earlier process left it in the disk cache, see package pgwasm); later
// calls take microseconds.
func Parse(sql string) (*Tree, error) {
	compiled()
	tree, err := parse(sql)
	if err != nil {
		return nil, fmt.Errorf("sql: %w", err)
	}
	return tree, nil
}

// parse runs the grammar on sql. The parser answers in libpg_query's
// protobuf encoding, read here into the module's own types (package
// pgnode), so that nothing links pg_query_go's cgo build of the parser.
func parse(sql string) (*Tree, error) {
	b, err := pgwasm.Parse(sql)
	if err != nil {
		return nil, err
	}
	tree := &Tree{}
	if err := proto.Unmarshal(b, tree); err != nil {
		return nil, fmt.Errorf("reading the parse tree: %w", err)
	}
	return tree, nil
}

// scan runs PostgreSQL's scanner on sql (see parse).
func scan(sql string) (*pgnode.ScanResult, error) {
	b, err := pgwasm.Scan(sql)
	if err != nil {
		return nil, err
	}
	out := &pgnode.ScanResult{}
	if err := proto.Unmarshal(b, out); err != nil {
		return nil, fmt.Errorf("reading the scanner's tokens: %w", err)
	}
	return out, nil
}
