package sqlast

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// classifyCase is one text and what Classify must say about it: ReadOnly
// with kind, or not ReadOnly with a reason containing reason.
type classifyCase struct {
	name   string
	sql    string
	kind   string // want ReadOnly with this Kind when set
	reason string // want not ReadOnly, Reason containing this, when set
}

var readOnlyCases = []classifyCase{
	{name: "plain select", sql: "select * from orders limit 10", kind: "select"},
	{name: "trailing semicolon", sql: "select 1;", kind: "select"},
	{name: "trailing semicolon and comment", sql: "select 1; -- done", kind: "select"},
	{name: "date_trunc group by", sql: "select date_trunc('month', created_at) m, sum(amount) from analytics.orders group by 1 order by 1", kind: "select"},
	{name: "window function", sql: "select id, row_number() over (partition by customer_id order by created_at desc) rn, sum(amount) over w from orders window w as (order by id)", kind: "select"},
	{name: "case", sql: "select case when amount > 100 then 'big' else 'small' end as size from orders", kind: "select"},
	{name: "casts", sql: "select created_at::date, cast(amount as numeric(10,2)), '2024-01-01'::timestamp, interval '1 day', x::text[] from t", kind: "select"},
	{name: "joins", sql: "select o.id, c.name from orders o join customers c on c.id = o.customer_id left join payments p using (id)", kind: "select"},
	{name: "subqueries", sql: "select * from (select id from t) s where id in (select id from u) and exists (select 1 from v where v.id = s.id)", kind: "select"},
	{name: "set operations", sql: "select 1 union all select 2 intersect select 3 except select 4", kind: "select"},
	{name: "information_schema", sql: "select table_schema, table_name, column_name, data_type from information_schema.columns where table_name = 'orders' order by ordinal_position", kind: "select"},
	{name: "count distinct", sql: "select count(distinct customer_id), count(*) from orders", kind: "select"},
	{name: "current_date and now", sql: "select current_date, now(), current_timestamp, pg_catalog.now() - interval '7 days'", kind: "select"},
	{name: "read-only CTE", sql: "with recent as (select * from orders where created_at > now() - interval '30 days') select count(*) from recent", kind: "select"},
	{name: "recursive CTE", sql: "with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) select sum(i) from n", kind: "select"},
	{name: "values", sql: "values (1, 'a'), (2, 'b')", kind: "select"},
	{name: "table", sql: "TABLE orders", kind: "select"},
	{name: "parenthesised", sql: "(select 1)", kind: "select"},
	{name: "coalesce nullif greatest", sql: "select coalesce(a, 0), nullif(b, 0), greatest(a, b), least(a, b) from t", kind: "select"},
	{name: "json accessors", sql: "select payload->>'id', payload->'a'->'b', jsonb_extract_path_text(payload, 'x') from events where payload ? 'id'", kind: "select"},
	{name: "string functions", sql: "select lower(name), upper(name), concat(a, b), a || b, substring(name from 1 for 3), trim(both ' ' from name), position('a' in name) from t", kind: "select"},
	{name: "extract and at time zone", sql: "select extract(year from created_at), created_at at time zone 'UTC' from t", kind: "select"},
	{name: "like ilike similar between", sql: "select * from t where a like 'x%' and b ilike 'y%' and c similar to 'z' and d between 1 and 2 and e is distinct from f", kind: "select"},
	{name: "filter and within group", sql: "select count(*) filter (where x > 0), percentile_cont(0.5) within group (order by x) from t", kind: "select"},
	{name: "generate_series in from", sql: "select * from generate_series(1, 10) g", kind: "select"},
	{name: "tablesample", sql: "select * from t tablesample bernoulli (10)", kind: "select"},
	{name: "distinct on with limit offset", sql: "select distinct on (a) a, b from t order by a, b desc limit 5 offset 10", kind: "select"},
	{name: "comments", sql: "/* monthly revenue */\nselect 1 -- one\n", kind: "select"},
	{name: "doubled quote", sql: "select 'it''s'", kind: "select"},
	{name: "quoted identifier", sql: `select "Order Id" from "Sales"."Orders"`, kind: "select"},
	{name: "crlf line ends", sql: "select 1 -- x\r\nfrom t\r\n", kind: "select"},
	{name: "warehouse functions", sql: "select iff(a > 0, 1, 0), nvl(b, 0), datediff('day', a, b), dateadd('day', 1, c) from t", kind: "select"},
	{name: "show PostgreSQL", sql: "SHOW search_path", kind: "show"},
	{name: "show all", sql: "show all", kind: "show"},
	{name: "show tables", sql: "SHOW TABLES", kind: "show"},
	{name: "show columns from", sql: "SHOW COLUMNS FROM analytics.orders;", kind: "show"},
	{name: "show tables in", sql: "show tables in database.schema", kind: "show"},
	{name: "describe", sql: "DESCRIBE orders", kind: "describe"},
	{name: "desc table", sql: "desc table analytics.public.orders;", kind: "describe"},
	{name: "explain", sql: "EXPLAIN select * from orders", kind: "explain"},
	{name: "explain analyze of a select", sql: "EXPLAIN ANALYZE select count(*) from orders", kind: "explain"},
	{name: "explain options", sql: "explain (analyze, buffers, format json) select 1", kind: "explain"},
	{name: "explain of a delete is only planned", sql: "EXPLAIN DELETE FROM orders WHERE id = 1", kind: "explain"},
	{name: "catalog helpers", sql: "select pg_size_pretty(pg_total_relation_size('orders')), format_type(atttypid, atttypmod) from pg_attribute", kind: "select"},
	{name: "order by using a built-in operator", sql: "select a from t order by a using >", kind: "select"},
	{name: "pg_catalog-qualified", sql: "select pg_catalog.lower(name), x::pg_catalog.int4 from t", kind: "select"},
	{name: "column definition list", sql: `select * from json_to_record('{"a":1}') as x(a int, b text)`, kind: "select"},
	{name: "multi-byte text", sql: "select 'héllo ü' as \"ñame\", 1 -- ça va\nfrom t", kind: "select"},
	{name: "hash and backtick inside literals", sql: "select '#1 `x` // y', \"a#b\" from t", kind: "select"},
	{name: "string continuation", sql: "select 'a'\n'b', B'01'\n  '10'", kind: "select"},
	{name: "type in regclass cast", sql: "select 'orders'::regclass::oid", kind: "select"},
}

