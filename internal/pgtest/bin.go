package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// errMissing marks the reasons PostgreSQL cannot be had on this machine at
// all (as opposed to a cluster that failed to start): those skip the test
// unless PostgreSQL is required.
var errMissing = errors.New("PostgreSQL is not available")

// installHint says how to get the server binaries.
const installHint = "install the server (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql), " +
	"point PGTEST_BINDIR at the directory holding initdb and pg_ctl, or set PGTEST_DSN to an existing server"

// binGlobs are the usual install locations of the server binaries, whose
// names carry the major version.
var binGlobs = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/pgsql-*/bin",
	"/usr/local/pgsql/bin",
	"/opt/homebrew/opt/postgresql*/bin",
	"/usr/local/opt/postgresql*/bin",
}

// findBinDir returns the directory holding initdb and pg_ctl.
func findBinDir() (string, error) {
	if dir := os.Getenv("PGTEST_BINDIR"); dir != "" {
		if hasServer(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("%w: PGTEST_BINDIR=%s holds no initdb and pg_ctl", errMissing, dir)
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil && hasServer(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	var dirs []string
	for _, g := range binGlobs {
		m, _ := filepath.Glob(g)
		dirs = append(dirs, m...)
	}
	sort.SliceStable(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if hasServer(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: no initdb/pg_ctl on PATH nor in %s; %s",
		errMissing, strings.Join(binGlobs, ", "), installHint)
}

// hasServer reports whether dir holds the binaries a cluster needs.
func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// versionOf is the first number in a directory path, so that
// /usr/lib/postgresql/16/bin sorts before /usr/lib/postgresql/9/bin.
func versionOf(dir string) int {
	digits := strings.FieldsFunc(dir, func(r rune) bool { return r < '0' || r > '9' })
	for _, d := range digits {
		if n, err := strconv.Atoi(d); err == nil {
			return n
		}
	}
	return 0
}

// runAs is the OS account the cluster runs under: nil for the current one,
// the "postgres" account when running as root (PostgreSQL refuses root).
type runAs struct {
	uid, gid int
	name     string
}

func serverAccount() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: running as root and there is no \"postgres\" user to run the server as (%v); %s",
			errMissing, err, installHint)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%w: unusable ids of the postgres user: %q %q", errMissing, u.Uid, u.Gid)
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return nil, fmt.Errorf("%w: running as root and runuser is not on PATH to drop to the postgres user", errMissing)
	}
	return &runAs{uid: uid, gid: gid, name: u.Username}, nil
}

// command builds a command that runs as the server account.
func (a *runAs) command(name string, args ...string) *exec.Cmd {
	if a == nil {
		return exec.Command(name, args...)
	}
	return exec.Command("runuser", append([]string{"-u", a.name, "--", name}, args...)...)
}

// own hands path to the server account.
func (a *runAs) own(path string) error {
	if a == nil {
		return nil
	}
	return os.Chown(path, a.uid, a.gid)
}
