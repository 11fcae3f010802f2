-- The real-engine corpus of sqlast.Classify. Each entry starts with a marker
-- line and runs to the next one:
--   "-- @ro: …"         must classify read-only and run on PostgreSQL without error;
--   "-- @ro-foreign: …" must classify read-only; another dialect's statement that
--                       PostgreSQL may reject, but never as a write;
--   "-- @rw: …"         must not classify read-only (never run).
-- The test runs every read-only entry inside BEGIN READ ONLY … ROLLBACK on a
-- throwaway PostgreSQL, fails on any write error, and checks that a fingerprint
-- of the schema set up in corpus_test.go is unchanged afterwards.

-- @ro: plain select with limit
select * from orders limit 10
-- @ro: monthly revenue
select date_trunc('month', created_at) m, sum(amount) from analytics.orders group by 1 order by 1
-- @ro: window function
select id, row_number() over (partition by customer_id order by created_at desc) rn, sum(amount) over (order by id) from orders
-- @ro: case
select case when amount > 100 then 'big' else 'small' end as size, count(*) from orders group by 1
-- @ro: casts
select created_at::date, cast(amount as numeric(10,2)), '2024-01-01'::timestamptz, interval '1 day', amount::text from orders
-- @ro: joins
select o.id, c.name from orders o join customers c on c.id = o.customer_id left join payments p on p.id = o.id
-- @ro: subqueries
select * from (select id, amount from orders) s where id in (select id from customers) and exists (select 1 from payments p where p.id = s.id)
-- @ro: set operations
select id from orders union all select id from customers intersect select id from payments except select 3
-- @ro: information_schema
select table_name, column_name, data_type from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position
-- @ro: count distinct
select count(distinct customer_id), count(*) from orders
-- @ro: current_date and now
select current_date, now(), current_timestamp, now() - interval '7 days'
-- @ro: read-only CTE
with recent as (select * from orders where created_at > timestamptz '2024-02-01') select count(*) from recent
-- @ro: materialized CTE
with x as materialized (select 1 as a) select * from x
-- @ro: recursive CTE
with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) select sum(i) from n
-- @ro: values
values (1, 'a'), (2, 'b')
-- @ro: table
TABLE customers
-- @ro: parenthesised
(select 1)
-- @ro: json accessors
select payload->>'id', payload->'a'->'b', jsonb_extract_path_text(payload, 'id') from orders where payload ? 'id'
-- @ro: coalesce, nullif, greatest, least
select coalesce(null, 1), nullif(1, 1), greatest(1, 2), least(1, 2)
-- @ro: string functions
select lower(name), upper(name), concat(name, '!'), name || '?', substring(name from 1 for 3), trim(both ' ' from name), position('u' in name), length(name) from customers
-- @ro: extract and at time zone
select extract(dow from created_at), created_at at time zone 'UTC' from orders
-- @ro: predicates
select * from customers where name like 'c%' or name ilike 'C%' or name similar to 'x%' or id between 1 and 2 or id is distinct from 3
-- @ro: filter and within group
select sum(amount) filter (where amount > 10), percentile_cont(0.5) within group (order by amount) from orders
-- @ro: generate_series
select * from generate_series(1, 5) g
-- @ro: tablesample
select count(*) from orders tablesample bernoulli (50) repeatable (1)
-- @ro: distinct on
select distinct on (customer_id) customer_id, amount from orders order by customer_id, amount desc limit 5 offset 1
-- @ro: comments of every harmless kind
/* monthly revenue */
select 1 -- one
-- @ro: doubled quote
select 'it''s'
-- @ro: quoted identifiers
select "name" as "Customer Name" from "public"."customers"
-- @ro: reading a sequence as a relation
select last_value, is_called from s
-- @ro: large objects seen through the catalog
select count(*) from pg_largeobject_metadata
-- @ro: a view
select * from v
-- @ro: catalog helpers
select pg_size_pretty(pg_total_relation_size('orders')), pg_typeof(1), current_database(), version() is not null
-- @ro: to_char
select to_char(created_at, 'YYYY-MM'), count(*) from orders group by 1 order by 1
-- @ro: exists
select exists (select 1 from orders where amount > 10)
-- @ro: json construction and aggregation
select json_build_object('a', 1), jsonb_agg(id), string_agg(name, ', ' order by name), array_agg(id) from customers
-- @ro: regclass cast
select 'orders'::regclass::oid > 0
-- @ro: pg_catalog-qualified function
select pg_catalog.lower('ABC'), pg_catalog.now() is not null
-- @ro: grouping sets
select customer_id, count(*) from orders group by rollup (customer_id)
-- @ro: lateral
select c.id, x.n from customers c cross join lateral (select count(*) n from orders o where o.customer_id = c.id) x
-- @ro: show a setting
SHOW search_path
-- @ro: show all
show all
-- @ro: explain
EXPLAIN select * from orders
-- @ro: explain analyze of a select
EXPLAIN ANALYZE select count(*) from orders
-- @ro: explain with options
explain (analyze, buffers, format json) select 1
-- @ro: explain of a delete is only planned
EXPLAIN DELETE FROM t WHERE id = 1
-- @ro: explain of an update with a data-modifying CTE is only planned
explain with d as (delete from t returning id) update orders set amount = 0 where id in (select id from d)
-- @ro: a trailing semicolon and comment
select 1; -- done
-- @ro: ORDER BY USING a built-in operator
select id from orders order by id using >
-- @ro: column definition list
select * from json_to_record('{"a":1,"b":"x"}') as x(a int, b text)
-- @ro: string continuation across lines
select 'a'
'b'
-- @ro: multi-byte text
select 'héllo ü' as "ñame", 1 -- ça va
-- @ro: hash, backtick and slashes inside literals
select '#1 `x` // y' as "a#b"
-- @ro-foreign: SHOW TABLES (MySQL, Snowflake, Databricks)
SHOW TABLES
-- @ro-foreign: SHOW COLUMNS FROM
SHOW COLUMNS FROM public.orders
-- @ro-foreign: DESCRIBE
DESCRIBE orders
-- @ro-foreign: DESC TABLE
desc table public.orders;
-- @ro-foreign: Snowflake iff and nvl
select iff(amount > 10, 1, 0), nvl(amount, 0) from orders
-- @ro-foreign: BigQuery safe_divide
select safe_divide(amount, 2) from orders
-- @rw: the bypass: '--' directly followed by a quote ends the checker's comment, not the engine's
WITH e AS (SELECT 1) --'
, d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d --'
-- @rw: the bypass without the quote trick
WITH e AS (SELECT 1) -- a comment
, d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d
-- @rw: data-modifying CTE
WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d
-- @rw: update CTE
with u as (update orders set amount = 0 returning 1) select count(*) from u
-- @rw: insert CTE
with i as (insert into t values (99, 99) returning *) select * from i
-- @rw: data-modifying CTE nested in a subquery
select * from (with d as (delete from t returning *) select * from d) s
-- @rw: setval
select setval('s', 100)
-- @rw: nextval
select nextval('s')
-- @rw: nextval in a where clause
select * from orders where id = nextval('s')
-- @rw: dblink_exec
select dblink_exec('dbname=postgres', 'delete from t')
-- @rw: dblink
select * from dblink('dbname=postgres', 'delete from t returning 1') as x(a int)
-- @rw: pg_terminate_backend
select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid()
-- @rw: lo_unlink
select lo_unlink(oid) from pg_largeobject_metadata
-- @rw: lo_create
select lo_create(0)
-- @rw: lo_import
select lo_import('/etc/hostname')
-- @rw: pg_drop_replication_slot
select pg_drop_replication_slot('slot')
-- @rw: query_to_xml runs SQL text
select query_to_xml('delete from t returning 1', true, true, '')
-- @rw: user-defined function that deletes
select refresh_stats()
-- @rw: user-defined function under a plain EXPLAIN (planning folds immutable functions)
explain select refresh_stats()
-- @rw: built-in name in another schema
select public.lower('x')
-- @rw: set_config
select set_config('statement_timeout', '1', false)
-- @rw: advisory lock
select pg_advisory_lock(1)
-- @rw: notify
select pg_notify('c', 'x')
-- @rw: txid_current assigns a transaction id
select txid_current()
-- @rw: pg_reload_conf
select pg_reload_conf()
-- @rw: pg_switch_wal
select pg_switch_wal()
-- @rw: pg_sleep
select pg_sleep(1)
-- @rw: cast to a user-defined type
select 'happy'::mood
-- @rw: select for update
select * from orders for update
-- @rw: select for share
select * from orders for share
-- @rw: select for no key update
select * from orders for no key update
-- @rw: select for key share nowait
select * from orders for key share nowait
-- @rw: select for update of a table in a subquery
select * from (select * from orders for update of orders skip locked) s
-- @rw: MySQL lock in share mode
select * from orders lock in share mode
-- @rw: select into
select * into orders_copy from orders
-- @rw: select into temp
select 1 as a into temp t2
-- @rw: two statements
select 1; delete from t
-- @rw: table then delete
TABLE t; DELETE FROM t
-- @rw: two semicolons
select 1;;
-- @rw: '#' hides a statement from MySQL's reading
select 1 #
; delete from t
-- @rw: '//' comment (Snowflake)
select 1 // ; delete from t
-- @rw: nested comment: PostgreSQL hides the delete, MySQL runs it
/* /* nested */ delete from t; */ select 1
-- @rw: MySQL executable comment
select 1 /*! ; delete from t */
-- @rw: optimizer hint
select /*+ SeqScan(orders) */ * from orders
-- @rw: quote inside a comment
select 1 -- it's
, ';delete from t; -- '
-- @rw: '--' followed by a digit
select 1 --1
-- @rw: backslash escape: MySQL closes the second string, and the delete is code
select 'a\' , '; delete from t; -- '
-- @rw: backslash in a quoted identifier (a string in MySQL)
select 1 as "a\", '; delete from t; -- '
-- @rw: dollar quote: MySQL reads the quote inside it
select $$ ' $$, '; delete from t; -- '
-- @rw: tagged dollar quote
select $q$ ' $q$, '; delete from t; -- '
-- @rw: E escape string
select e'\'', '; delete from t; -- '
-- @rw: Unicode escape string
select U&'\0027', '; delete from t; -- '
-- @rw: backtick quoting
select 1 as `x'`, '; delete from t; -- `'
-- @rw: triple quote (BigQuery)
select '''a''', '; delete from t; -- '
-- @rw: a '$' in an identifier
select 1 as a$$b
-- @rw: delete
delete from t
-- @rw: truncate
truncate t
-- @rw: copy
copy t to stdout
-- @rw: vacuum
vacuum t
-- @rw: lock table
lock table t
-- @rw: transaction around a delete
begin; delete from t; commit
-- @rw: set role
set role postgres
-- @rw: reset
reset all
-- @rw: listen
listen c
-- @rw: prepare a delete
prepare p as delete from t
-- @rw: call
call p()
-- @rw: do block
do $$begin delete from t; end$$
-- @rw: create table as
create table x as select 1
-- @rw: merge
merge into t using orders o on t.id = o.id when matched then delete
-- @rw: explain analyze of a delete
EXPLAIN ANALYZE DELETE FROM t
-- @rw: explain analyze of a writing CTE
explain (analyze) with d as (delete from t returning 1) select count(*) from d
-- @rw: user-defined operator
select 1 === 2
-- @rw: SHOW with a literal
SHOW TABLES LIKE 'o%'
-- @rw: DESCRIBE of a query (MySQL runs EXPLAIN)
DESCRIBE SELECT * FROM t
-- @rw: MySQL select into outfile
select * from orders into outfile '/tmp/x'
-- @rw: MySQL sleep
select sleep(5)
-- @rw: quoted upper-case PG_CATALOG is a user schema
select "PG_CATALOG".lower('x')
-- @rw: ORDER BY USING a user-defined operator
select id from orders order by id using ===
-- @rw: string continuation over a quote comment
select 'a'
--'
', (select count(*) from t) --'
'x'
-- @rw: a line separator ends the comment in a dialect that honours it
select 1 -- x ; delete from t
-- @rw: Databricks/Hive variable substitution
select '${x}'
-- @rw: Snowflake sequence NEXTVAL as a column reference
select my_seq.nextval
-- @rw: Snowflake system function
select system$cancel_all_queries(1)
-- @rw: Databricks reflect calls Java
select reflect('java.lang.Runtime', 'getRuntime')
-- @rw: Trino query pass-through
select * from table(system.query(query => 'delete from t'))
