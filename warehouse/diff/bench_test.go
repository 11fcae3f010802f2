package diff_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/pgtest"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// The benchmarks need big tables, so they run only with WAREHOUSE_BENCH=1:
//
//	WAREHOUSE_BENCH=1 go test ./warehouse/diff -run '^$' -bench . -benchtime 3x -timeout 2h
//
// WAREHOUSE_BENCH_ROWS sets the big tables' rows (default 10,000,000) and
// WAREHOUSE_BENCH_SQLITE_ROWS the PostgreSQL-vs-SQLite tables' (1,000,000).
// WAREHOUSE_BENCH_DSN names a PostgreSQL database to keep the tables in
// between runs (created when missing); otherwise a throwaway database of
// internal/pgtest holds them. Each benchmark alternates ours and its bare
// comparator in one loop, so both see the same machine.

func benchEnv(b *testing.B) (dsn string, rows, liteRows int) {
	if os.Getenv("WAREHOUSE_BENCH") != "1" {
		b.Skip("set WAREHOUSE_BENCH=1 to run the warehouse benchmarks (they build tables of millions of rows)")
	}
	rows, liteRows = 10_000_000, 1_000_000
	if n, err := strconv.Atoi(os.Getenv("WAREHOUSE_BENCH_ROWS")); err == nil && n > 0 {
		rows = n
	}
	if n, err := strconv.Atoi(os.Getenv("WAREHOUSE_BENCH_SQLITE_ROWS")); err == nil && n > 0 {
		liteRows = n
	}
	dsn = os.Getenv("WAREHOUSE_BENCH_DSN")
	if dsn == "" {
		dsn = pgtest.NewDatabase(b)
	}
	return dsn, rows, liteRows
}

// pgExec runs statements on a writable connection.
func pgExec(b *testing.B, dsn string, stmts ...string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(b, err, "connect")
	defer conn.Close(ctx)
	for _, s := range stmts {
		_, err := conn.Exec(ctx, s)
		require.NoError(b, err, "%s", s)
	}
}

// pgCount is a table's row count, -1 when it does not exist.
func pgCount(b *testing.B, dsn, table string) int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(b, err, "connect")
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		return -1
	}
	return n
}

const benchColumns = `id bigint PRIMARY KEY, name text, amount numeric(12,2), price double precision, created timestamp, flag boolean`

// bigTables makes big_a and big_b (identical) and big_c (big_a with 0.1 %
// of rows changed: one in 2000 has another amount, one in 2000 another
// name, and as many are only on one side).
func bigTables(b *testing.B, dsn string, rows int) {
	if pgCount(b, dsn, "big_c") == rows {
		return
	}
	start := time.Now()
	gen := fmt.Sprintf(`SELECT g, 'name-' || g || CASE WHEN g %% 7 = 0 THEN '-ä' ELSE '' END, (g %% 100000) / 100.0, g / 7.0,
  timestamp '2024-01-01' + g * interval '1 second', g %% 3 = 0 FROM generate_series(1, %d) g`, rows)
	pgExec(b, dsn,
		"DROP TABLE IF EXISTS big_a, big_b, big_c",
		"CREATE TABLE big_a ("+benchColumns+")", "CREATE TABLE big_b ("+benchColumns+")", "CREATE TABLE big_c ("+benchColumns+")",
		"INSERT INTO big_a "+gen, "INSERT INTO big_b "+gen, "INSERT INTO big_c "+gen,
		"UPDATE big_c SET amount = amount + 1 WHERE id % 2000 = 0",
		"UPDATE big_c SET name = upper(name) WHERE id % 2000 = 1000",
		"DELETE FROM big_c WHERE id % 4000 = 500",
		fmt.Sprintf("INSERT INTO big_c SELECT id + %d, name, amount, price, created, flag FROM big_a WHERE id %% 4000 = 1500", rows),
		"VACUUM ANALYZE big_a", "VACUUM ANALYZE big_b", "VACUUM ANALYZE big_c")
	b.Logf("built big_a, big_b, big_c (%d rows) in %s", rows, time.Since(start).Round(time.Second))
}

