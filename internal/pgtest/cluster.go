package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// startDeadline bounds the whole start-up (initdb, server start, first
// connection). It is generous: a busy shared machine can be slow.
const startDeadline = 3 * time.Minute

// serverConf is appended to postgresql.conf: a server for tests, small and
// fast, with no durability.
const serverConf = `
# pgtest: a throwaway cluster for tests
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
max_wal_senders = 0
wal_level = minimal
logging_collector = off
log_min_messages = warning
`

// cluster is a running throwaway server.
type cluster struct {
	dir    string // temporary directory: data, socket and log
	binDir string
	as     *runAs
	port   int
}

func (c *cluster) dataDir() string { return filepath.Join(c.dir, "data") }
func (c *cluster) logFile() string { return filepath.Join(c.dir, "server.log") }

// dsn is the superuser DSN of database db.
func (c *cluster) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// startCluster initialises and starts a cluster in a new temporary directory.
func startCluster() (*cluster, error) {
	binDir, err := findBinDir()
	if err != nil {
		return nil, err
	}
	as, err := serverAccount()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(os.TempDir(), "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: temporary directory: %w", err)
	}
	c := &cluster{dir: dir, binDir: binDir, as: as}
	if err := c.start(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *cluster) start() error {
	ctx, cancel := context.WithTimeout(context.Background(), startDeadline)
	defer cancel()
	// The server account must reach the directory: 0755 and its owner.
	if err := os.Chmod(c.dir, 0o755); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if err := c.as.own(c.dir); err != nil {
		return fmt.Errorf("pgtest: hand %s to the postgres user: %w", c.dir, err)
	}
	if out, err := c.run(ctx, "initdb", "-D", c.dataDir(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	conf := serverConf + socketConf(c.dir)
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgtest: write postgresql.conf: %w", err)
	}

	// A free port can be taken between picking and binding it: retry.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return fmt.Errorf("pgtest: pick a port: %w", err)
		}
		c.port = port
		out, err := c.run(ctx, "pg_ctl", "-D", c.dataDir(), "-l", c.logFile(),
			"-o", "-p "+strconv.Itoa(port), "-w", "-t", strconv.Itoa(int(startDeadline/time.Second)), "start")
		if err == nil {
			return c.waitReady(ctx)
		}
		log := c.logTail()
		lastErr = fmt.Errorf("pgtest: pg_ctl start: %w\n%s\n%s", err, out, log)
		if !strings.Contains(log, "could not bind") && !strings.Contains(log, "already in use") {
			return lastErr
		}
		_, _ = c.run(ctx, "pg_ctl", "-D", c.dataDir(), "stop", "-m", "immediate", "-w")
	}
	return lastErr
}

// socketConf puts the Unix socket in the temporary directory, or turns Unix
// sockets off when that path is too long for one.
func socketConf(dir string) string {
	if len(dir)+len("/.s.PGSQL.65535") >= 100 {
		return "unix_socket_directories = ''\n"
	}
	return "unix_socket_directories = '" + strings.ReplaceAll(dir, "'", "''") + "'\n"
}

// waitReady polls a connection, backing off, until the server answers or
// the context ends.
func (c *cluster) waitReady(ctx context.Context) error {
	backoff := 10 * time.Millisecond
	for {
		err := ping(ctx, c.dsn("postgres"))
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgtest: server did not accept connections: %w\n%s", err, c.logTail())
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Second)
	}
}

func ping(ctx context.Context, dsn string) error {
	attempt, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(attempt, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(attempt)
}

// stop stops the server at once and removes its directory.
func (c *cluster) stop() {
	if _, err := os.Stat(filepath.Join(c.dataDir(), "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, _ = c.run(ctx, "pg_ctl", "-D", c.dataDir(), "stop", "-m", "immediate", "-w")
		cancel()
	}
	_ = os.RemoveAll(c.dir)
}

// run runs one of the server binaries as the server account.
func (c *cluster) run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := c.as.command(filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.dir // the server account may not reach the current directory
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the server running with our pipes unless they
	// are closed: the server logs to its file, so do not wait on them.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if errors.Is(err, exec.ErrWaitDelay) {
			err = nil
		}
		return out.String(), err
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return out.String(), ctx.Err()
	}
}

// logTail is the end of the server log, for error messages.
func (c *cluster) logTail() string {
	b, err := os.ReadFile(c.logFile())
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