var notReadOnlyCases = []classifyCase{
	// statements that write
	{name: "delete", sql: "DELETE FROM t", reason: "a DELETE statement"},
	{name: "insert", sql: "insert into t values (1)", reason: "an INSERT statement"},
	{name: "update", sql: "update t set a = 1", reason: "UPDATE"},
	{name: "drop", sql: "drop table t", reason: "DROP"},
	{name: "create table as", sql: "create table x as select 1", reason: "CREATE TABLE AS"},
	{name: "set", sql: "set search_path = x", reason: "SET"},
	{name: "begin", sql: "begin", reason: "transaction"},
	{name: "copy", sql: "copy t to stdout", reason: "COPY"},
	{name: "call", sql: "call p()", reason: "CALL"},
	{name: "do", sql: "do 'begin end'", reason: "DO"},
	{name: "empty", sql: "  \n ", reason: "no statement"},
	{name: "only a comment", sql: "-- nothing", reason: "no statement"},
	// data-modifying CTEs, locking, SELECT INTO
	{name: "the comment-quote bypass", sql: "WITH e AS (SELECT 1) --'\n, d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d --'", reason: "comment"},
	{name: "the bypass with a plain comment", sql: "WITH e AS (SELECT 1) -- x\n, d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d", reason: "a data-modifying CTE (DELETE)"},
	{name: "data-modifying CTE", sql: "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d", reason: "a data-modifying CTE (DELETE)"},
	{name: "nested data-modifying CTE", sql: "select * from (with u as (update t set a = 1 returning *) select * from u) s", reason: "a data-modifying CTE (UPDATE)"},
	{name: "insert CTE", sql: "with i as (insert into t values (1) returning *) select 1", reason: "a data-modifying CTE (INSERT)"},
	{name: "for update", sql: "SELECT * FROM t FOR UPDATE", reason: "a locking clause (FOR UPDATE)"},
	{name: "for share", sql: "select * from t for share skip locked", reason: "FOR SHARE"},
	{name: "for no key update", sql: "select * from t for no key update", reason: "FOR NO KEY UPDATE"},
	{name: "for key share in subquery", sql: "select * from (select * from t for key share) s", reason: "FOR KEY SHARE"},
	{name: "lock in share mode", sql: "SELECT * FROM t LOCK IN SHARE MODE", reason: "grammar does not accept"},
	{name: "select into", sql: "SELECT * INTO newt FROM t", reason: "SELECT INTO"},
	// functions with side effects or unknown
	{name: "setval", sql: "select setval('s', 1)", reason: "function setval is not on the side-effect-free list"},
	{name: "nextval", sql: "SELECT nextval('s')", reason: "function nextval"},
	{name: "dblink_exec", sql: "select dblink_exec('dbname=x', 'delete from t')", reason: "dblink_exec"},
	{name: "pg_terminate_backend", sql: "select pg_terminate_backend(pid) from pg_stat_activity", reason: "pg_terminate_backend"},
	{name: "lo_unlink", sql: "select lo_unlink(16400)", reason: "lo_unlink"},
	{name: "pg_drop_replication_slot", sql: "select pg_drop_replication_slot('s')", reason: "pg_drop_replication_slot"},
	{name: "query_to_xml runs SQL text", sql: "select query_to_xml('delete from t returning 1', true, true, '')", reason: "query_to_xml"},
	{name: "set_config", sql: "select set_config('x.y', '1', false)", reason: "set_config"},
	{name: "advisory lock", sql: "select pg_advisory_lock(1)", reason: "pg_advisory_lock"},
	{name: "pg_sleep", sql: "select pg_sleep(10)", reason: "pg_sleep"},
	{name: "user-defined function", sql: "select refresh_stats()", reason: "function refresh_stats"},
	{name: "schema-qualified built-in name", sql: "select public.lower('x')", reason: "function public.lower"},
	{name: "function in where", sql: "select * from t where id = nextval('s')", reason: "nextval"},
	{name: "function in from", sql: "select * from evil()", reason: "function evil"},
	{name: "function in order by", sql: "select a from t order by evil(a)", reason: "evil"},
	{name: "function under explain", sql: "explain select evil(1)", reason: "function evil"},
	{name: "cast to user type", sql: "select 1::mytype", reason: "type mytype"},
	{name: "user operator", sql: "select a === b from t", reason: "operator ==="},
	{name: "qualified operator", sql: "select a operator(public.+) b from t", reason: "operator public.+"},
	{name: "custom tablesample", sql: "select * from t tablesample evil (1)", reason: "TABLESAMPLE"},
	{name: "explain analyze of a delete", sql: "EXPLAIN ANALYZE DELETE FROM t", reason: "EXPLAIN ANALYZE runs the statement"},
	{name: "explain (analyze) of a writing CTE", sql: "explain (analyze) with d as (delete from t returning 1) select 1", reason: "data-modifying CTE"},
	{name: "quoted upper-case function name", sql: `select "LOWER"('x')`, reason: "function LOWER"},
	{name: "quoted upper-case pg_catalog", sql: `select "PG_CATALOG".lower('x')`, reason: "function PG_CATALOG.lower"},
	{name: "quoted upper-case type", sql: `select 1::"INT"`, reason: "type INT"},
	{name: "order by using a user operator", sql: "select a from t order by a using ===", reason: "USING operator ==="},
	{name: "typed literal of a user type", sql: "select mytype 'x'", reason: "type mytype"},
	{name: "record column types", sql: "select * from jsonb_populate_record(null::mytype, '{}')", reason: "type mytype"},
	{name: "Snowflake sequence nextval", sql: "select my_seq.nextval", reason: "NEXTVAL"},
	{name: "qualified sequence nextval", sql: "select db.schema.my_seq.NEXTVAL from t", reason: "NEXTVAL"},
	{name: "Trino query passthrough", sql: "select * from table(system.query(query => 'delete from t'))", reason: ""},
	{name: "Databricks reflect", sql: "select reflect('java.lang.Runtime', 'getRuntime')", reason: "function reflect"},
	{name: "Snowflake system function", sql: "select system$cancel_all_queries(1)", reason: "'$'"},
	{name: "variable substitution", sql: "select '${x}'", reason: "'${'"},
	{name: "string continuation over a quote comment", sql: "select 'a'\n--'\n', (select 1) --'\n'x'", reason: "'--' comment not followed by a space"},
	{name: "string continuation over a spaced quote comment", sql: "select 'a'\n-- '\n', (select 1) -- '\n'x'", reason: "quote"},
	// multiple statements
	{name: "two statements", sql: "select 1; delete from t", reason: "two statements"},
	{name: "two selects", sql: "select 1; select 2", reason: "two statements"},
	{name: "two semicolons", sql: "select 1;;", reason: "two statements"},
	// dialect comment and quoting traps
	{name: "hash comment", sql: "select 1 # comment\n", reason: "'#' outside a literal"},
	{name: "hash hides a statement", sql: "select 1 #\n; delete from t", reason: "'#'"},
	{name: "jsonb #> operator", sql: "select a #> '{b}' from t", reason: "'#'"},
	{name: "double slash comment", sql: "select 1 // x\n", reason: "'//'"},
	{name: "backtick", sql: "select `a` from t", reason: "backtick"},
	{name: "dash dash without space", sql: "select 1 --x\n", reason: "'--' comment not followed by a space"},
	{name: "dash dash then quote", sql: "select 1 --'\n", reason: "'--' comment not followed by a space"},
	{name: "quote in a comment", sql: "select 1 -- it's\n", reason: "quote"},
	{name: "quote in a block comment", sql: "select /* ' */ 1", reason: "quote"},
	{name: "nested block comment", sql: "select 1 /* a /* b */ c */", reason: "nested"},
	{name: "mysql executable comment", sql: "select 1 /*! , sleep(1) */", reason: "executable"},
	{name: "mariadb executable comment", sql: "select 1 /*M! , 2 */", reason: "executable"},
	{name: "optimizer hint", sql: "select /*+ index(t) */ 1 from t", reason: "hint"},
	{name: "backslash in a literal", sql: `select 'a\' , 1`, reason: "backslash in a literal"},
	{name: "backslash in a quoted identifier", sql: `select "a\" from t`, reason: "backslash in a literal"},
	{name: "escape string", sql: `select e'a'`, reason: "E''"},
	{name: "dollar quote", sql: "select $$a$$", reason: "dollar-quoted"},
	{name: "tagged dollar quote", sql: "select $x$a$x$", reason: "dollar-quoted"},
	{name: "dollar in identifier", sql: "select a$$b from t", reason: "'$'"},
	{name: "unicode escape", sql: `select U&'\0041'`, reason: "U&"},
	{name: "triple quote", sql: "select '''a'''", reason: "tripled quote"},
	{name: "lone carriage return", sql: "select 1 -- x\r, 2", reason: "carriage return"},
	{name: "line separator in comment", sql: "select 1 -- x\u2028; delete from t", reason: "line-separator"},
	{name: "NUL byte", sql: "select 1\x00; delete from t", reason: "NUL"},
	{name: "invalid UTF-8", sql: "select '\xff'", reason: "UTF-8"},
	{name: "unterminated string", sql: "select 'a", reason: "grammar does not accept"},
	{name: "unterminated comment", sql: "select 1 /* x", reason: "grammar does not accept"},
	{name: "parse error", sql: "select from where", reason: "grammar does not accept"},
	// narrow non-PostgreSQL forms
	{name: "show with a literal", sql: "SHOW TABLES LIKE 'a%'", reason: "grammar does not accept"},
	{name: "describe a query", sql: "DESCRIBE SELECT * FROM t", reason: "DESCRIBE of something other than a table name"},
	{name: "describe two names", sql: "DESCRIBE HISTORY t", reason: "DESCRIBE"},
	{name: "mysql select into outfile", sql: "select * from t into outfile '/tmp/x'", reason: "grammar does not accept"},
}

