package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the writable "sqlite" driver, to write the demo files

	wh "github.com/datastack-mcp/datastack-mcp/warehouse"
)

// The demo warehouse in an embedded engine: each environment's tables
// (production, the dev build of PR #42, the BigQuery marketing dataset) as
// one SQLite file, written on first use (a second or so and about 30 MB
// each) and kept in the user's cache directory under a digest of what it
// holds, so the next process finds it (democache.go; a directory of this
// process's own when the cache cannot be written), and read through package
// warehouse like any user's database: read-only, with a statement timeout
// and a row cap. The Datafold emulation's SQL and data diffs, Lightdash's
// SQL runner and metric queries, and --sandbox's warehouse connections
// (OpenDemoWarehouse) all run on these files, so they agree. The files are
// shared by every Sandbox of the process: the rows are deterministic.
//
// Nothing is written before something needs the engine (creating a
// Sandbox writes nothing). A process's own directory is named after the
// process; its first write removes the directories of processes that no
// longer run, so at most one set of files per running process is left
// behind.

// Databases of the demo warehouse.
const (
	dbProd      = "prod"
	dbDev       = "dev"
	dbMarketing = "marketing"
)

// demoDirPrefix starts the name of a process's directory of demo files.
const demoDirPrefix = "datastack-sandbox-"

// demoStatementTimeout bounds one statement on the demo files (a diff's
// pass over fct_orders takes a second, many more on a busy machine).
const demoStatementTimeout = time.Minute

// demoFiles writes the demo databases, once each, and keeps one
// connection to each for the emulation. Databases are written
// independently (prod and dev at once on two cores).
type demoFiles struct {
	// root is where the process's directory goes; tests set it. Empty
	// means the files are kept in the user's cache directory across
	// processes (democache.go), or, when it cannot be written, in a
	// directory of this process under os.TempDir().
	root string

	mu  sync.Mutex // guards dir and dbs
	dir string
	dbs map[string]*demoDB
}

// demoDB is one database of the demo files.
type demoDB struct {
	mu   sync.Mutex // held while the file is written
	path string     // once written
	conn *wh.Conn
}

// demo is the process's demo files.
var demo = &demoFiles{}

// db returns the entry of database name.
func (f *demoFiles) db(name string) *demoDB {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dbs == nil {
		f.dbs = map[string]*demoDB{}
	}
	if f.dbs[name] == nil {
		f.dbs[name] = &demoDB{}
	}
	return f.dbs[name]
}

// entries are the databases asked for so far.
func (f *demoFiles) entries() []*demoDB {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*demoDB
	for _, d := range f.dbs {
		out = append(out, d)
	}
	return out
}

// directory returns the process's directory, making it on first use.
func (f *demoFiles) directory() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir != "" {
		return f.dir, nil
	}
	root := f.root
	if root == "" {
		root = os.TempDir()
	}
	sweepDemoDirs(root)
	dir := filepath.Join(root, demoDirPrefix+strconv.Itoa(os.Getpid()))
	os.RemoveAll(dir) // left by an earlier process with this id
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f.dir = dir
	return dir, nil
}

// path returns the file of database name, writing it first if needed.
func (f *demoFiles) path(name string) (string, error) {
	d := f.db(name)
	d.mu.Lock()
	defer d.mu.Unlock()
	return f.pathLocked(name, d)
}

func (f *demoFiles) pathLocked(name string, d *demoDB) (string, error) {
	if d.path != "" {
		return d.path, nil
	}
	tables, env, ok := demoTablesOf(name)
	if !ok {
		return "", fmt.Errorf("the demo warehouse has no database %q", name)
	}
	if f.root == "" {
		if cache := demoCacheDir(); cache != "" {
			if p, err := cachedDemoDB(cache, name, tables, env); err == nil {
				d.path = p
				return p, nil
			}
			// A cache that cannot be written: this process's own files.
		}
	}
	dir, err := f.directory()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name+".db")
	if err := writeDemoDB(p, tables, env); err != nil {
		os.Remove(p)
		return "", fmt.Errorf("the sandbox's %s database could not be written: %w", name, err)
	}
	d.path = p
	return p, nil
}

