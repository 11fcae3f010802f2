package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	mainCalled atomic.Bool

	once     sync.Once
	server   *cluster // nil when PGTEST_DSN is used or start-up failed
	adminDSN string
	startErr error
)

// Main runs the tests of a package and then stops the cluster they started,
// if any, and removes its files. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	if server != nil {
		server.stop()
	}
	os.Exit(code)
}

// Start returns the superuser DSN of the package's server (its "postgres"
// database), starting the throwaway cluster on first use, or using
// PGTEST_DSN when set. When PostgreSQL is not installed it skips the test,
// or fails it when CI or PGTEST_REQUIRE=1 is set; a server that fails to
// start fails the test, and so does a package whose TestMain does not go
// through [Main], since nothing would stop its cluster.
func Start(t testing.TB) string {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain so the cluster is stopped when the tests end")
	}
	once.Do(func() {
		if dsn := os.Getenv("PGTEST_DSN"); dsn != "" {
			adminDSN = dsn
			return
		}
		server, startErr = startCluster()
		if startErr == nil {
			adminDSN = server.dsn("postgres")
		}
	})
	if startErr != nil {
		if errors.Is(startErr, errMissing) && !required() {
			t.Skipf("pgtest: %v", startErr)
		}
		t.Fatal(startErr)
	}
	return adminDSN
}

// required reports whether a missing PostgreSQL must fail the tests.
func required() bool {
	return os.Getenv("PGTEST_REQUIRE") == "1" || os.Getenv("CI") != ""
}

var dbSeq atomic.Int64

// NewDatabase creates an empty database for this test and returns its DSN
// (postgres://…, superuser). The database is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := Start(t)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name := fmt.Sprintf("pgtest_%d_%d_%s", os.Getpid(), dbSeq.Add(1), hex.EncodeToString(rnd[:]))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := execSQL(ctx, admin, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := execSQL(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42601" { // before PostgreSQL 13: no FORCE
			err = execSQL(ctx, admin, "DROP DATABASE IF EXISTS "+name)
		}
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	dsn, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// execSQL runs one statement on a short-lived connection.
func execSQL(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns dsn pointing at database db instead; dsn is either a
// URL (postgres://…) or keyword/value pairs.
func withDatabase(dsn, db string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("PGTEST_DSN is not a valid URL")
		}
		u.Path = "/" + db
		u.RawPath = ""
		return u.String(), nil
	}
	return dsn + " dbname=" + db, nil
}
