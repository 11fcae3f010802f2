package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"modernc.org/sqlite"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
)

// SQLite connections come from a driver of this package's own (not the
// process-wide "sqlite" one, so nothing here reaches other users of
// modernc.org/sqlite): it has the canonical-text functions the dialect
// needs, and an authorizer that lets a connection read and nothing else.
// Each connection is opened with mode=ro (SQLite refuses every write,
// whatever the SQL says) and query_only; the authorizer also refuses
// ATTACH, DETACH and every PRAGMA but the catalogue ones.

var (
	liteOnce   sync.Once
	liteDriver *sqlite.Driver
	liteErr    error
)

// readPragmas are the PRAGMAs a session may run: catalogue reads.
var readPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "index_list": true, "index_info": true,
	"index_xinfo": true, "database_list": true, "foreign_key_list": true,
}

// authorize lets a statement read and nothing else.
func authorize(action sqlite.AuthorizerActionCode, arg1, arg2, _, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthRead, sqlite.AuthFunction, sqlite.AuthRecursive:
		return sqlite.AuthorizerOK
	case sqlite.AuthTransaction:
		if strings.EqualFold(arg1, "COMMIT") {
			return sqlite.AuthorizerDeny
		}
		return sqlite.AuthorizerOK
	case sqlite.AuthPragma:
		if readPragmas[strings.ToLower(arg1)] {
			return sqlite.AuthorizerOK
		}
	}
	return sqlite.AuthorizerDeny
}

func sqliteDriver() (*sqlite.Driver, error) {
	liteOnce.Do(func() {
		d := &sqlite.Driver{}
		reg := func(name string, nArgs int32, fn func(args []driver.Value) (driver.Value, error)) {
			if liteErr != nil {
				return
			}
			liteErr = d.RegisterDeterministicScalarFunction(name, nArgs, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
				return fn(args)
			})
		}
		reg(dialect.SQLiteFloat, 2, liteFloat)
		reg(dialect.SQLiteBucket, 2, liteBucket)
		reg(dialect.SQLiteBool, 1, liteBool)
		reg(dialect.SQLiteTimestamp, 2, liteTimestamp)
		reg(dialect.SQLiteDate, 1, liteDate)
		if liteErr == nil {
			liteErr = d.RegisterFunction(dialect.SQLiteFields, &sqlite.FunctionImpl{NArgs: -1, Deterministic: true, VolatileArgs: true,
				Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) { return liteFields(args) }})
		}
		for _, f := range []struct {
			name  string
			nArgs int32
		}{{dialect.SQLiteHashSum, 1}, {dialect.SQLiteRowHash, -1}} {
			if liteErr == nil {
				row := f.nArgs < 0
				liteErr = d.RegisterFunction(f.name, &sqlite.FunctionImpl{
					NArgs: f.nArgs, Deterministic: true, VolatileArgs: true, // Step copies what it keeps
					MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &hashSum{row: row}, nil },
				})
			}
		}
		d.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
			a, ok := c.(sqlite.AuthorizerRegisterer)
			if !ok {
				return fmt.Errorf("the SQLite driver offers no authorizer")
			}
			return a.RegisterAuthorizer(authorize)
		})
		liteDriver = d
	})
	return liteDriver, liteErr
}

// liteConnector opens connections of the package's driver.
type liteConnector struct {
	d   *sqlite.Driver
	dsn string
}

func (c liteConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c liteConnector) Driver() driver.Driver                        { return c.d }

// openSQLite opens path read-only.
func openSQLite(path string) (*sql.DB, error) {
	d, err := sqliteDriver()
	if err != nil {
		return nil, err
	}
	escaped := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	dsn := "file:" + escaped + "?mode=ro&_query_only=1&_busy_timeout=5000"
	return sql.OpenDB(liteConnector{d: d, dsn: dsn}), nil
}

// number reads a SQLite value as a float64.
func number(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	case []byte:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(x)), 64)
		return f, err == nil
	}
	return 0, false
}