// conn returns the emulation's connection to database name.
func (f *demoFiles) conn(ctx context.Context, name string) (*wh.Conn, error) {
	d := f.db(name)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		return d.conn, nil
	}
	p, err := f.pathLocked(name, d)
	if err != nil {
		return nil, err
	}
	c, err := wh.Open(ctx, "sandbox_"+name, "sqlite://"+p, wh.WithStatementTimeout(demoStatementTimeout))
	if err != nil {
		return nil, err
	}
	d.conn = c
	return c, nil
}

// close closes the emulation's connections (tests that use files of
// their own close them).
func (f *demoFiles) close() {
	for _, d := range f.entries() {
		d.mu.Lock()
		if d.conn != nil {
			d.conn.Close()
			d.conn = nil
		}
		d.mu.Unlock()
	}
}

// written reports whether any database file was written.
func (f *demoFiles) written() bool {
	for _, d := range f.entries() {
		d.mu.Lock()
		done := d.path != ""
		d.mu.Unlock()
		if done {
			return true
		}
	}
	return false
}

// OpenDemoWarehouse opens the demo warehouse's production database (or,
// when dev, the dev build of PR #42) as a read-only warehouse connection
// called name: the jaffle-shop tables the Datafold emulation serves, raw
// tables prefixed raw_ (raw_orders). The file is written first if this
// process has not written it yet. The caller closes the connection.
func OpenDemoWarehouse(ctx context.Context, name string, dev bool, opts ...wh.Option) (*wh.Conn, error) {
	db := dbProd
	if dev {
		db = dbDev
	}
	p, err := demo.path(db)
	if err != nil {
		return nil, err
	}
	return wh.Open(ctx, name, "sqlite://"+p, opts...)
}

// demoTablesOf is what database db holds: its tables and environment.
func demoTablesOf(db string) ([]*table, int, bool) {
	switch db {
	case dbProd:
		return warehouseFor(1).Tables, envProd, true
	case dbDev:
		return warehouseFor(2).Tables, envDev, true
	case dbMarketing:
		return warehouseFor(3).Tables, envProd, true
	}
	return nil, 0, false
}

// sqlName is the name of t in its database file: its relation name as dbt
// builds it, raw tables prefixed raw_ (one schema per file).
func (t *table) sqlName() string {
	if strings.EqualFold(t.Schema, "RAW") {
		return "raw_" + strings.ToLower(t.Name)
	}
	return strings.ToLower(t.Name)
}

// sweepDemoDirs removes the demo directories under root of processes that
// no longer run.
func sweepDemoDirs(root string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(strings.TrimPrefix(e.Name(), demoDirPrefix))
		if !e.IsDir() || !strings.HasPrefix(e.Name(), demoDirPrefix) || err != nil || pid == os.Getpid() {
			continue
		}
		if !processRuns(pid) {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

// writeDemoDB writes tables, as they are in env, into the SQLite file at
// path.
func writeDemoDB(path string, tables []*table, env int) error {
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
	for _, t := range tables {
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, sqliteType(c.Type)))
		}
		if _, err := tx.Exec(fmt.Sprintf("CREATE TABLE %q (%s, PRIMARY KEY (%q))", t.sqlName(), strings.Join(cols, ", "), t.PK)); err != nil {
			return fmt.Errorf("%s: %w", t.sqlName(), err)
		}
		if err := insertRows(tx, t, env); err != nil {
			return fmt.Errorf("%s: %w", t.sqlName(), err)
		}
	}
	return tx.Commit()
}

// insertBatch is how many rows one INSERT writes.
const insertBatch = 100

// insertRows writes the table's rows in env, insertBatch to a statement.
func insertRows(tx *sql.Tx, t *table, env int) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ") + ")"
	stmt := func(n int) string {
		return fmt.Sprintf("INSERT INTO %q VALUES %s", t.sqlName(), strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
	}
	full, err := tx.Prepare(stmt(insertBatch))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, insertBatch*len(t.Columns))
	n := 0
	for _, i := range t.rows(env) {
		for _, c := range t.Columns {
			args = append(args, c.gen(env, i))
		}
		if n++; n < insertBatch {
			continue
		}
		if _, err := full.Exec(args...); err != nil {
			return err
		}
		args, n = args[:0], 0
	}
	if n == 0 {
		return nil
	}
	_, err = tx.Exec(stmt(n), args...)
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
