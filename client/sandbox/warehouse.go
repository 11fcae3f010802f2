package sandbox

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
)

// The demo warehouse: the classic jaffle-shop dbt project, materialised in
// Snowflake database ANALYTICS twice — production (Datafold data source 1)
// and the dev environment of PR #42 (data source 2) — plus a small BigQuery
// marketing dataset (data source 3). Rows are generated deterministically
// from the row number, so queries, data diffs and Lightdash results agree.
//
// What PR #42 ("Exclude test orders, round card payments") changed in dev:
//   - stg_orders drops test orders (every order_id divisible by 883: 142 rows);
//   - dev was built later, so it has 30 newer orders (ids 125431-125460);
//   - stg_payments rounds credit-card amounts to whole dollars, which changes
//     amount and credit_card_amount of the card orders whose id is divisible
//     by 67 in fct_orders;
//   - status 'return_pending' is mapped to 'returned' (order ids divisible
//     by 587).
//
// dim_customers is identical in both environments.

type column struct {
	Name, Type, Description string
	Nullable                bool
	// From lists the upstream columns this one is computed from, as
	// "SCHEMA.table.column" in the same database.
	From []string
	gen  func(env int, i int) any // value of row i in env (envProd/envDev)
}

type table struct {
	DB, Schema, Name, Description string
	Kind                          string // TABLE or VIEW
	Columns                       []*column
	PK                            string
	rowsFn                        func(env int) []int // row numbers present in env

	rowsMu    sync.Mutex
	rowsCache map[int][]int
}

// rows returns the row numbers present in env (cached; callers must not
// modify the slice).
func (t *table) rows(env int) []int {
	t.rowsMu.Lock()
	defer t.rowsMu.Unlock()
	if r, ok := t.rowsCache[env]; ok {
		return r
	}
	if t.rowsCache == nil {
		t.rowsCache = map[int][]int{}
	}
	r := t.rowsFn(env)
	t.rowsCache[env] = r
	return r
}

func (t *table) path() []string { return []string{t.DB, t.Schema, t.Name} }
func (t *table) fqn() string    { return strings.Join(t.path(), ".") }

func (t *table) column(name string) *column {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

func (t *table) columnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

const (
	envProd = 1
	envDev  = 2
)

const (
	nOrders    = 125430
	nDevExtra  = 30
	nCustomers = 8312
	nPayments  = 139874
)

// warehouse is a set of tables reachable through one Datafold data source.
type warehouse struct {
	Kind     string // snowflake, bigquery
	DefaultD string // default database / project
	Tables   []*table
	env      int
	file     string // its database in the engine (demodb.go)
}

func (w *warehouse) find(parts []string) *table {
	switch len(parts) {
	case 3:
		for _, t := range w.Tables {
			if strings.EqualFold(t.DB, parts[0]) && strings.EqualFold(t.Schema, parts[1]) && strings.EqualFold(t.Name, parts[2]) {
				return t
			}
		}
	case 2:
		return w.find([]string{w.DefaultD, parts[0], parts[1]})
	case 1:
		var found *table
		for _, t := range w.Tables {
			if strings.EqualFold(t.Name, parts[0]) {
				if found != nil {
					return nil // ambiguous
				}
				found = t
			}
		}
		return found
	}
	return nil
}

// hash01 is a deterministic pseudo-random number in [0,1) for (key, i).
func hash01(key string, i int) float64 {
	h := uint64(14695981039346656037) // FNV-1a of key
	for j := 0; j < len(key); j++ {
		h ^= uint64(key[j])
		h *= 1099511628211
	}
	x := h ^ uint64(i)*0x9e3779b97f4a7c15
	// splitmix64 finaliser
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x%1_000_000) / 1_000_000
}

// demoDay is midnight (UTC) of the day the process started. Seeded
// timestamps are relative to it so the demo always looks current; the
// structure of the data does not depend on it.
var demoDay = time.Now().UTC().Truncate(24 * time.Hour)

// baseDay is the first day of order history: the first of the month three
// years before demoDay (orders run until a few weeks ago).
var baseDay = time.Date(demoDay.Year()-3, demoDay.Month(), 1, 0, 0, 0, 0, time.UTC)

