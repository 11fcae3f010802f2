package sqlast

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// corpusEntry is one statement of testdata/corpus.sql.
type corpusEntry struct {
	mark string // "ro", "ro-foreign" or "rw"
	name string
	sql  string
}

// loadCorpus splits testdata/corpus.sql at its "-- @mark: name" lines.
func loadCorpus(t *testing.T) []corpusEntry {
	t.Helper()
	b, err := os.ReadFile("testdata/corpus.sql")
	require.NoError(t, err)
	var out []corpusEntry
	var body []string
	flush := func() {
		if len(out) > 0 {
			out[len(out)-1].sql = strings.TrimSpace(strings.Join(body, "\n"))
		}
		body = nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "-- @")
		if !ok {
			body = append(body, line)
			continue
		}
		mark, name, ok := strings.Cut(rest, ": ")
		require.True(t, ok, "corpus marker %q: got no ': ', want '-- @mark: name'", line)
		require.Contains(t, []string{"ro", "ro-foreign", "rw"}, mark, "corpus marker %q: got mark %q", line, mark)
		flush()
		out = append(out, corpusEntry{mark: mark, name: name})
	}
	flush()
	for _, e := range out {
		require.NotEmpty(t, e.sql, "corpus entry %q: got no statement, want one", e.name)
	}
	return out
}

func TestCorpusClassification(t *testing.T) {
	corpus := loadCorpus(t)
	require.GreaterOrEqual(t, len(corpus), 80, "corpus size: got %d entries, want at least 80", len(corpus))
	for _, e := range corpus {
		got := Classify(e.sql)
		if e.mark == "rw" {
			assert.False(t, got.ReadOnly, "%s: Classify(%q): got read-only (%s), want not read-only", e.name, e.sql, got.Kind)
		} else {
			assert.True(t, got.ReadOnly, "%s: Classify(%q): got not read-only (%s), want read-only", e.name, e.sql, got.Reason)
		}
	}
}

// corpusSchema is the state the corpus reads and must not change.
const corpusSchema = `
create table orders (id int primary key, customer_id int, amount numeric, created_at timestamptz, payload jsonb);
insert into orders select g, g % 10, g * 1.5, timestamptz '2024-01-01' + g * interval '1 day',
	jsonb_build_object('id', g, 'a', jsonb_build_object('b', g)) from generate_series(1, 100) g;
create table customers (id int primary key, name text);
insert into customers select g, 'customer ' || g from generate_series(0, 9) g;
create table payments (id int, amount numeric);
insert into payments select g, g from generate_series(1, 50) g;
create table t (id int, a int);
insert into t select g, g * 2 from generate_series(1, 20) g;
create schema analytics;
create table analytics.orders as select * from orders;
create sequence s;
select nextval('s');
select lo_from_bytea(0, 'hello');
create view v as select id, name from customers;
create type mood as enum ('sad', 'happy');
create function refresh_stats() returns bigint language sql
	as 'with d as (delete from t returning 1) select count(*) from d';
create schema "PG_CATALOG";
create function "PG_CATALOG".lower(text) returns bigint language sql
	as 'with d as (delete from t returning 1) select count(*) from d';
`

// fingerprintSQL summarises everything a corpus statement could change.
const fingerprintSQL = `select concat_ws(' | ',
	(select count(*) || ' orders, sum ' || sum(amount) from orders),
	(select count(*) || ' analytics.orders, sum ' || sum(amount) from analytics.orders),
	(select count(*) || ' customers' from customers),
	(select count(*) || ' payments, sum ' || sum(amount) from payments),
	(select count(*) || ' t, sum ' || coalesce(sum(a), 0) from t),
	(select string_agg(schemaname || '.' || sequencename || '=' || coalesce(last_value::text, 'null'), ',') from pg_sequences),
	(select count(*) || ' large objects' from pg_largeobject_metadata),
	(select count(*) || ' relations' from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')),
	(select count(*) || ' replication slots' from pg_replication_slots),
	(select count(*) || ' prepared transactions' from pg_prepared_xacts))`

// writeError reports whether err is PostgreSQL refusing a write: a
// read-only transaction (class 25, 25006 above all) or an unsupported
// feature such as a locking clause there.
func writeError(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "25") || pgErr.Code == "0A000")
}

// runReadOnly runs sql as sent, in the simple protocol, inside a read-only
// transaction that is rolled back.
func runReadOnly(ctx context.Context, conn *pgx.Conn, sql string) error {
	if _, err := conn.Exec(ctx, "begin read only; set local statement_timeout = '60s'"); err != nil {
		return err
	}
	_, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if _, rbErr := conn.Exec(ctx, "rollback"); rbErr != nil && err == nil {
		err = rbErr
	}
	return err
}

func fingerprint(ctx context.Context, t *testing.T, dsn string) string {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var fp string
	require.NoError(t, conn.QueryRow(ctx, fingerprintSQL).Scan(&fp))
	return fp
}

// TestCorpusOnPostgres runs every corpus statement Classify lets through on
// a real PostgreSQL, read-only, and checks that none of them tried to write
// and that nothing changed.
func TestCorpusOnPostgres(t *testing.T) {
	corpus := loadCorpus(t)
	dsn := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, corpusSchema, pgx.QueryExecModeSimpleProtocol)
	require.NoError(t, err, "set up the corpus schema")
	before := fingerprint(ctx, t, dsn)

	// The harness must see a write: a known-bad entry run the same way.
	err = runReadOnly(ctx, conn, "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d")
	require.True(t, writeError(err), "control: a data-modifying CTE in a read-only transaction: got %v, want SQLSTATE 25006", err)

	ran := 0
	for _, e := range corpus {
		if !Classify(e.sql).ReadOnly {
			continue
		}
		ran++
		err := runReadOnly(ctx, conn, e.sql)
		assert.False(t, writeError(err), "%s: %q tried to write: got %v, want no write error", e.name, e.sql, err)
		if e.mark == "ro" {
			assert.NoError(t, err, "%s: %q: got an error, want it to run on PostgreSQL", e.name, e.sql)
		} else if err != nil {
			t.Logf("%s: PostgreSQL rejects this %s entry, as expected of another dialect: %v", e.name, e.mark, err)
		}
	}
	t.Logf("ran %d of %d corpus statements read-only", ran, len(corpus))

	after := fingerprint(ctx, t, dsn)
	assert.Equal(t, before, after, "database state after the corpus: got %q, want it unchanged from %q", after, before)
}