// text is a SQLite value as text, as CAST(x AS TEXT) would write it.
func text(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', 15, 64)
	}
	return fmt.Sprint(v)
}

func intArg(v driver.Value, def int) int {
	if n, ok := v.(int64); ok {
		return int(n)
	}
	return def
}

func liteFloat(args []driver.Value) (driver.Value, error) {
	if args[0] == nil {
		return nil, nil
	}
	f, ok := number(args[0])
	if !ok {
		return text(args[0]), nil
	}
	return canon.Float(f, intArg(args[1], 64)), nil
}

func liteBucket(args []driver.Value) (driver.Value, error) {
	if args[0] == nil {
		return nil, nil
	}
	f, ok := number(args[0])
	tol, okTol := number(args[1])
	if !ok || !okTol || tol <= 0 {
		return text(args[0]), nil
	}
	return canon.Bucket(f, tol), nil
}

func liteBool(args []driver.Value) (driver.Value, error) {
	switch x := args[0].(type) {
	case nil:
		return nil, nil
	case int64:
		return canon.Bool(x != 0), nil
	case float64:
		return canon.Bool(x != 0), nil
	}
	if b, ok := canon.ParseBool(text(args[0])); ok {
		return canon.Bool(b), nil
	}
	return text(args[0]), nil
}

func liteTimestamp(args []driver.Value) (driver.Value, error) {
	switch x := args[0].(type) {
	case nil:
		return nil, nil
	case int64:
		return canon.Timestamp(canon.UnixTime(float64(x)), intArg(args[1], 6)), nil
	case float64:
		return canon.Timestamp(canon.UnixTime(x), intArg(args[1], 6)), nil
	}
	s, p := text(args[0]), intArg(args[1], 6)
	if canon.IsTimestamp(s, p) {
		return s, nil
	}
	if t, ok := canon.ParseTime(s); ok {
		return canon.Timestamp(t, p), nil
	}
	return s, nil
}

func liteDate(args []driver.Value) (driver.Value, error) {
	switch x := args[0].(type) {
	case nil:
		return nil, nil
	case int64:
		return canon.Date(canon.UnixTime(float64(x))), nil
	case float64:
		return canon.Date(canon.UnixTime(x)), nil
	}
	if t, ok := canon.ParseTime(text(args[0])); ok {
		return canon.Date(t), nil
	}
	return text(args[0]), nil
}

// liteFields is ds_fields; its arguments are volatile, so it copies them
// into the text it returns.
func liteFields(args []driver.Value) (driver.Value, error) {
	var b []byte
	for i, a := range args {
		if i > 0 {
			b = append(b, ',')
		}
		switch x := a.(type) {
		case nil:
		case string:
			b = canon.AppendField(b, x)
		case []byte:
			b = canon.AppendField(b, string(x))
		default:
			b = canon.AppendField(b, text(x))
		}
	}
	return string(b), nil
}

// hashSum is the ds_hashsum aggregate (of row texts) and, with row, the
// ds_rowhash one (of the fields of rows).
type hashSum struct {
	row bool
	sum canon.Sum
	n   int64
	buf []byte
}

func (h *hashSum) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if !h.row {
		if args[0] == nil {
			return nil
		}
		h.sum.Add(canon.Hash48(text(args[0])))
		h.n++
		return nil
	}
	b := append(h.buf[:0], '(')
	for i, a := range args {
		if i > 0 {
			b = append(b, ',')
		}
		switch x := a.(type) {
		case nil:
		case string:
			b = canon.AppendField(b, x)
		case []byte:
			b = canon.AppendField(b, string(x))
		default:
			b = canon.AppendField(b, text(x))
		}
	}
	b = append(b, ')')
	h.buf = b
	h.sum.Add(canon.Hash48Bytes(b))
	h.n++
	return nil
}

func (h *hashSum) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("%s is not a window function", dialect.SQLiteHashSum)
}

func (h *hashSum) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if h.n == 0 {
		return nil, nil
	}
	return h.sum.String(), nil
}

func (h *hashSum) Final(*sqlite.FunctionContext) {}
