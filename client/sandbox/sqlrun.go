package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	wh "github.com/datastack-mcp/datastack-mcp/warehouse"
)

// SQL the emulated warehouses run (Datafold's query API, Lightdash's SQL
// runner) runs on the demo warehouse's SQLite files (demodb.go), read-only,
// with a statement timeout and at most sqlMaxRows rows. Before it runs, the
// warehouse's own names are translated to the file's: qualified table names
// (ANALYTICS.MARTS.fct_orders, MARTS.fct_orders, RAW.orders,
// `jaffle-marketing.marketing.ad_spend`) become the file's table names, and
// INFORMATION_SCHEMA.TABLES and .COLUMNS become subqueries of the demo
// catalogue; SHOW TABLES / VIEWS / OBJECTS / SCHEMAS and DESCRIBE TABLE become
// SELECTs of the same. Everything else is SQLite's to run: SQL it cannot run
// (a syntax error, a function SQLite lacks, an unknown table or column, a
// write, which the read-only engine refuses) is an error with the engine's
// message, never a made-up answer.

// sqlMaxRows caps the rows of one query's answer.
const sqlMaxRows = wh.DefaultQueryRows

// qcol is a column of a query's answer: its name and the warehouse's type.
type qcol struct{ Name, Type string }

// queryResult is a query's answer as the emulated warehouse gives it.
type queryResult struct {
	Columns []qcol
	Rows    [][]any
}

// objects turns the rows into column -> value maps.
func (r *queryResult) objects() []any {
	out := make([]any, 0, len(r.Rows))
	for _, row := range r.Rows {
		m := map[string]any{}
		for i, c := range r.Columns {
			m[c.Name] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// sqlError is SQL the warehouse refused, in the warehouse's words.
type sqlError struct{ msg string }

func (e *sqlError) Error() string { return e.msg }

// sqlFailure is the provider's answer to err from runSQL: a 400 for SQL
// the warehouse refused, a 500 when the engine could not be reached (its
// files could not be written, say).
func sqlFailure(err error) *apiError {
	var se *sqlError
	if errors.As(err, &se) {
		return badRequest("%s", se.msg)
	}
	return errf(500, "The sandbox's warehouse is unavailable: %s", err.Error())
}

// runSQL runs q on warehouse w's database file.
func (s *Sandbox) runSQL(ctx context.Context, w *warehouse, q string) (*queryResult, error) {
	if w == nil {
		return nil, &sqlError{"Could not connect: the sandbox has no warehouse behind this data source"}
	}
	translated, err := w.translate(q)
	if err != nil {
		return nil, err
	}
	conn, err := s.demo.conn(ctx, w.file)
	if err != nil {
		return nil, err
	}
	res, err := conn.Query(ctx, translated, sqlMaxRows)
	if err != nil {
		return nil, w.sqlErr(err)
	}
	out := &queryResult{Rows: res.Rows}
	for i, c := range res.Columns {
		typ := w.typeName(c.Type, res.Rows, i)
		name := c.Name
		if w.Kind == "snowflake" {
			name = strings.ToUpper(name)
		}
		out.Columns = append(out.Columns, qcol{name, typ})
		if typ == "DATE" {
			for _, row := range res.Rows {
				if v, ok := row[i].(string); ok && len(v) > 10 && strings.HasSuffix(v, "T00:00:00Z") {
					row[i] = v[:10]
				}
			}
		}
	}
	return out, nil
}

// sqlErr is the warehouse's error for a statement the engine refused.
func (w *warehouse) sqlErr(err error) error {
	var we *wh.Error
	if !errors.As(err, &we) {
		return err
	}
	msg := engineCode().ReplaceAllString(we.Msg, "")
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &sqlError{fmt.Sprintf("SQL execution error: the statement did not finish (%s)", msg)}
	}
	for _, prefix := range []string{"SQL logic error: ", "authorization denied: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	if wh.ReadOnlyViolation(err) {
		return &sqlError{fmt.Sprintf("SQL access control error: the sandbox's warehouse is read-only, it runs queries only (%s)", msg)}
	}
	return &sqlError{fmt.Sprintf("SQL compilation error: %s (the sandbox runs %s SQL on SQLite; tables are named like %s)", msg, w.displayKind(), w.example())}
}

// engineCode is the result code SQLite's messages end with.
var engineCode = lazyRegexp(` \(\d+\)$`)

// displayKind names w's engine as its vendor does.
func (w *warehouse) displayKind() string {
	if w.Kind == "bigquery" {
		return "BigQuery"
	}
	return "Snowflake"
}

// example names one of w's tables as a query would.
func (w *warehouse) example() string {
	for _, t := range w.Tables {
		if strings.EqualFold(t.Schema, "MARTS") || w.Kind != "snowflake" {
			return t.fqn()
		}
	}
	return w.Tables[0].fqn()
}

// typeName is the warehouse's name of the type of column i of a query's
// answer: from the file's declared type, or, for an expression, from its
// first value.
func (w *warehouse) typeName(declared string, rows [][]any, i int) string {
	family := strings.ToLower(declared)
	if family == "" {
		family = "text"
		for _, row := range rows {
			switch row[i].(type) {
			case nil:
				continue
			case int64:
				family = "integer"
			case float64:
				family = "real"
			case bool:
				family = "boolean"
			}
			break
		}
	}
	names := map[string][2]string{ // family: Snowflake's, BigQuery's
		"integer": {"NUMBER(38,0)", "INT64"}, "numeric": {"NUMBER(18,2)", "NUMERIC"}, "real": {"FLOAT", "FLOAT64"},
		"text": {"VARCHAR(16777216)", "STRING"}, "date": {"DATE", "DATE"}, "timestamp": {"TIMESTAMP_NTZ(9)", "TIMESTAMP"},
		"boolean": {"BOOLEAN", "BOOL"},
	}
	if i := strings.IndexByte(family, '('); i >= 0 {
		family = family[:i]
	}
	n, ok := names[family]
	if !ok {
		n = names["text"]
	}
	if w.Kind == "snowflake" {
		return n[0]
	}
	return n[1]
}