func benchOpen(b *testing.B, name, dsn string) *warehouse.Conn {
	c, err := warehouse.Open(context.Background(), name, dsn, warehouse.WithStatementTimeout(time.Hour))
	require.NoError(b, err, "open %s", name)
	b.Cleanup(func() { c.Close() })
	return c
}

// bare runs a query on its own connection and returns its duration.
func bare(b *testing.B, c *warehouse.Conn, q string) time.Duration {
	start := time.Now()
	_, err := c.Query(context.Background(), q, 10)
	require.NoError(b, err, "%s", q)
	return time.Since(start)
}

// alternate times ours and the comparator, alternating, b.N times each.
func alternate(b *testing.B, ours, theirs func() time.Duration) {
	var tOurs, tTheirs time.Duration
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			tOurs += ours()
			tTheirs += theirs()
		} else {
			tTheirs += theirs()
			tOurs += ours()
		}
	}
	n := float64(b.N)
	b.ReportMetric(tOurs.Seconds()/n, "ours-s/op")
	b.ReportMetric(tTheirs.Seconds()/n, "bare-s/op")
	b.ReportMetric(tOurs.Seconds()/tTheirs.Seconds(), "ratio")
}

func BenchmarkWarehouse(b *testing.B) {
	dsn, rows, liteRows := benchEnv(b)
	bigTables(b, dsn, rows)
	ca, cb := benchOpen(b, "a", dsn), benchOpen(b, "b", dsn)
	cols := "id, name, amount, price, created, flag"

	b.Run(fmt.Sprintf("identical-%d-rows-hash-vs-checksum-aggregate", rows), func(b *testing.B) {
		agg := func(t string) string {
			return "SELECT count(*), sum(('x' || substring(md5(concat_ws('|', " + cols + ")), 21))::bit(48)::bigint) FROM " + t
		}
		var res *diff.Result
		alternate(b, func() time.Duration {
			start := time.Now()
			var err error
			res, err = diff.Diff(context.Background(), diff.Request{A: diff.Side{Conn: ca, Table: "big_a"}, B: diff.Side{Conn: cb, Table: "big_b"},
				PrimaryKey: []string{"id"}, Algorithm: diff.Hash})
			require.NoError(b, err, "diff")
			return time.Since(start)
		}, func() time.Duration {
			return bare(b, ca, "SELECT * FROM ("+agg("big_a")+") a, ("+agg("big_b")+") b")
		})
		require.Equal(b, diff.Identical, res.Result, "identical tables: got %s", res.Result)
		b.ReportMetric(float64(res.Cost.Queries), "queries")
	})

	b.Run(fmt.Sprintf("0.1pct-different-%d-rows-join-vs-full-join-count", rows), func(b *testing.B) {
		q := `SELECT count(*) FROM big_a a FULL OUTER JOIN big_c b ON a.id = b.id WHERE a.id IS NULL OR b.id IS NULL
 OR a.name IS DISTINCT FROM b.name OR a.amount IS DISTINCT FROM b.amount OR a.price IS DISTINCT FROM b.price
 OR a.created IS DISTINCT FROM b.created OR a.flag IS DISTINCT FROM b.flag`
		var res *diff.Result
		alternate(b, func() time.Duration {
			start := time.Now()
			var err error
			res, err = diff.Diff(context.Background(), diff.Request{A: diff.Side{Conn: ca, Table: "big_a"}, B: diff.Side{Conn: ca, Table: "big_c"},
				PrimaryKey: []string{"id"}, Algorithm: diff.Join})
			require.NoError(b, err, "diff")
			return time.Since(start)
		}, func() time.Duration { return bare(b, ca, q) })
		require.Equal(b, diff.Different, res.Result, "0.1%% different: got %s", res.Result)
		b.ReportMetric(float64(res.Values.RowsWithDifferences+res.A.RowsOnlyHere+res.B.RowsOnlyHere), "differing-rows")
		b.Logf("join diff: %+v; only in A %d, only in B %d, differing %d", res.Cost, res.A.RowsOnlyHere, res.B.RowsOnlyHere, res.Values.RowsWithDifferences)
	})

	b.Run(fmt.Sprintf("postgres-vs-sqlite-%d-rows-100-different", liteRows), func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "bench.db")
		liteTable(b, dsn, path, liteRows)
		cl := benchOpen(b, "lite", "sqlite://"+path)
		threshold := diff.DefaultBisectionThreshold
		var res *diff.Result
		var peak int64
		for i := 0; i < b.N; i++ {
			runtime.GC()
			debug.FreeOSMemory()
			resetPeakRSS()
			var err error
			res, err = diff.Diff(context.Background(), diff.Request{A: diff.Side{Conn: ca, Table: "mid_a"}, B: diff.Side{Conn: cl, Table: "mid_a"},
				PrimaryKey: []string{"id"}})
			require.NoError(b, err, "diff")
			peak = max(peak, peakRSS())
		}
		require.EqualValues(b, 100, res.Values.RowsWithDifferences, "differing rows: got %d (%+v)", res.Values.RowsWithDifferences, res.Samples)
		b.ReportMetric(float64(res.Cost.RowsFetched), "rows-fetched")
		b.ReportMetric(float64(res.Cost.RowsFetched)/float64(100*threshold), "fetched/(100*threshold)")
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		b.ReportMetric(float64(res.Cost.Queries), "queries")
		b.ReportMetric(float64(res.Cost.Segments), "segments")
	})
}

