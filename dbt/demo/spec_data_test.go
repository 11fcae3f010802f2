package demo

// The demo project: sources, models (prod and PR #42 SQL), tests and
// exposures. spec_test.go turns them into dbt artifacts.

type col struct{ name, typ, desc string }

type source struct {
	sourceName, name, desc string
	cols                   []col
}

type model struct {
	name, schema, mat, dir, desc string
	cols                         []col
	deps                         []string // names of models, or source_name.table
	prodSQL, devSQL              string   // devSQL "" means the same as prod
}

type test struct {
	generic, model, column string
	kwargs                 map[string]any
}

var sources = []source{
	{"jaffle_shop", "orders", "Orders as loaded from the shop's application database by Fivetran.", []col{
		{"id", "NUMBER(38,0)", "Order id"}, {"user_id", "NUMBER(38,0)", "Customer id"}, {"order_date", "DATE", "Date the order was placed"},
		{"status", "VARCHAR(16777216)", "Order status"}, {"_etl_loaded_at", "TIMESTAMP_NTZ(9)", "Load timestamp"}}},
	{"jaffle_shop", "customers", "Customers as loaded from the shop's application database.", []col{
		{"id", "NUMBER(38,0)", "Customer id"}, {"first_name", "VARCHAR(16777216)", "First name"}, {"last_name", "VARCHAR(16777216)", "Last initial"},
		{"email", "VARCHAR(16777216)", "Email address (PII)"}, {"_etl_loaded_at", "TIMESTAMP_NTZ(9)", "Load timestamp"}}},
	{"stripe", "payments", "Payments from the payment processor; amount is in cents.", []col{
		{"id", "NUMBER(38,0)", "Payment id"}, {"order_id", "NUMBER(38,0)", "Order the payment belongs to"},
		{"payment_method", "VARCHAR(16777216)", "credit_card, bank_transfer, coupon or gift_card"}, {"amount", "NUMBER(38,0)", "Amount in cents"},
		{"created_at", "TIMESTAMP_NTZ(9)", "Payment time"}, {"_etl_loaded_at", "TIMESTAMP_NTZ(9)", "Load timestamp"}}},
}

// sourceSchema: every source table is in ANALYTICS.RAW.
var sourceRelation = map[string]string{
	"jaffle_shop.orders":    "ANALYTICS.RAW.orders",
	"jaffle_shop.customers": "ANALYTICS.RAW.customers",
	"stripe.payments":       "ANALYTICS.RAW.payments",
}

