package sqllineage

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	pg "github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"

	"github.com/datastack-mcp/datastack-mcp/sqlast"
)

// EdgeKind is how an output column comes from an input column.
type EdgeKind string

// Edge kinds, weakest first: when a column reaches an output by several
// paths, or through several steps, the strongest wins.
const (
	// Copy: the value is passed through, possibly renamed.
	Copy EdgeKind = "copy"
	// Transformation: the value is computed by an expression (a cast,
	// CASE, arithmetic, a function, a window function's argument or
	// partition).
	Transformation EdgeKind = "transformation"
	// Aggregation: the value is an argument of an aggregate function.
	Aggregation EdgeKind = "aggregation"
)

func (k EdgeKind) rank() int {
	switch k {
	case Copy:
		return 1
	case Transformation:
		return 2
	case Aggregation:
		return 3
	}
	return 0
}

func maxKind(a, b EdgeKind) EdgeKind {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Table is what a Catalog knows of a table named in the SQL.
type Table struct {
	// ID is the identity lineage reports the table under (a dbt
	// unique_id).
	ID string
	// Columns are the known columns in order.
	Columns []string
	// Complete is true when Columns are all the table's columns (the
	// warehouse's list, or what the model's own SQL produces); false when
	// they may be a part (documented columns).
	Complete bool
}

// Catalog resolves the tables a query reads.
type Catalog interface {
	// Table resolves a relation name as the parser gives it (one to
	// three parts: database, schema, name; unquoted ones lowercased).
	// ok is false for a relation it does not know.
	Table(parts []string) (t Table, ok bool)
}

// CatalogFunc adapts a function to Catalog.
type CatalogFunc func(parts []string) (Table, bool)

// Table implements Catalog.
func (f CatalogFunc) Table(parts []string) (Table, bool) { return f(parts) }

// Source is one input column of an output column.
type Source struct {
	// Table is the Catalog's Table.ID, or the dotted name as written for
	// a table the catalog does not know.
	Table  string   `json:"table"`
	Column string   `json:"column"`
	Kind   EdgeKind `json:"kind"`
}

// Column is one output column and where it comes from. A column with no
// sources and no issues is computed from constants only.
type Column struct {
	Name    string   `json:"name"`
	Sources []Source `json:"sources"`
	// Unresolved says what could not be traced for this column; its
	// Sources are then a part of the truth.
	Unresolved []string `json:"unresolved,omitempty"`
}

// Result is the lineage of one query.
type Result struct {
	Columns []Column `json:"columns"`
	// Passthrough are tables a SELECT * passes through whose columns are
	// unknown: each of their columns is an output column too (copied),
	// though none can be listed.
	Passthrough []string `json:"passthrough,omitempty"`
	// Unresolved are the problems found, prefixed by the output column
	// they affect when there is one.
	Unresolved []string `json:"unresolved,omitempty"`
	// Tables are the identities of every table the query reads, sorted;
	// Unknown the relation names the catalog did not know.
	Tables  []string `json:"tables"`
	Unknown []string `json:"unknown,omitempty"`
}

// ParseError is SQL the PostgreSQL grammar rejects (often another
// dialect's syntax): the query can only be used at table level.
type ParseError struct{ Err error }

func (e *ParseError) Error() string {
	return "the PostgreSQL grammar rejects this SQL (" + e.Err.Error() + ")"
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrNotSelect is a text that is not exactly one SELECT.
var ErrNotSelect = errors.New("not a single SELECT statement")

// Analyze parses sql and traces each output column to the input columns
// it comes from.
func Analyze(sql string, cat Catalog) (*Result, error) {
	tree, err := sqlast.Parse(sql)
	if err != nil {
		return nil, &ParseError{Err: err}
	}
	return AnalyzeTree(tree, cat)
}

// AnalyzeTree is Analyze of an already parsed text.
func AnalyzeTree(tree *sqlast.Tree, cat Catalog) (*Result, error) {
	sel, err := singleSelect(tree)
	if err != nil {
		return nil, err
	}
	a := &analyzer{cat: cat, tables: map[string]bool{}, unknown: map[string]bool{}}
	rel := a.selectRel(sel, nil, nil)
	return a.result(rel), nil
}

func singleSelect(tree *sqlast.Tree) (*pg.SelectStmt, error) {
	var stmts []*pg.Node
	for _, raw := range tree.GetStmts() {
		if raw.GetStmt() != nil {
			stmts = append(stmts, raw.GetStmt())
		}
	}
	if len(stmts) != 1 {
		return nil, fmt.Errorf("%w: found %d statements", ErrNotSelect, len(stmts))
	}
	switch s := stmts[0].Node.(type) {
	case *pg.Node_SelectStmt:
		return s.SelectStmt, nil
	case *pg.Node_CreateTableAsStmt:
		if q := s.CreateTableAsStmt.GetQuery().GetSelectStmt(); q != nil {
			return q, nil
		}
	case *pg.Node_ViewStmt:
		if q := s.ViewStmt.GetQuery().GetSelectStmt(); q != nil {
			return q, nil
		}
	}
	return nil, fmt.Errorf("%w: found a %T", ErrNotSelect, stmts[0].Node)
}

// result turns the top-level relation into a Result.
func (a *analyzer) result(rel *relation) *Result {
	res := &Result{Columns: make([]Column, 0, len(rel.cols)), Tables: sortedSet(a.tables), Unknown: sortedSet(a.unknown)}
	for _, c := range rel.cols {
		col := Column{Name: c.name, Sources: make([]Source, 0, len(c.lin.src)), Unresolved: c.lin.issues}
		for k, kind := range c.lin.src {
			col.Sources = append(col.Sources, Source{Table: k.table, Column: k.column, Kind: kind})
		}
		sort.Slice(col.Sources, func(i, j int) bool {
			if col.Sources[i].Table != col.Sources[j].Table {
				return col.Sources[i].Table < col.Sources[j].Table
			}
			return col.Sources[i].Column < col.Sources[j].Column
		})
		for _, is := range c.lin.issues {
			res.Unresolved = append(res.Unresolved, c.name+": "+is)
		}
		res.Columns = append(res.Columns, col)
	}
	res.Passthrough = rel.openBases(nil)
	if len(rel.open) > 0 || !rel.complete {
		var labels []string
		for _, o := range rel.open {
			labels = append(labels, o.label)
		}
		res.Unresolved = append(res.Unresolved, "SELECT * over "+strings.Join(labels, ", ")+" could not be expanded: the columns of "+strings.Join(res.Passthrough, ", ")+" are unknown (no catalog.json entry, no documented columns); they pass through by name")
	}
	res.Unresolved = append(res.Unresolved, a.global...)
	return res
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