var (
	orderDatesOnce sync.Once
	orderDates     []string
)

// orderDate is the date of order i (volume grows over time; cached).
func orderDate(i int) string {
	orderDatesOnce.Do(func() {
		orderDates = make([]string, nOrders+nDevExtra+1)
		days := map[int]string{}
		for j := 1; j < len(orderDates); j++ {
			d := int(math.Sqrt(float64(j)) * 3.05)
			if _, ok := days[d]; !ok {
				days[d] = baseDay.AddDate(0, 0, d).Format("2006-01-02")
			}
			orderDates[j] = days[d]
		}
	})
	if i > 0 && i < len(orderDates) {
		return orderDates[i]
	}
	return baseDay.AddDate(0, 0, int(math.Sqrt(float64(i))*3.05)).Format("2006-01-02")
}

func orderCustomer(i int) int { return (i*7919)%nCustomers + 1 }

var paymentMethods = []string{"credit_card", "credit_card", "credit_card", "credit_card", "credit_card", "bank_transfer", "bank_transfer", "coupon", "gift_card", "credit_card"}

func orderMethod(i int) string { return paymentMethods[int(hash01("method", i)*10)] }

func orderStatus(env, i int) string {
	if i%587 == 0 {
		if env == envDev {
			return "returned"
		}
		return "return_pending"
	}
	r := hash01("status", i)
	switch {
	case r < 0.82:
		return "completed"
	case r < 0.90:
		return "shipped"
	case r < 0.96:
		return "placed"
	default:
		return "returned"
	}
}

// orderAmountCents is the order total in prod, in cents (never whole dollars).
func orderAmountCents(i int) int {
	c := 500 + int(hash01("amount", i)*34000)
	if c%100 == 0 {
		c += 37
	}
	return c
}

func orderAmount(env, i int) float64 {
	c := orderAmountCents(i)
	if env == envDev && i%67 == 0 && orderMethod(i) == "credit_card" {
		return math.Round(float64(c) / 100)
	}
	return float64(c) / 100
}

func methodAmount(method string) func(env, i int) any {
	return func(env, i int) any {
		if orderMethod(i) == method {
			return orderAmount(env, i)
		}
		return 0.0
	}
}

func orderRows(filter bool) func(env int) []int {
	return func(env int) []int {
		n := nOrders
		if env == envDev {
			n += nDevExtra
		}
		out := make([]int, 0, n)
		for i := 1; i <= n; i++ {
			if filter && env == envDev && i%883 == 0 && i <= nOrders {
				continue
			}
			out = append(out, i)
		}
		return out
	}
}

func seqRows(n int) func(env int) []int {
	return func(int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	}
}

var firstNames = []string{"Michael", "Shawn", "Kathleen", "Jimmy", "Katherine", "Sarah", "Martin", "Frank", "Jennifer", "Henry", "Fred", "Amy", "Kathleen", "Steve", "Teresa", "Amanda", "Kimberly", "Johnny", "Virginia", "Anna", "Willie", "Sean", "Mildred", "David", "Victor", "Aaron", "Marie", "Willie", "Howard", "Alan"}
var lastInitials = "ABCDEFGHIJKLMNOPRSTVWY"

func custFirst(i int) string { return firstNames[i%len(firstNames)] }
func custLast(i int) string  { return string(lastInitials[(i*7)%len(lastInitials)]) + "." }
func custEmail(i int) string {
	return fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(custFirst(i)), strings.ToLower(custLast(i)[:1]), i)
}

// customer aggregates (identical in both environments by construction: the
// dev changes only touch orders of... nobody, see dim_customers gen).
func custOrders(i int) int { return 5 + int(hash01("norders", i)*20) }
func custLTV(i int) float64 {
	return math.Round(float64(custOrders(i))*(40+hash01("ltv", i)*120)*100) / 100
}
func custFirstOrder(i int) string {
	return baseDay.AddDate(0, 0, int(hash01("first", i)*700)).Format("2006-01-02")
}
func custLastOrder(i int) string {
	return baseDay.AddDate(0, 0, 700+int(hash01("last", i)*370)).Format("2006-01-02")
}

