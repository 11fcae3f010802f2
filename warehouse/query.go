package warehouse

import (
	"context"
	"database/sql"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds of Query.
const (
	DefaultQueryRows = 1000
	MaxQueryRows     = 100000
)

// QueryResult is the answer of a read-only query.
type QueryResult struct {
	Columns []QueryColumn `json:"columns"`
	// Rows hold JSON-able values: nil, bool, int64, float64 (non-finite
	// floats as text), string (timestamps in RFC 3339, binary as \x and
	// hex).
	Rows [][]any `json:"rows"`
	// Truncated says the query had more rows than asked for.
	Truncated bool `json:"truncated"`
}

// QueryColumn is a column of a query's answer.
type QueryColumn struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// Query runs one SQL statement in a read-only session and returns at most
// maxRows rows (DefaultQueryRows when 0 or less, at most MaxQueryRows).
// The caller classifies the SQL beforehand; the engine refuses writes
// whatever the SQL says (see ReadOnlyViolation).
func (c *Conn) Query(ctx context.Context, query string, maxRows int) (*QueryResult, error) {
	if maxRows <= 0 {
		maxRows = DefaultQueryRows
	}
	maxRows = min(maxRows, MaxQueryRows)
	s, err := c.Begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	qctx, cancel := s.statementContext(ctx)
	defer cancel()
	rows, err := s.tx.QueryContext(qctx, query)
	if err != nil {
		return nil, c.stmtErr(ctx, qctx, "query", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, c.stmtErr(ctx, qctx, "query", err)
	}
	res := &QueryResult{Columns: make([]QueryColumn, len(types)), Rows: [][]any{}}
	for i, t := range types {
		res.Columns[i] = QueryColumn{Name: t.Name(), Type: strings.ToLower(t.DatabaseTypeName())}
	}
	for rows.Next() {
		if len(res.Rows) == maxRows {
			res.Truncated = true
			break
		}
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, c.Err("read a row", err)
		}
		for i, v := range vals {
			vals[i] = jsonValue(v, res.Columns[i].Type)
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, c.stmtErr(ctx, qctx, "query", err)
	}
	return res, nil
}

// jsonValue is a driver value as a JSON-able one.
func jsonValue(v any, typ string) any {
	switch x := v.(type) {
	case nil, bool, int64, string:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case float32:
		return jsonValue(float64(x), typ)
	case int32:
		return int64(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []byte:
		if typ != "bytea" && typ != "blob" && utf8.Valid(x) {
			return string(x)
		}
		return `\x` + hex.EncodeToString(x)
	case sql.RawBytes:
		return jsonValue([]byte(x), typ)
	}
	return strings.TrimSpace(strings.Trim(strconv.Quote(toString(v)), `"`))
}

func toString(v any) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}