func TestClassify(t *testing.T) {
	for _, tt := range readOnlyCases {
		t.Run("ro/"+tt.name, func(t *testing.T) {
			got := Classify(tt.sql)
			assert.True(t, got.ReadOnly, "Classify(%q): got not read-only (%s), want read-only", tt.sql, got.Reason)
			assert.Equal(t, tt.kind, got.Kind, "Classify(%q).Kind: got %q, want %q", tt.sql, got.Kind, tt.kind)
			assert.Empty(t, got.Reason, "Classify(%q).Reason: got %q, want none", tt.sql, got.Reason)
		})
	}
	for _, tt := range notReadOnlyCases {
		t.Run("rw/"+tt.name, func(t *testing.T) {
			got := Classify(tt.sql)
			assert.False(t, got.ReadOnly, "Classify(%q): got read-only (%s), want not read-only", tt.sql, got.Kind)
			assert.Contains(t, got.Reason, tt.reason, "Classify(%q).Reason: got %q, want it to contain %q", tt.sql, got.Reason, tt.reason)
			assert.Empty(t, got.Kind, "Classify(%q).Kind: got %q, want none", tt.sql, got.Kind)
		})
	}
}

func TestWarm(t *testing.T) {
	Warm()
	Warm() // a second call does nothing
	got := Classify("select 1")
	assert.True(t, got.ReadOnly, "Classify after Warm: got %+v, want read-only", got)
}

func TestClassifyConcurrent(t *testing.T) {
	done := make(chan Verdict)
	for range 2 {
		go func() { done <- Classify("with x as (delete from t returning 1) select 1") }()
	}
	for range 2 {
		got := <-done
		assert.Equal(t, "a data-modifying CTE (DELETE)", got.Reason, "concurrent Classify: got reason %q, want the CTE", got.Reason)
	}
}
