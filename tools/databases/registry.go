package databases

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// Registry holds the warehouse connections by name. Each opens on first
// use, so a database that is down delays nothing at start-up and fails
// only the calls that need it. It is safe for concurrent use.
type Registry struct {
	mu    sync.Mutex
	conns map[string]*lazy
	names []string
	opts  []warehouse.Option
}

type lazy struct {
	name, dsn string
	open      func(ctx context.Context) (*warehouse.Conn, error)
	once      sync.Mutex
	conn      *warehouse.Conn
}

// NewRegistry returns an empty registry; opts apply to every connection.
func NewRegistry(opts ...warehouse.Option) *Registry {
	return &Registry{conns: map[string]*lazy{}, opts: opts}
}

// Add registers a connection by its DSN (which holds a password: it goes
// to the engine and nowhere else).
func (r *Registry) Add(name, dsn string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := &lazy{name: name, dsn: dsn}
	l.open = func(ctx context.Context) (*warehouse.Conn, error) { return warehouse.Open(ctx, name, dsn, r.opts...) }
	r.put(l)
}

// AddOpener registers a connection opened by open (the sandbox's embedded
// warehouse, created on first use).
func (r *Registry) AddOpener(name string, open func(ctx context.Context) (*warehouse.Conn, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.put(&lazy{name: name, open: open})
}

func (r *Registry) put(l *lazy) {
	if _, ok := r.conns[l.name]; !ok {
		r.names = append(r.names, l.name)
		sort.Strings(r.names)
	}
	r.conns[l.name] = l
}

// Names lists the connections, sorted.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.names...)
}

// Conn returns the connection named name, opening it on first use. An
// unknown name is an error listing the known ones; a failed open is
// retried on the next call.
func (r *Registry) Conn(ctx context.Context, name string) (*warehouse.Conn, error) {
	if r == nil {
		return nil, fmt.Errorf("no warehouse connection is configured (set WAREHOUSE_DSN, or warehouse.connections in the config file)")
	}
	r.mu.Lock()
	l := r.conns[name]
	names := strings.Join(r.names, ", ")
	r.mu.Unlock()
	if l == nil {
		return nil, fmt.Errorf("there is no warehouse connection %q; the connections are: %s", name, names)
	}
	l.once.Lock()
	defer l.once.Unlock()
	if l.conn != nil {
		return l.conn, nil
	}
	c, err := l.open(ctx)
	if err != nil {
		return nil, err
	}
	l.conn = c
	return c, nil
}

// Close closes the connections opened so far.
func (r *Registry) Close() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.conns {
		l.once.Lock()
		if l.conn != nil {
			_ = l.conn.Close()
			l.conn = nil
		}
		l.once.Unlock()
	}
}