func loadedAt(i int) string {
	return baseDay.AddDate(0, 0, 1075).Add(time.Duration(i%86400) * time.Second).Format("2006-01-02 15:04:05")
}

func col(name, typ, desc string, gen func(env, i int) any, from ...string) *column {
	return &column{Name: name, Type: typ, Description: desc, gen: gen, From: from}
}

func same(f func(i int) any) func(env, i int) any { return func(_, i int) any { return f(i) } }

// jaffleTables returns the ANALYTICS tables (same definitions for prod and dev).
func jaffleTables() []*table {
	id := same(func(i int) any { return i })
	rawOrders := &table{DB: "ANALYTICS", Schema: "RAW", Name: "orders", Kind: "TABLE", PK: "id",
		Description: "Orders as loaded from the shop's application database by Fivetran.",
		rowsFn:      orderRows(false),
		Columns: []*column{
			col("id", "NUMBER(38,0)", "Order id", id),
			col("user_id", "NUMBER(38,0)", "Customer id", same(func(i int) any { return orderCustomer(i) })),
			col("order_date", "DATE", "Date the order was placed", same(func(i int) any { return orderDate(i) })),
			col("status", "VARCHAR(16777216)", "Order status", func(_, i int) any { return orderStatus(envProd, i) }),
			col("_etl_loaded_at", "TIMESTAMP_NTZ(9)", "Load timestamp", same(func(i int) any { return loadedAt(i) })),
		}}
	rawCustomers := &table{DB: "ANALYTICS", Schema: "RAW", Name: "customers", Kind: "TABLE", PK: "id",
		Description: "Customers as loaded from the shop's application database.",
		rowsFn:      seqRows(nCustomers),
		Columns: []*column{
			col("id", "NUMBER(38,0)", "Customer id", id),
			col("first_name", "VARCHAR(16777216)", "First name", same(func(i int) any { return custFirst(i) })),
			col("last_name", "VARCHAR(16777216)", "Last initial", same(func(i int) any { return custLast(i) })),
			col("email", "VARCHAR(16777216)", "Email address (PII)", same(func(i int) any { return custEmail(i) })),
			col("_etl_loaded_at", "TIMESTAMP_NTZ(9)", "Load timestamp", same(func(i int) any { return loadedAt(i) })),
		}}
	rawPayments := &table{DB: "ANALYTICS", Schema: "RAW", Name: "payments", Kind: "TABLE", PK: "id",
		Description: "Payments from the payment processor; amount is in cents.",
		rowsFn:      seqRows(nPayments),
		Columns: []*column{
			col("id", "NUMBER(38,0)", "Payment id", id),
			col("order_id", "NUMBER(38,0)", "Order the payment belongs to", same(func(i int) any { return (i-1)%nOrders + 1 })),
			col("payment_method", "VARCHAR(16777216)", "credit_card, bank_transfer, coupon or gift_card", same(func(i int) any { return orderMethod((i-1)%nOrders + 1) })),
			col("amount", "NUMBER(38,0)", "Amount in cents", same(func(i int) any { return orderAmountCents((i-1)%nOrders + 1) })),
			col("created_at", "TIMESTAMP_NTZ(9)", "Payment time", same(func(i int) any { return orderDate((i-1)%nOrders+1) + " 12:00:00" })),
			col("_etl_loaded_at", "TIMESTAMP_NTZ(9)", "Load timestamp", same(func(i int) any { return loadedAt(i) })),
		}}
	stgOrders := &table{DB: "ANALYTICS", Schema: "STAGING", Name: "stg_orders", Kind: "VIEW", PK: "order_id",
		Description: "One row per order, renamed and cleaned from RAW.orders.",
		rowsFn:      orderRows(true),
		Columns: []*column{
			col("order_id", "NUMBER(38,0)", "Order id", id, "RAW.orders.id"),
			col("customer_id", "NUMBER(38,0)", "Customer id", same(func(i int) any { return orderCustomer(i) }), "RAW.orders.user_id"),
			col("order_date", "DATE", "Date the order was placed", same(func(i int) any { return orderDate(i) }), "RAW.orders.order_date"),
			col("status", "VARCHAR(16777216)", "Order status", func(env, i int) any { return orderStatus(env, i) }, "RAW.orders.status"),
		}}
	stgCustomers := &table{DB: "ANALYTICS", Schema: "STAGING", Name: "stg_customers", Kind: "VIEW", PK: "customer_id",
		Description: "One row per customer.",
		rowsFn:      seqRows(nCustomers),
		Columns: []*column{
			col("customer_id", "NUMBER(38,0)", "Customer id", id, "RAW.customers.id"),
			col("first_name", "VARCHAR(16777216)", "First name", same(func(i int) any { return custFirst(i) }), "RAW.customers.first_name"),
			col("last_name", "VARCHAR(16777216)", "Last initial", same(func(i int) any { return custLast(i) }), "RAW.customers.last_name"),
			col("email", "VARCHAR(16777216)", "Email address (PII)", same(func(i int) any { return custEmail(i) }), "RAW.customers.email"),
		}}
	stgPayments := &table{DB: "ANALYTICS", Schema: "STAGING", Name: "stg_payments", Kind: "VIEW", PK: "payment_id",
		Description: "One row per payment; amount converted from cents to dollars.",
		rowsFn:      seqRows(nPayments),
		Columns: []*column{
			col("payment_id", "NUMBER(38,0)", "Payment id", id, "RAW.payments.id"),
			col("order_id", "NUMBER(38,0)", "Order id", same(func(i int) any { return (i-1)%nOrders + 1 }), "RAW.payments.order_id"),
			col("payment_method", "VARCHAR(16777216)", "Payment method", same(func(i int) any { return orderMethod((i-1)%nOrders + 1) }), "RAW.payments.payment_method"),
			col("amount", "NUMBER(18,2)", "Amount in dollars", func(env, i int) any {
				o := (i-1)%nOrders + 1
				if i > nOrders {
					return float64(orderAmountCents(o)) / 100
				}
				return orderAmount(env, o)
			}, "RAW.payments.amount"),
		}}
	fctOrders := &table{DB: "ANALYTICS", Schema: "MARTS", Name: "fct_orders", Kind: "TABLE", PK: "order_id",
		Description: "One row per order with its payment totals by method. Source of revenue reporting.",
		rowsFn:      orderRows(true),
		Columns: []*column{
			col("order_id", "NUMBER(38,0)", "Primary key", id, "STAGING.stg_orders.order_id"),
			col("customer_id", "NUMBER(38,0)", "Foreign key to dim_customers", same(func(i int) any { return orderCustomer(i) }), "STAGING.stg_orders.customer_id"),
			col("order_date", "DATE", "Date the order was placed", same(func(i int) any { return orderDate(i) }), "STAGING.stg_orders.order_date"),
			col("status", "VARCHAR(16777216)", "placed, shipped, completed, return_pending or returned", func(env, i int) any { return orderStatus(env, i) }, "STAGING.stg_orders.status"),
			col("credit_card_amount", "NUMBER(18,2)", "Amount paid by credit card", methodAmount("credit_card"), "STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"),
			col("coupon_amount", "NUMBER(18,2)", "Amount paid by coupon", methodAmount("coupon"), "STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"),
			col("bank_transfer_amount", "NUMBER(18,2)", "Amount paid by bank transfer", methodAmount("bank_transfer"), "STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"),
			col("gift_card_amount", "NUMBER(18,2)", "Amount paid by gift card", methodAmount("gift_card"), "STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"),
			col("amount", "NUMBER(18,2)", "Order total in dollars", func(env, i int) any { return orderAmount(env, i) }, "STAGING.stg_payments.amount"),
		}}
	dimCustomers := &table{DB: "ANALYTICS", Schema: "MARTS", Name: "dim_customers", Kind: "TABLE", PK: "customer_id",
		Description: "One row per customer with order history and lifetime value.",
		rowsFn:      seqRows(nCustomers),
		Columns: []*column{
			col("customer_id", "NUMBER(38,0)", "Primary key", id, "STAGING.stg_customers.customer_id"),
			col("first_name", "VARCHAR(16777216)", "First name", same(func(i int) any { return custFirst(i) }), "STAGING.stg_customers.first_name"),
			col("last_name", "VARCHAR(16777216)", "Last initial", same(func(i int) any { return custLast(i) }), "STAGING.stg_customers.last_name"),
			col("email", "VARCHAR(16777216)", "Email address (PII)", same(func(i int) any { return custEmail(i) }), "STAGING.stg_customers.email"),
			col("first_order", "DATE", "Date of the first order", same(func(i int) any { return custFirstOrder(i) }), "MARTS.fct_orders.order_date"),
			col("most_recent_order", "DATE", "Date of the latest order", same(func(i int) any { return custLastOrder(i) }), "MARTS.fct_orders.order_date"),
			col("number_of_orders", "NUMBER(38,0)", "Count of orders", same(func(i int) any { return custOrders(i) }), "MARTS.fct_orders.order_id"),
			col("lifetime_value", "NUMBER(18,2)", "Sum of all order amounts", same(func(i int) any { return custLTV(i) }), "MARTS.fct_orders.amount"),
		}}
	return []*table{rawOrders, rawCustomers, rawPayments, stgOrders, stgCustomers, stgPayments, fctOrders, dimCustomers}
}

