package sqlast

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgquery "github.com/wasilibs/go-pgquery"
)

// Tree is a parsed SQL text: one entry per statement, in PostgreSQL's own
// parse-tree types.
type Tree = pg_query.ParseResult

// Parse parses sql with PostgreSQL's grammar. The first call in a process
// compiles the parser (about a second); later calls take microseconds.
func Parse(sql string) (*Tree, error) {
	compiled()
	tree, err := pgquery.Parse(sql)
	if err != nil {
		return nil, fmt.Errorf("sql: %w", err)
	}
	return tree, nil
}
