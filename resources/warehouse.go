package resources

import (
	"context"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// The warehouse catalog as resources: the user's database connections
// (WAREHOUSE_DSN, the config file's warehouse.connections, the sandbox's
// sandbox_prod and sandbox_dev), read through the same registry and
// engine as warehouse_list_tables and warehouse_describe_table, in
// read-only transactions.
//
//	warehouse://{connection}                  schemas and their tables (no row counts)
//	warehouse://{connection}/{schema}         a schema's tables with row counts
//	warehouse://{connection}/{schema}/{table} columns, types, keys, row count

func init() {
	backing := []string{databases.ListTablesName, databases.DescribeTableName}
	routes = append(routes,
		&route{provider: databases.Provider, path: "", listed: true, backing: backing, read: readWarehouse,
			name: "warehouse-connection", title: "Warehouse catalog",
			description: "The schemas of one of your own databases (a warehouse connection) and their tables and views, each with its URI; read only."},
		&route{provider: databases.Provider, path: "{schema}", backing: backing, read: readWarehouseSchema,
			name: "warehouse-schema", title: "Warehouse schema",
			description: "The tables and views of one schema of a warehouse connection, with row counts (PostgreSQL's estimate, SQLite's exact count)."},
		&route{provider: databases.Provider, path: "{schema}/{table}", backing: backing, read: readWarehouseTable,
			name: "warehouse-table", title: "Warehouse table",
			description: "One table or view of a warehouse connection: its columns with types, nullability and primary key, its unique keys (what diff_tables needs as primary_key) and its row count."},
	)
}

// whTableEntry is a table in a listing, with its URI.
type whTableEntry struct {
	warehouse.Table
	URI string `json:"uri"`
}

// whSchemaEntry is a schema of warehouse://{connection}.
type whSchemaEntry struct {
	Name   string   `json:"name"`
	URI    string   `json:"uri"`
	Tables []string `json:"tables"`
}

func readWarehouse(ctx context.Context, c *Catalog, v map[string]string) (any, error) {
	name := v["connection"]
	conn, err := c.opts.Warehouses.Conn(ctx, name)
	if err != nil {
		return nil, err
	}
	schemas, err := conn.ListSchemas(ctx)
	if err != nil {
		return nil, err
	}
	tables, err := conn.ListTableNames(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string]any{"connection": name, "engine": conn.Engine(), "table_count": len(tables)}
	shown, cut := clipped(tables, maxEngineItems)
	var list []whSchemaEntry
	for _, s := range schemas {
		e := whSchemaEntry{Name: s, URI: engineURI(databases.Provider, name, s), Tables: []string{}}
		for _, t := range shown {
			if t.Schema == s {
				e.Tables = append(e.Tables, t.Name)
			}
		}
		list = append(list, e)
	}
	out["schemas"] = list
	out["table_uri"] = "warehouse://" + name + "/{schema}/{table}"
	if cut {
		out["truncated"] = true
		out["note"] = "only the first tables are named; read a schema's URI for all of its tables"
	}
	return out, nil
}

func readWarehouseSchema(ctx context.Context, c *Catalog, v map[string]string) (any, error) {
	name := v["connection"]
	conn, schema, err := c.warehouseSchema(ctx, name, v["schema"])
	if err != nil {
		return nil, err
	}
	tables, err := conn.ListTables(ctx, schema)
	if err != nil {
		return nil, err
	}
	shown, cut := clipped(tables, maxEngineItems)
	list := make([]whTableEntry, len(shown))
	for i, t := range shown {
		list[i] = whTableEntry{Table: t, URI: engineURI(databases.Provider, name, t.Schema, t.Name)}
	}
	out := map[string]any{"connection": name, "engine": conn.Engine(), "schema": schema, "table_count": len(tables), "tables": list}
	if cut {
		out["truncated"] = true
	}
	return out, nil
}

func readWarehouseTable(ctx context.Context, c *Catalog, v map[string]string) (any, error) {
	name := v["connection"]
	conn, schema, err := c.warehouseSchema(ctx, name, v["schema"])
	if err != nil {
		return nil, err
	}
	tables, err := conn.ListTableNames(ctx, schema)
	if err != nil {
		return nil, err
	}
	table, names := "", []string{}
	for _, t := range tables {
		names = append(names, t.Name)
		if t.Name == v["table"] || table == "" && strings.EqualFold(t.Name, v["table"]) {
			table = t.Name
		}
	}
	if table == "" {
		return nil, notFound("schema %s of warehouse connection %s has no table %q; %s", schema, name, v["table"], warehouse.Nearby("tables", v["table"], names))
	}
	d, err := conn.DescribeTable(ctx, schema, table)
	if err != nil {
		return nil, err
	}
	return struct {
		Connection string `json:"connection"`
		Engine     string `json:"engine"`
		*warehouse.TableDetail
	}{name, conn.Engine(), d}, nil
}

// warehouseSchema opens a connection and finds a schema of it (exactly,
// else ignoring case).
func (c *Catalog) warehouseSchema(ctx context.Context, name, schema string) (*warehouse.Conn, string, error) {
	conn, err := c.opts.Warehouses.Conn(ctx, name)
	if err != nil {
		return nil, "", err
	}
	schemas, err := conn.ListSchemas(ctx)
	if err != nil {
		return nil, "", err
	}
	found := ""
	for _, s := range schemas {
		if s == schema || found == "" && strings.EqualFold(s, schema) {
			found = s
		}
	}
	if found == "" {
		return nil, "", notFound("warehouse connection %s has no schema %q; %s", name, schema, warehouse.Nearby("schemas", schema, schemas))
	}
	return conn, found, nil
}

// warehouseCandidates completes a schema, or a table (of the chosen
// schema, else of every schema), of a warehouse connection. Completing
// opens the connection; what fails completes nothing.
func (c *Catalog) warehouseCandidates(ctx context.Context, name, arg string, chosen map[string]string) []candidate {
	key := "warehouse/" + name + "/" + arg + "/" + chosen["schema"]
	if v, ok := c.cache.get(key); ok {
		return v.([]candidate)
	}
	conn, err := c.opts.Warehouses.Conn(ctx, name)
	if err != nil {
		return nil
	}
	var out []candidate
	switch arg {
	case "schema":
		schemas, err := conn.ListSchemas(ctx)
		if err != nil {
			return nil
		}
		out = plain(schemas...)
	case "table":
		schema := ""
		if chosen["schema"] != "" {
			if _, s, err := c.warehouseSchema(ctx, name, chosen["schema"]); err == nil {
				schema = s
			}
		}
		tables, err := conn.ListTableNames(ctx, schema)
		if err != nil {
			return nil
		}
		for _, t := range tables {
			out = append(out, candidate{t.Name, t.Schema + "." + t.Name})
		}
	default:
		return nil
	}
	c.cache.put(key, out)
	return out
}
