package sqllineage

import (
	"testing"
)

// FuzzAnalyze: whatever the grammar accepts, the analysis answers without
// panicking (go test ./dbt/sqllineage -fuzz FuzzAnalyze).
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		`select a, b from t1`,
		`with recursive r(n) as (select 1 union all select n + 1 from r) select * from r`,
		`select * from t1 natural join t2 join (select 1 as x) s using (x)`,
		`select t.*, (select max(c) from t2 where t2.d = t.a) from t1 t, lateral unnest(t.b) u`,
		`select sum(a) over w, b from t1 window w as (partition by b order by a) order by 1`,
		`select * from (values (1), (2)) v(x) union select 3 except select a from t1`,
		`select a.b.c.d, x::int[], array(select 1), exists(select * from t2) from a.b.c`,
		`with x as (select * from x) select * from x`,
		`select row(t1.*), count(*) filter (where a > 0) from t1 group by rollup (a)`,
	} {
		f.Add(s)
	}
	cat := testCatalog()
	f.Fuzz(func(t *testing.T, sql string) {
		res, err := Analyze(sql, cat)
		if err == nil && res == nil {
			t.Fatal("no result and no error")
		}
	})
}
