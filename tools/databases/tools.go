package databases

import (
	"context"

	"github.com/datastack-mcp/datastack-mcp/sqlast"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// Provider and toolset of the database tools.
const (
	Provider = "warehouse"
	Toolset  = "warehouse"
)

// Names of the database tools.
const (
	ListTablesName    = "warehouse_list_tables"
	DescribeTableName = "warehouse_describe_table"
	QueryName         = "warehouse_query"
)

// MaxQueryRows bounds warehouse_query's max_rows.
const MaxQueryRows = 1000

type listArgs struct {
	Warehouse string `json:"warehouse" jsonschema_description:"Warehouse connection name."`
	Schema    string `json:"schema,omitempty" jsonschema_description:"Only this schema."`
}

type describeArgs struct {
	Warehouse string `json:"warehouse" jsonschema_description:"Warehouse connection name."`
	Table     string `json:"table" jsonschema_description:"schema.table, or table."`
}

type queryArgs struct {
	Warehouse string `json:"warehouse" jsonschema_description:"Warehouse connection name."`
	SQL       string `json:"sql" jsonschema_description:"One read-only query (SELECT, WITH … SELECT, SHOW, EXPLAIN)."`
	MaxRows   int    `json:"max_rows,omitempty" jsonschema:"minimum=1,maximum=1000" jsonschema_description:"Most rows returned (default 100)."`
}

// Tools returns the database tools over reg, with the connection names in
// their schemas' descriptions.
func Tools(reg *Registry) ([]*tools.Tool, error) {
	ann := tools.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}
	spec := func(name, title, desc string) tools.Spec {
		return tools.Spec{Name: name, Provider: Provider, Toolset: Toolset, Title: title, Description: desc, Annotations: ann}
	}
	list, err := tools.New(spec(ListTablesName, "List warehouse tables",
		"List the tables and views of one of your own databases (a warehouse connection), with row counts; read only."),
		func(ctx context.Context, d *tools.Deps, a listArgs) *tools.Result {
			c, bad := conn(ctx, reg, ListTablesName, a.Warehouse)
			if bad != nil {
				return bad
			}
			tables, err := c.ListTables(ctx, a.Schema)
			if err != nil {
				return tools.ErrorResult("%s: %v", ListTablesName, err)
			}
			return tools.JSONResult(map[string]any{"warehouse": a.Warehouse, "engine": c.Engine(), "tables": tables})
		})
	if err != nil {
		return nil, err
	}
	describe, err := tools.New(spec(DescribeTableName, "Describe a warehouse table",
		"Describe a table of one of your own databases: columns with types, nullability, and primary and unique keys (what diff_tables needs as primary_key)."),
		func(ctx context.Context, d *tools.Deps, a describeArgs) *tools.Result {
			c, bad := conn(ctx, reg, DescribeTableName, a.Warehouse)
			if bad != nil {
				return bad
			}
			info, err := c.Describe(ctx, a.Table)
			if err != nil {
				return tools.ErrorResult("%s: %v", DescribeTableName, err)
			}
			return tools.JSONResult(info)
		})
	if err != nil {
		return nil, err
	}
	query, err := tools.New(spec(QueryName, "Query a warehouse",
		"Run one read-only SQL query on one of your own databases and get at most max_rows rows; anything that could change data is refused."),
		func(ctx context.Context, d *tools.Deps, a queryArgs) *tools.Result {
			if v := sqlast.Classify(a.SQL); !v.ReadOnly {
				return tools.ErrorResult("%s: only read-only queries run here, and this one is not: %s. Rewrite it as one plain SELECT.", QueryName, v.Reason)
			}
			c, bad := conn(ctx, reg, QueryName, a.Warehouse)
			if bad != nil {
				return bad
			}
			n := a.MaxRows
			if n <= 0 {
				n = 100
			}
			res, err := c.Query(ctx, a.SQL, min(n, MaxQueryRows))
			if err != nil {
				if warehouse.ReadOnlyViolation(err) {
					return tools.ErrorResult("%s: the database refused it as a write (connections are read-only): %v", QueryName, err)
				}
				return tools.ErrorResult("%s: %v", QueryName, err)
			}
			return tools.JSONResult(res)
		})
	if err != nil {
		return nil, err
	}
	return []*tools.Tool{list, describe, query}, nil
}

// conn returns the named connection, or the error result of a tool.
func conn(ctx context.Context, reg *Registry, tool, name string) (*warehouse.Conn, *tools.Result) {
	c, err := reg.Conn(ctx, name)
	if err != nil {
		return nil, tools.ErrorResult("%s: %v", tool, err)
	}
	return c, nil
}
