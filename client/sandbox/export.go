package sandbox

import (
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
)

// DemoTable is one table of the demo warehouse (the jaffle shop), for an
// embedded database engine to hold: the same deterministic rows the
// Datafold emulation serves, production's or dev's.
type DemoTable struct {
	// Name is the table's relation name as dbt builds it (raw tables
	// prefixed raw_: raw_orders).
	Name string
	// PK is the primary key column.
	PK      string
	Columns []DemoColumn
	t       *table
}

// DemoColumn is one column of a DemoTable.
type DemoColumn struct {
	Name string
	// Type is the warehouse's (Snowflake's) type, e.g. NUMBER(38,0).
	Type string
}

// DemoTables lists the demo warehouse's tables.
func DemoTables() []DemoTable {
	var out []DemoTable
	for _, t := range jaffleTables() {
		name := t.Name
		if strings.EqualFold(t.Schema, "RAW") {
			name = "raw_" + name
		}
		dt := DemoTable{Name: strings.ToLower(name), PK: t.PK, t: t}
		for _, c := range t.Columns {
			dt.Columns = append(dt.Columns, DemoColumn{Name: c.Name, Type: c.Type})
		}
		out = append(out, dt)
	}
	return out
}

// Rows calls yield with each row of the table in production or, when dev,
// in the dev build of PR #42, values in column order; it stops at the
// first error yield returns.
func (d DemoTable) Rows(dev bool, yield func(values []any) error) error {
	env := envProd
	if dev {
		env = envDev
	}
	vals := make([]any, len(d.t.Columns))
	for _, i := range d.t.rows(env) {
		for j, c := range d.t.Columns {
			vals[j] = c.gen(env, i)
		}
		if err := yield(vals); err != nil {
			return err
		}
	}
	return nil
}

// Credentials the sandbox accepts: any, so these only need to be unlike
// any word an answer holds (a client scrubs its own credentials from
// what it returns).
const (
	APIKey   = "sandbox-api-key-not-secret"
	Username = "sandbox-user"
	Password = "sandbox-password-not-secret"
)

// ClientConfig is the configuration of a client of provider that talks to
// s: its base URL, its transport and the sandbox's credentials. Callers
// set timeouts, retries and logging.
func (s *Sandbox) ClientConfig(provider string) client.Config {
	cfg := client.Config{Provider: provider, BaseURL: BaseURL(provider), Transport: s.Transport()}
	if provider == client.PDC {
		cfg.Username, cfg.Password = Username, Password
	} else {
		cfg.APIKey = APIKey
	}
	return cfg
}
