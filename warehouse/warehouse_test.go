package warehouse_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/pgtest"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/testdb"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fixture is one schema and its rows, written in SQL both engines read.
func fixture(db *testdb.DB) {
	db.Exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer VARCHAR(20) NOT NULL, amount DECIMAL(12,2), paid BOOLEAN, created TIMESTAMP)`)
	db.Exec(`CREATE TABLE customers (code VARCHAR(10), name TEXT, UNIQUE (code))`)
	db.Exec(`CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100`)
	db.Exec(`INSERT INTO orders VALUES (1, 'a-1', 10.50, true, '2024-01-02 03:04:05.5'), (2, 'b-2', 200, false, NULL), (3, 'c-3', NULL, NULL, '2024-01-03 00:00:00')`)
	db.Exec(`INSERT INTO customers VALUES ('a-1', 'Ann'), ('b-2', 'Bob')`)
}

// engines runs f on a fresh SQLite file and on a fresh PostgreSQL database.
func engines(t *testing.T, f func(t *testing.T, db *testdb.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, testdb.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, testdb.Postgres(t)) })
}

func open(t *testing.T, db *testdb.DB, opts ...warehouse.Option) *warehouse.Conn {
	t.Helper()
	c, err := warehouse.Open(context.Background(), "test", db.DSN, opts...)
	require.NoError(t, err, "open %s", db.Engine)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCatalog(t *testing.T) {
	engines(t, func(t *testing.T, db *testdb.DB) {
		fixture(db)
		c := open(t, db)
		ctx := context.Background()
		require.Equal(t, db.Engine, c.Engine(), "engine: got %s, want %s", c.Engine(), db.Engine)

		schemas, err := c.ListSchemas(ctx)
		require.NoError(t, err, "list schemas")
		want := map[string]string{"sqlite": "main", "postgres": "public"}[db.Engine]
		assert.Contains(t, schemas, want, "schemas: got %v, want %s among them", schemas, want)

		tables, err := c.ListTables(ctx, want)
		require.NoError(t, err, "list tables")
		byName := map[string]warehouse.Table{}
		for _, tb := range tables {
			byName[tb.Name] = tb
		}
		require.Len(t, byName, 3, "tables: got %v, want orders, customers, big_orders", tables)
		assert.Equal(t, "view", byName["big_orders"].Kind, "big_orders kind: got %s, want view", byName["big_orders"].Kind)
		if db.Engine == "sqlite" {
			require.NotNil(t, byName["orders"].Rows, "sqlite row count of orders: got none")
			assert.Equal(t, int64(3), *byName["orders"].Rows, "sqlite row count: got %d, want 3", *byName["orders"].Rows)
			assert.True(t, byName["orders"].RowsExact, "sqlite counts are exact")
		}

		cols, err := c.ListColumns(ctx, "orders")
		require.NoError(t, err, "list columns")
		require.Len(t, cols, 5, "columns: got %v", cols)
		families := []string{"integer", "text", map[string]string{"sqlite": "float", "postgres": "decimal"}[db.Engine], "boolean", "timestamp"}
		for i, col := range cols {
			assert.Equal(t, families[i], col.Family, "column %s family: got %s, want %s", col.Name, col.Family, families[i])
		}
		assert.True(t, cols[0].PrimaryKey, "id is the primary key")
		assert.False(t, cols[0].Nullable, "id is not nullable")
		assert.False(t, cols[1].Nullable, "customer is NOT NULL")

		info, err := c.Describe(ctx, "CUSTOMERS")
		require.NoError(t, err, "describe ignores case")
		assert.Equal(t, [][]string{{"code"}}, info.Unique, "customers unique keys: got %v", info.Unique)

		_, err = c.Describe(ctx, "order")
		require.Error(t, err, "describe a missing table")
		assert.Contains(t, err.Error(), `"order" does not exist`, "error names the table: %v", err)
		assert.Contains(t, err.Error(), "did you mean "+want+".orders", "error suggests orders: %v", err)
	})
}

func TestQuery(t *testing.T) {
	engines(t, func(t *testing.T, db *testdb.DB) {
		fixture(db)
		c := open(t, db)
		res, err := c.Query(context.Background(), "SELECT id, customer, paid FROM orders ORDER BY id", 2)
		require.NoError(t, err, "query")
		require.Len(t, res.Columns, 3, "columns: got %v", res.Columns)
		assert.Equal(t, "customer", res.Columns[1].Name, "column name: got %s", res.Columns[1].Name)
		require.Len(t, res.Rows, 2, "rows: got %v, want 2 (capped)", res.Rows)
		assert.True(t, res.Truncated, "truncated: got false, want true")
		assert.Equal(t, int64(1), res.Rows[0][0], "id: got %#v", res.Rows[0][0])
		assert.Equal(t, "a-1", res.Rows[0][1], "customer: got %#v", res.Rows[0][1])
	})
}

// TestReadOnly tries to write through a session in every way the engine
// could allow, and expects the engine to refuse each.
func TestReadOnly(t *testing.T) {
	engines(t, func(t *testing.T, db *testdb.DB) {
		fixture(db)
		c := open(t, db)
		writes := []string{
			"INSERT INTO orders (id, customer) VALUES (9, 'x')",
			"UPDATE orders SET amount = 0",
			"DELETE FROM orders",
			"CREATE TABLE evil (x INTEGER)",
			"DROP TABLE customers",
		}
		if db.Engine == "sqlite" {
			writes = append(writes, "PRAGMA query_only = 0", "ATTACH DATABASE 'other.db' AS other", "PRAGMA journal_mode = WAL")
		} else {
			writes = append(writes, "SET TRANSACTION READ WRITE", "SELECT set_config('transaction_read_only', 'off', false)",
				"CREATE TEMP TABLE evil (x int)", "SELECT nextval('orders_id_seq')")
		}
		for _, w := range writes {
			_, err := c.Query(context.Background(), w, 10)
			require.Error(t, err, "%s: got no error, want the engine to refuse it", w)
			if !warehouse.ReadOnlyViolation(err) && !strings.Contains(err.Error(), "does not exist") {
				t.Errorf("%s: got %v, want a read-only refusal", w, err)
			}
		}
		res, err := c.Query(context.Background(), "SELECT count(*) FROM orders", 1)
		require.NoError(t, err, "count after the attempts")
		assert.EqualValues(t, 3, res.Rows[0][0], "rows after the attempts: got %v, want 3", res.Rows[0][0])
	})
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	tests := []struct {
		dsn, want string
	}{
		{"postgres://alice:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=5", "connection test"},
		{"postgresql://alice:s3cr3t%2Dpw@127.0.0.1:1/db?sslmode=disable&connect_timeout=5", "connection test"},
		{"postgres://alice@127.0.0.1:1/db?sslmode=disable&password=s3cr3t-pw&connect_timeout=5", "connection test"},
		{"postgres://alice:s3cr3t-pw@127.0.0.1:notaport/db", "connection test"},
		{"mysql://alice:s3cr3t-pw@host/db", `unsupported DSN scheme "mysql"`},
		{"sqlite://host/s3cr3t-pw.db", "has no host"},
		{"sqlite:///nonexistent/dir/file.db", "no SQLite database at /nonexistent/dir/file.db"},
	}
	for _, tt := range tests {
		_, err := warehouse.Open(context.Background(), "test", tt.dsn)
		require.Error(t, err, "open %s: got no error", tt.want)
		assert.NotContains(t, err.Error(), "s3cr3t", "error of %s leaks the password: %v", tt.want, err)
		if tt.want != "connection test" {
			assert.Contains(t, err.Error(), tt.want, "error: got %v, want it to say %s", err, tt.want)
		}
	}
}

func TestSQLiteDSN(t *testing.T) {
	db := testdb.SQLite(t)
	fixture(db)
	path := strings.TrimPrefix(db.DSN, "sqlite://")
	for _, dsn := range []string{db.DSN, "sqlite:" + path} {
		c, err := warehouse.Open(context.Background(), "x", dsn)
		require.NoError(t, err, "open %s", dsn)
		c.Close()
	}
	_, err := warehouse.Open(context.Background(), "x", db.DSN+"?mode=rw")
	require.Error(t, err, "a sqlite DSN with parameters: got no error")
}

func TestSameDatabase(t *testing.T) {
	db, db2 := testdb.SQLite(t), testdb.SQLite(t)
	fixture(db)
	fixture(db2)
	a, b := open(t, db), open(t, db)
	other := open(t, db2)
	assert.True(t, a.SameDatabase(b), "two connections to one file are the same database")
	assert.False(t, a.SameDatabase(other), "two files are different databases")
}

// TestSQLiteCancel cancels a query that would not end, after its first
// row, and the query stops with the context's error.
func TestSQLiteCancel(t *testing.T) {
	db := testdb.SQLite(t)
	fixture(db)
	c := open(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := c.Begin(ctx, true)
	require.NoError(t, err, "begin")
	defer s.Close()
	rows := 0
	err = s.Each(ctx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n", nil, func(scan func(...any) error) error {
		rows++
		if rows == 1 {
			cancel()
		}
		return nil
	})
	require.Error(t, err, "an endless query after cancel: got no error")
	assert.True(t, errors.Is(err, context.Canceled), "error: got %v, want context.Canceled", err)
}

// TestSQLiteStatementTimeout: a statement that outlives the timeout stops
// with a timeout error.
func TestSQLiteStatementTimeout(t *testing.T) {
	db := testdb.SQLite(t)
	fixture(db)
	c := open(t, db, warehouse.WithStatementTimeout(time.Millisecond))
	_, err := c.Query(context.Background(), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n", 1)
	require.Error(t, err, "an endless query with a timeout: got no error")
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "error: got %v, want a deadline", err)
}

// TestPostgresCancel cancels pg_sleep once the server shows it running, and
// the server stops running it.
func TestPostgresCancel(t *testing.T) {
	db := testdb.Postgres(t)
	c := open(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Query(ctx, "SELECT pg_sleep(600) /* warehouse-cancel-test */", 1)
		done <- err
	}()
	observer := open(t, db)
	running := func() int64 {
		res, err := observer.Query(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%warehouse-cancel-test%' AND pid <> pg_backend_pid()", 1)
		require.NoError(t, err, "pg_stat_activity")
		return res.Rows[0][0].(int64)
	}
	waitFor(t, "pg_sleep to run", func() bool { return running() == 1 })
	cancel()
	err := <-done
	require.Error(t, err, "cancelled pg_sleep: got no error")
	assert.True(t, errors.Is(err, context.Canceled), "error: got %v, want context.Canceled", err)
	waitFor(t, "the server to stop pg_sleep", func() bool { return running() == 0 })
}

// waitFor polls cond (no fixed sleep decides the outcome: the test's own
// deadline bounds it).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	var once sync.Once
	for delay := time.Millisecond; !cond(); delay = min(delay*2, 200*time.Millisecond) {
		once.Do(func() { t.Logf("waiting for %s", what) })
		time.Sleep(delay)
	}
}

// TestQueryValues: every value of a query answer is JSON-able.
func TestQueryValues(t *testing.T) {
	db := testdb.Postgres(t)
	c := open(t, db)
	res, err := c.Query(context.Background(), `SELECT 1.50::numeric AS n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, '{"a": 1}'::jsonb AS j,
  '\xdeadbeef'::bytea AS b, timestamptz '2024-01-02 03:04:05.5+00' AS ts, 'NaN'::float8 AS f, NULL::int AS z, true AS t, interval '1 day' AS i, ARRAY[1,2] AS a`, 1)
	require.NoError(t, err, "query")
	want := []any{"1.50", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", `{"a": 1}`, `\xdeadbeef`, "2024-01-02T03:04:05.5Z", "NaN", nil, true, "1 day", "{1,2}"}
	require.Len(t, res.Rows, 1, "rows")
	for i, w := range want {
		assert.Equal(t, w, res.Rows[0][i], "column %s: got %#v, want %#v", res.Columns[i].Name, res.Rows[0][i], w)
	}
}

// TestSharedSnapshot: a session begun at another's exported snapshot sees
// its data, not rows written since.
func TestSharedSnapshot(t *testing.T) {
	db := testdb.Postgres(t)
	fixture(db)
	c := open(t, db)
	ctx := context.Background()
	s, err := c.Begin(ctx, true)
	require.NoError(t, err, "begin")
	defer s.Close()
	id, err := s.ExportSnapshot(ctx)
	require.NoError(t, err, "export snapshot")
	require.NotEmpty(t, id, "snapshot id")
	db.Exec("INSERT INTO orders (id, customer) VALUES (10, 'new')")
	other, err := c.BeginAt(ctx, id)
	require.NoError(t, err, "begin at %s", id)
	defer other.Close()
	var n int64
	require.NoError(t, other.Each(ctx, "SELECT count(*) FROM orders", nil, func(scan func(...any) error) error { return scan(&n) }), "count")
	assert.EqualValues(t, 3, n, "rows at the snapshot: got %d, want 3 (the insert came later)", n)
	_, err = c.BeginAt(ctx, "x'; DROP TABLE orders; --")
	require.Error(t, err, "a snapshot id that is not one: got no error")
}