var channels = []string{"google_ads", "meta", "newsletter", "tiktok"}

func marketingTables() []*table {
	return []*table{
		{DB: "jaffle-marketing", Schema: "marketing", Name: "ad_spend", Kind: "TABLE", PK: "id",
			Description: "Daily ad spend per channel and campaign.", rowsFn: seqRows(4380),
			Columns: []*column{
				col("id", "INT64", "Row id", same(func(i int) any { return i })),
				col("date", "DATE", "Spend date", same(func(i int) any { return baseDay.AddDate(0, 0, (i-1)/3).Format("2006-01-02") })),
				col("channel", "STRING", "Ad channel", same(func(i int) any { return channels[i%len(channels)] })),
				col("campaign_id", "INT64", "Campaign", same(func(i int) any { return i%12 + 1 })),
				col("spend_usd", "NUMERIC", "Spend in USD", same(func(i int) any { return math.Round((50+hash01("spend", i)*900)*100) / 100 })),
			}},
		{DB: "jaffle-marketing", Schema: "marketing", Name: "campaigns", Kind: "TABLE", PK: "campaign_id",
			Description: "Marketing campaigns.", rowsFn: seqRows(12),
			Columns: []*column{
				col("campaign_id", "INT64", "Campaign id", same(func(i int) any { return i })),
				col("name", "STRING", "Campaign name", same(func(i int) any {
					return []string{"Spring brunch", "Summer sandwiches", "Back to school", "Holiday jaffles"}[(i-1)%4] + fmt.Sprintf(" %d", 2022+(i-1)/4)
				})),
				col("channel", "STRING", "Main channel", same(func(i int) any { return channels[i%len(channels)] })),
				col("started_at", "TIMESTAMP", "Start", same(func(i int) any { return baseDay.AddDate(0, (i-1)*3, 0).Format(time.RFC3339) })),
			}},
	}
}

// warehouses by Datafold data source id (1 prod, 2 dev, 3 BigQuery).
var (
	warehousesOnce sync.Once
	warehouses     map[int]*warehouse
)

func warehouseFor(dsID int) *warehouse {
	warehousesOnce.Do(func() {
		jt := jaffleTables()
		warehouses = map[int]*warehouse{
			1: {Kind: "snowflake", DefaultD: "ANALYTICS", Tables: jt, env: envProd, file: dbProd},
			2: {Kind: "snowflake", DefaultD: "ANALYTICS", Tables: jt, env: envDev, file: dbDev},
			3: {Kind: "bigquery", DefaultD: "jaffle-marketing", Tables: marketingTables(), env: envProd, file: dbMarketing},
		}
	})
	return warehouses[dsID]
}

// parsePath splits a dotted table/column path, honouring double-quoted parts.
func parsePath(s string) []string { return client.SplitTablePath(s) }

// quotePart quotes a path part when it needs it.
func quotePart(p string) string { return client.QuotePathPart(p) }
