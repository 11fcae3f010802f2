// Package pgtest owns the throwaway PostgreSQL server that tests run real SQL
// against. Checks such as "this statement cannot write" are only as good as
// the engine that confirms them, so tests that need a real PostgreSQL get one
// here: one cluster per test binary, initialised in a temporary directory,
// listening on a free loopback port with trust authentication and durability
// switched off, started on first use and stopped by [Main]. Each test gets
// its own database from [NewDatabase], dropped when the test ends.
//
// Usage:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestX(t *testing.T) {
//		dsn := pgtest.NewDatabase(t) // postgres://postgres@127.0.0.1:port/pgtest_…
//		…
//	}
//
// The server binaries (initdb, pg_ctl, postgres) are looked for in
// PGTEST_BINDIR, then on PATH, then in the usual package locations
// (/usr/lib/postgresql/*/bin and friends, highest version first). When the
// tests run as root, the cluster runs as the "postgres" user, since
// PostgreSQL refuses to run as root.
//
// Environment:
//
//	PGTEST_DSN      use this existing server (a superuser DSN) instead of starting one
//	PGTEST_BINDIR   directory holding initdb and pg_ctl
//	PGTEST_REQUIRE  when "1" (or when CI is set), a missing PostgreSQL fails the
//	                test instead of skipping it
package pgtest
