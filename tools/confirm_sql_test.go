package tools

import "testing"

func TestReadOnlySQL(t *testing.T) {
	cases := []struct {
		q    string
		want bool
	}{
		{"SELECT 1", true},
		{"select * from ANALYTICS.MARTS.fct_orders limit 10;", true},
		{"  -- the orders\n  SELECT order_id, amount FROM fct_orders WHERE status = 'completed'", true},
		{"/* count */ select count(*) from orders", true},
		{"WITH x AS (SELECT 1 AS a) SELECT a FROM x", true},
		{"(SELECT 1) UNION ALL (SELECT 2)", true},
		{"SHOW TABLES IN SCHEMA ANALYTICS.MARTS", true},
		{"DESCRIBE TABLE ANALYTICS.MARTS.fct_orders", true},
		{"desc table orders", true},
		{"EXPLAIN SELECT * FROM orders", true},
		{"SELECT updated_at, deleted_flag, 'DROP TABLE x' AS s FROM orders", true},
		{`SELECT "delete" FROM t`, true},
		{"SELECT 'it''s' AS s", true},
		{"SELECT * FROM t WHERE id = $1", true},
		{"select 1 -- ; drop table x", true},

		{"", false},
		{"   ;  ", false},
		{"DELETE FROM orders", false},
		{"DROP TABLE orders", false},
		{"UPDATE orders SET amount = 0", false},
		{"INSERT INTO t VALUES (1)", false},
		{"SELECT 1; DROP TABLE orders", false},
		{"SELECT 1; SELECT 2", false},
		{"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", false},
		{"SELECT * INTO new_table FROM t", false},
		{"SELECT * FROM t FOR UPDATE", false},
		{"CREATE TABLE x AS SELECT 1", false},
		{"GRANT SELECT ON t TO r", false},
		{"SET search_path = x", false},
		{"USE WAREHOUSE big", false},
		{"CALL proc()", false},
		{"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", false},
		{"COPY INTO @stage FROM t", false},
		{"EXPLAIN ANALYZE DELETE FROM t", false},
		{"SELECT 'unterminated", false},
		{"SELECT 1 /* unterminated", false},
		// Dialect-dependent readings are not read-only.
		{`SELECT 'a\'; DROP TABLE x; --'`, false},
		{"SELECT $$ ; DROP TABLE x; $$", false},
		{"SELECT 1 /*! ; DROP TABLE x */", false},
		{"SELECT 1 --1; DROP TABLE x", false},
		{"SELECT 1 # ; DROP TABLE x", false},
	}
	for _, tc := range cases {
		if got := ReadOnlySQL(tc.q); got != tc.want {
			t.Errorf("ReadOnlySQL(%q) got %v, want %v", tc.q, got, tc.want)
		}
	}
}