// liteTable writes mid_a (liteRows rows of the bench columns) to
// PostgreSQL and to a SQLite file, the SQLite copy with 100 rows whose
// amount differs.
func liteTable(b *testing.B, dsn, path string, liteRows int) {
	start := time.Now()
	pgExec(b, dsn, "DROP TABLE IF EXISTS mid_a", "CREATE TABLE mid_a ("+benchColumns+")")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(b, err, "connect")
	defer conn.Close(ctx)
	row := func(i int) []any {
		return []any{int64(i), "name-" + strconv.Itoa(i) + strings.Repeat("ä", i%3), fmt.Sprintf("%d.%02d", i%100000, i%100),
			float64(i) / 7, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1500 * time.Millisecond), i%3 == 0}
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"mid_a"}, []string{"id", "name", "amount", "price", "created", "flag"},
		pgx.CopyFromFunc(func() func() ([]any, error) {
			i := 0
			return func() ([]any, error) {
				if i == liteRows {
					return nil, nil
				}
				i++
				return row(i), nil // pgx writes the decimal text into numeric
			}
		}()))
	require.NoError(b, err, "copy mid_a")
	pgExec(b, dsn, "VACUUM ANALYZE mid_a")

	db, err := sql.Open("sqlite", path)
	require.NoError(b, err, "sqlite")
	defer db.Close()
	_, err = db.Exec("CREATE TABLE mid_a (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), price REAL, created TIMESTAMP, flag BOOLEAN)")
	require.NoError(b, err, "create")
	tx, err := db.Begin()
	require.NoError(b, err, "begin")
	stmt, err := tx.Prepare("INSERT INTO mid_a VALUES (?, ?, ?, ?, ?, ?)")
	require.NoError(b, err, "prepare")
	step := liteRows / 100
	for i := 1; i <= liteRows; i++ {
		r := row(i)
		if i%step == step/2 {
			r[2] = "-1.00" // one of the 100 differing rows
		}
		r[4] = r[4].(time.Time).Format("2006-01-02 15:04:05.999999")
		_, err := stmt.Exec(r...)
		require.NoError(b, err, "insert")
	}
	require.NoError(b, tx.Commit(), "commit")
	b.Logf("built mid_a (%d rows) in PostgreSQL and SQLite in %s", liteRows, time.Since(start).Round(time.Second))
}

// resetPeakRSS resets the kernel's peak RSS of this process (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return -1
}
