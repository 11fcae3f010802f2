package server

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the writable "sqlite" driver, to build the sandbox's files

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// The sandbox's own databases: the demo warehouse's jaffle-shop tables,
// production and dev, as two embedded SQLite files (warehouse connections
// sandbox_prod and sandbox_dev), written on first use so start-up does not
// pay for them, and opened read-only like any user's database.

// Names of the sandbox's warehouse connections.
const (
	SandboxProd = "sandbox_prod"
	SandboxDev  = "sandbox_dev"
)

// sandboxDBs writes the sandbox's SQLite files once per server, in a
// directory removed by Server.Close (or left in the temporary directory,
// about 40 MB, when the process is killed).
type sandboxDBs struct {
	once sync.Once
	dir  string
	err  error
}

// remove deletes the files, if they were written.
func (s *sandboxDBs) remove() {
	s.once.Do(func() {}) // no writing after this
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// add registers the sandbox's warehouses on reg.
func (s *sandboxDBs) add(reg *databases.Registry) {
	for _, name := range []string{SandboxProd, SandboxDev} {
		dev := name == SandboxDev
		reg.AddOpener(name, func(ctx context.Context) (*warehouse.Conn, error) {
			s.once.Do(func() { s.dir, s.err = writeSandboxDBs() })
			if s.err != nil {
				return nil, fmt.Errorf("the sandbox's database could not be written: %w", s.err)
			}
			return warehouse.Open(ctx, name, "sqlite://"+filepath.Join(s.dir, map[bool]string{false: "prod.db", true: "dev.db"}[dev]))
		})
	}
}

// writeSandboxDBs writes prod.db and dev.db into a new temporary
// directory.
func writeSandboxDBs() (string, error) {
	dir, err := os.MkdirTemp("", "datastack-sandbox-")
	if err != nil {
		return "", err
	}
	for _, dev := range []bool{false, true} {
		path := filepath.Join(dir, map[bool]string{false: "prod.db", true: "dev.db"}[dev])
		if err := writeDemo(path, dev); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// writeDemo writes the demo tables into the SQLite file at path.
func writeDemo(path string, dev bool) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// A throwaway file written once: no journal, no syncs.
	if _, err := db.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF"); err != nil {
		return err
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range sandbox.DemoTables() {
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, sqliteType(c.Type)))
		}
		if _, err := tx.Exec(fmt.Sprintf("CREATE TABLE %q (%s, PRIMARY KEY (%q))", t.Name, strings.Join(cols, ", "), t.PK)); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		if err := insertRows(tx, t, dev); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	return tx.Commit()
}

// insertBatch is how many rows one INSERT writes.
const insertBatch = 100

// insertRows writes the table's rows, insertBatch to a statement.
func insertRows(tx *sql.Tx, t sandbox.DemoTable, dev bool) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ") + ")"
	full, err := tx.Prepare(fmt.Sprintf("INSERT INTO %q VALUES %s", t.Name, strings.TrimSuffix(strings.Repeat(row+", ", insertBatch), ", ")))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, insertBatch*len(t.Columns))
	n := 0
	err = t.Rows(dev, func(v []any) error {
		args = append(args, v...)
		if n++; n < insertBatch {
			return nil
		}
		_, err := full.Exec(args...)
		args, n = args[:0], 0
		return err
	})
	if err != nil || n == 0 {
		return err
	}
	_, err = tx.Exec(fmt.Sprintf("INSERT INTO %q VALUES %s", t.Name, strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")), args...)
	return err
}

// sqliteType is the SQLite declared type of a warehouse type: SQLite
// keeps the declaration, which the diff engine reads the type family from.
func sqliteType(t string) string {
	u := strings.ToUpper(t)
	switch {
	case strings.HasPrefix(u, "NUMBER(38,0)"), strings.HasPrefix(u, "INT"):
		return "INTEGER"
	case strings.HasPrefix(u, "NUMBER"), strings.HasPrefix(u, "NUMERIC"), strings.HasPrefix(u, "DECIMAL"):
		return "NUMERIC(18,2)"
	case strings.HasPrefix(u, "FLOAT"), strings.HasPrefix(u, "DOUBLE"):
		return "REAL"
	case strings.HasPrefix(u, "TIMESTAMP"):
		return "TIMESTAMP"
	case u == "DATE":
		return "DATE"
	case strings.HasPrefix(u, "BOOL"):
		return "BOOLEAN"
	default:
		return "TEXT"
	}
}
