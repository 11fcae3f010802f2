package pgwasm

import "testing"

// benchSQL is the size of a typical dbt model: a CTE, a join, a window and
// a group by.
const benchSQL = `with orders as (
  select o.id, o.customer_id, o.ordered_at, sum(i.amount) as amount
  from raw.orders o join raw.order_items i on i.order_id = o.id
  where o.status not in ('cancelled', 'returned')
  group by 1, 2, 3
)
select c.id, c.name, count(*) as orders, sum(o.amount) as lifetime_value,
  row_number() over (partition by c.region order by sum(o.amount) desc) as rank
from raw.customers c left join orders o on o.customer_id = c.id
group by c.id, c.name, c.region`

// The benchmarks measure a warm parser: the compile (or the disk cache's
// load) is paid before the timer starts.

func BenchmarkParse(b *testing.B) {
	benchmark(b, func() error { _, err := Parse(benchSQL); return err })
}

// BenchmarkParseError is the longjmp path: PostgreSQL's ereport unwinding
// to the checkpoint pg_query_parse_protobuf set.
func BenchmarkParseError(b *testing.B) {
	benchmark(b, func() error {
		if _, err := Parse("select from from"); err == nil {
			b.Fatal("no syntax error")
		}
		return nil
	})
}

func BenchmarkScan(b *testing.B) {
	benchmark(b, func() error { _, err := Scan(benchSQL); return err })
}

func benchmark(b *testing.B, parse func() error) {
	if err := Compile(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := parse(); err != nil {
			b.Fatal(err)
		}
	}
}