var models = []model{
	{name: "stg_orders", schema: "STAGING", mat: "view", dir: "staging", desc: "One row per order, renamed and cleaned from RAW.orders.",
		cols: []col{{"order_id", "NUMBER(38,0)", "Order id"}, {"customer_id", "NUMBER(38,0)", "Customer id"},
			{"order_date", "DATE", "Date the order was placed"}, {"status", "VARCHAR(16777216)", "Order status"}},
		deps: []string{"jaffle_shop.orders"},
		prodSQL: `with source as (

    select * from ANALYTICS.RAW.orders

),

renamed as (

    select
        id as order_id,
        user_id as customer_id,
        order_date,
        status

    from source

)

select * from renamed
`,
		devSQL: `with source as (

    select * from ANALYTICS.RAW.orders

),

renamed as (

    select
        id as order_id,
        user_id as customer_id,
        order_date,
        -- PR #42: return_pending is no longer a status of its own
        case when status = 'return_pending' then 'returned' else status end as status

    from source

    -- PR #42: every 883rd order is a test order
    where mod(id, 883) != 0

)

select * from renamed
`},
	{name: "stg_customers", schema: "STAGING", mat: "view", dir: "staging", desc: "One row per customer.",
		cols: []col{{"customer_id", "NUMBER(38,0)", "Customer id"}, {"first_name", "VARCHAR(16777216)", "First name"},
			{"last_name", "VARCHAR(16777216)", "Last initial"}, {"email", "VARCHAR(16777216)", "Email address (PII)"}},
		deps: []string{"jaffle_shop.customers"},
		prodSQL: `with source as (

    select * from ANALYTICS.RAW.customers

),

renamed as (

    select
        id as customer_id,
        first_name,
        last_name,
        email

    from source

)

select * from renamed
`},
	{name: "stg_payments", schema: "STAGING", mat: "view", dir: "staging", desc: "One row per payment; amount converted from cents to dollars.",
		cols: []col{{"payment_id", "NUMBER(38,0)", "Payment id"}, {"order_id", "NUMBER(38,0)", "Order id"},
			{"payment_method", "VARCHAR(16777216)", "Payment method"}, {"amount", "NUMBER(18,2)", "Amount in dollars"}},
		deps: []string{"stripe.payments"},
		prodSQL: `with source as (

    select * from ANALYTICS.RAW.payments

),

renamed as (

    select
        id as payment_id,
        order_id,
        payment_method,

        -- amount is stored in cents, convert it to dollars
        amount / 100 as amount

    from source

)

select * from renamed
`,
		devSQL: `with source as (

    select * from ANALYTICS.RAW.payments

),

renamed as (

    select
        id as payment_id,
        order_id,
        payment_method,

        -- amount is stored in cents, convert it to dollars;
        -- PR #42: card payments of every 67th order are rounded to whole dollars
        case
            when payment_method = 'credit_card' and mod(order_id, 67) = 0 then round(amount / 100)
            else amount / 100
        end as amount

    from source

)

select * from renamed
`},
	{name: "fct_orders", schema: "MARTS", mat: "table", dir: "marts", desc: "One row per order with its payment totals by method. Source of revenue reporting.",
		cols: []col{{"order_id", "NUMBER(38,0)", "Primary key"}, {"customer_id", "NUMBER(38,0)", "Foreign key to dim_customers"},
			{"order_date", "DATE", "Date the order was placed"}, {"status", "VARCHAR(16777216)", "placed, shipped, completed, return_pending or returned"},
			{"credit_card_amount", "NUMBER(18,2)", "Amount paid by credit card"}, {"coupon_amount", "NUMBER(18,2)", "Amount paid by coupon"},
			{"bank_transfer_amount", "NUMBER(18,2)", "Amount paid by bank transfer"}, {"gift_card_amount", "NUMBER(18,2)", "Amount paid by gift card"},
			{"amount", "NUMBER(18,2)", "Order total in dollars"}},
		deps: []string{"stg_orders", "stg_payments"},
		prodSQL: `with orders as (

    select * from ANALYTICS.STAGING.stg_orders

),

payments as (

    select * from ANALYTICS.STAGING.stg_payments

),

order_payments as (

    select
        order_id,
        sum(case when payment_method = 'credit_card' then amount else 0 end) as credit_card_amount,
        sum(case when payment_method = 'coupon' then amount else 0 end) as coupon_amount,
        sum(case when payment_method = 'bank_transfer' then amount else 0 end) as bank_transfer_amount,
        sum(case when payment_method = 'gift_card' then amount else 0 end) as gift_card_amount,
        sum(amount) as total_amount

    from payments

    group by order_id

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        orders.status,
        order_payments.credit_card_amount,
        order_payments.coupon_amount,
        order_payments.bank_transfer_amount,
        order_payments.gift_card_amount,
        order_payments.total_amount as amount

    from orders

    left join order_payments
        on orders.order_id = order_payments.order_id

)

select * from final
`},
	{name: "dim_customers", schema: "MARTS", mat: "table", dir: "marts", desc: "One row per customer with order history and lifetime value.",
		cols: []col{{"customer_id", "NUMBER(38,0)", "Primary key"}, {"first_name", "VARCHAR(16777216)", "First name"},
			{"last_name", "VARCHAR(16777216)", "Last initial"}, {"email", "VARCHAR(16777216)", "Email address (PII)"},
			{"first_order", "DATE", "Date of the first order"}, {"most_recent_order", "DATE", "Date of the latest order"},
			{"number_of_orders", "NUMBER(38,0)", "Count of orders"}, {"lifetime_value", "NUMBER(18,2)", "Sum of all order amounts"}},
		deps: []string{"stg_customers", "fct_orders"},
		prodSQL: `with customers as (

    select * from ANALYTICS.STAGING.stg_customers

),

orders as (

    select * from ANALYTICS.MARTS.fct_orders

),

customer_orders as (

    select
        customer_id,
        min(order_date) as first_order,
        max(order_date) as most_recent_order,
        count(order_id) as number_of_orders,
        sum(amount) as lifetime_value

    from orders

    group by customer_id

)

select
    customers.customer_id,
    customers.first_name,
    customers.last_name,
    customers.email,
    customer_orders.first_order,
    customer_orders.most_recent_order,
    coalesce(customer_orders.number_of_orders, 0) as number_of_orders,
    coalesce(customer_orders.lifetime_value, 0) as lifetime_value

from customers

left join customer_orders
    on customers.customer_id = customer_orders.customer_id
`},
}

var tests = []test{
	{"unique", "stg_customers", "customer_id", nil},
	{"not_null", "stg_customers", "customer_id", nil},
	{"unique", "stg_orders", "order_id", nil},
	{"not_null", "stg_orders", "order_id", nil},
	{"accepted_values", "stg_orders", "status", map[string]any{"values": []string{"placed", "shipped", "completed", "return_pending", "returned"}}},
	{"unique", "stg_payments", "payment_id", nil},
	{"not_null", "stg_payments", "payment_id", nil},
	{"accepted_values", "stg_payments", "payment_method", map[string]any{"values": []string{"credit_card", "coupon", "bank_transfer", "gift_card"}}},
	{"unique", "fct_orders", "order_id", nil},
	{"not_null", "fct_orders", "order_id", nil},
	{"not_null", "fct_orders", "customer_id", nil},
	{"relationships", "fct_orders", "customer_id", map[string]any{"to": "ref('dim_customers')", "field": "customer_id"}},
	{"not_null", "fct_orders", "amount", nil},
	{"unique", "dim_customers", "customer_id", nil},
	{"not_null", "dim_customers", "customer_id", nil},
}

type exposure struct {
	name, label, typ, desc, owner, email string
	deps                                 []string
}

var exposures = []exposure{
	{"executive_overview", "Executive overview", "dashboard", "Revenue, orders and customers at a glance (Lightdash, Finance space).", "Ana", "ana@jaffle.example", []string{"fct_orders", "dim_customers"}},
	{"marketing_performance", "Marketing performance", "dashboard", "Customer acquisition and value (Lightdash, Marketing space).", "Ana", "ana@jaffle.example", []string{"dim_customers"}},
}
