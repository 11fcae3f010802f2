package dbt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
)

// Config is one configured dbt project.
type Config struct {
	// Name is how answers and tools name the project.
	Name string `json:"name"`
	// Manifest is the path of manifest.json, or of a dbt project
	// directory (its target/manifest.json is used) or a target directory.
	Manifest string `json:"manifest"`
	// Catalog is the path of catalog.json; empty means catalog.json beside
	// the manifest when there is one.
	Catalog string `json:"catalog,omitempty"`
	// Warehouse names the warehouse connection holding the relations this
	// manifest was built into (review_dbt_changes diffs a model's
	// production relation against its PR relation there); empty: none.
	Warehouse string `json:"warehouse,omitempty"`
}

// Options tune a project's reloading.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// CheckEvery is how often, at most, the files are stat'ed for a
	// change (default 5 s; a negative value checks on every call).
	CheckEvery time.Duration
}

// DefaultCheckEvery is the default interval between checks for changed
// artifacts.
const DefaultCheckEvery = 5 * time.Second

// Project is one dbt project. Its methods are safe for concurrent use.
type Project struct {
	name         string
	manifestPath string
	catalogPath  string
	// catalogGiven: the catalog was configured, so its absence is an
	// error rather than "no catalog".
	catalogGiven bool
	now          func() time.Time
	every        time.Duration
	// static projects (embedded bytes) never reload; parse reads them once.
	static bool
	parse  func() (*manifest.Graph, error)

	mu        sync.Mutex
	cur       *Snapshot
	loadedSig fileSig
	failedSig fileSig
	lastCheck time.Time
	lastErr   error
	errAt     time.Time
	loads     int
	loading   chan struct{}
}

// fileSig identifies the version of the artifacts on disk.
type fileSig struct {
	mSize, cSize   int64
	mTime, cTime   time.Time
	catalogPresent bool
}

// New configures a project without reading it: the first Snapshot loads.
func New(cfg Config, opts Options) (*Project, error) {
	if cfg.Name == "" {
		return nil, errors.New("dbt project: a name is required")
	}
	if cfg.Manifest == "" {
		return nil, fmt.Errorf("dbt project %q: the manifest path is required", cfg.Name)
	}
	p := &Project{name: cfg.Name, now: opts.Now, every: opts.CheckEvery}
	if p.now == nil {
		p.now = time.Now
	}
	if p.every == 0 {
		p.every = DefaultCheckEvery
	}
	p.manifestPath = manifestFile(cfg.Manifest)
	p.catalogPath = cfg.Catalog
	p.catalogGiven = cfg.Catalog != ""
	if !p.catalogGiven {
		p.catalogPath = filepath.Join(filepath.Dir(p.manifestPath), "catalog.json")
	}
	return p, nil
}

// manifestFile maps a project or target directory to its manifest.json.
func manifestFile(path string) string {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return path
	}
	if _, err := os.Stat(filepath.Join(path, "manifest.json")); err == nil {
		return filepath.Join(path, "manifest.json")
	}
	return filepath.Join(path, "target", "manifest.json")
}

// FromBytes is a project read once from memory (an embedded demo); it
// never reloads. catalog may be nil.
func FromBytes(name string, manifestJSON, catalogJSON []byte) (*Project, error) {
	if name == "" {
		return nil, errors.New("dbt project: a name is required")
	}
	p := &Project{name: name, static: true, now: time.Now}
	// Read on first use, like a project on disk: a server that never asks
	// a dbt question pays nothing for it at start-up.
	p.parse = sync.OnceValues(func() (*manifest.Graph, error) {
		var cat io.Reader
		if catalogJSON != nil {
			cat = bytes.NewReader(catalogJSON)
		}
		g, err := manifest.Load(bytes.NewReader(manifestJSON), cat)
		if err != nil {
			return nil, fmt.Errorf("dbt project %q: %w", name, err)
		}
		return g, nil
	})
	return p, nil
}

// Name is the project's configured name.
func (p *Project) Name() string { return p.name }

// Snapshot returns the project's current state, loading it the first time
// and reloading it when the files changed (checked at most once per
// CheckEvery). When a reload fails the last good snapshot keeps serving
// (Status says why); the error is returned only while there is none.
func (p *Project) Snapshot() (*Snapshot, error) {
	p.mu.Lock()
	if p.static {
		defer p.mu.Unlock()
		if p.cur == nil {
			WarmParser() // compile the SQL grammar while the manifest loads
			g, err := p.parse()
			if err != nil {
				return nil, err
			}
			p.cur = newSnapshot(p.name, g, p.now())
			p.loads = 1
		}
		return p.cur, nil
	}
	now := p.now()
	if p.cur != nil && now.Sub(p.lastCheck) < p.every {
		defer p.mu.Unlock()
		return p.cur, nil
	}
	if ch := p.loading; ch != nil {
		if p.cur != nil {
			defer p.mu.Unlock()
			return p.cur, nil
		}
		p.mu.Unlock()
		<-ch
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.cur, p.errIfNone()
	}
	p.lastCheck = now
	sig, err := p.stat()
	if err != nil {
		p.fail(err, fileSig{})
		defer p.mu.Unlock()
		return p.cur, p.errIfNone()
	}
	if p.cur != nil && sig == p.loadedSig {
		p.lastErr = nil // back to the files being served
		defer p.mu.Unlock()
		return p.cur, nil
	}
	if sig == p.failedSig && p.lastErr != nil {
		// Same broken files as last time: not worth reading again.
		defer p.mu.Unlock()
		return p.cur, p.errIfNone()
	}
	ch := make(chan struct{})
	p.loading = ch
	first := p.cur == nil
	p.mu.Unlock()

	if first {
		WarmParser() // compile the SQL grammar while the manifest loads
	}
	g, err := p.load(sig)
	after, statErr := p.stat()

	p.mu.Lock()
	defer p.mu.Unlock()
	p.loading = nil
	close(ch)
	if err != nil {
		p.fail(err, sig)
		return p.cur, p.errIfNone()
	}
	p.cur = newSnapshot(p.name, g, p.now())
	p.loads++
	p.lastErr = nil
	p.failedSig = fileSig{}
	p.loadedSig = sig
	if statErr == nil && after != sig {
		// Written while being read: read again at the next check.
		p.loadedSig = fileSig{}
	}
	return p.cur, nil
}

func (p *Project) fail(err error, sig fileSig) {
	p.lastErr = fmt.Errorf("dbt project %q: %w", p.name, err)
	p.errAt = p.now()
	p.failedSig = sig
}

func (p *Project) errIfNone() error {
	if p.cur == nil {
		return p.lastErr
	}
	return nil
}

func (p *Project) stat() (fileSig, error) {
	var s fileSig
	st, err := os.Stat(p.manifestPath)
	if err != nil {
		return s, err
	}
	s.mSize, s.mTime = st.Size(), st.ModTime()
	st, err = os.Stat(p.catalogPath)
	switch {
	case err == nil:
		s.catalogPresent, s.cSize, s.cTime = true, st.Size(), st.ModTime()
	case p.catalogGiven || !errors.Is(err, os.ErrNotExist):
		return s, err
	}
	return s, nil
}

func (p *Project) load(sig fileSig) (*manifest.Graph, error) {
	cat := ""
	if sig.catalogPresent {
		cat = p.catalogPath
	}
	return manifest.LoadFiles(p.manifestPath, cat)
}

// Status is what a project's loading looks like.
type Status struct {
	Name     string `json:"name"`
	Manifest string `json:"manifest,omitempty"`
	Catalog  string `json:"catalog,omitempty"`
	// Loaded is true when a graph is being served; LoadedAt is when it
	// was read; Loads counts successful loads.
	Loaded   bool      `json:"loaded"`
	LoadedAt time.Time `json:"loaded_at,omitempty"`
	Loads    int       `json:"loads"`
	// HasCatalog is true when the graph served merged a catalog.json.
	HasCatalog bool                  `json:"has_catalog"`
	Meta       manifest.Metadata     `json:"metadata"`
	Counts     map[manifest.Kind]int `json:"counts,omitempty"`
	Warnings   []string              `json:"warnings,omitempty"`
	// Error is the last load's failure; when Loaded, the graph served is
	// the last good one (Stale).
	Error   string    `json:"error,omitempty"`
	ErrorAt time.Time `json:"error_at,omitempty"`
	Stale   bool      `json:"stale,omitempty"`
}

// Status reports the project's state without loading or checking.
func (p *Project) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := Status{Name: p.name, Manifest: p.manifestPath, Loads: p.loads}
	if p.catalogGiven || p.loadedSig.catalogPresent {
		st.Catalog = p.catalogPath
	}
	if p.cur != nil {
		g := p.cur.Graph()
		st.Loaded, st.LoadedAt, st.HasCatalog = true, p.cur.LoadedAt, g.HasCatalog
		st.Meta, st.Counts, st.Warnings = g.Meta, g.Counts(), g.Warnings()
	}
	if p.lastErr != nil {
		st.Error, st.ErrorAt, st.Stale = p.lastErr.Error(), p.errAt, p.cur != nil
	}
	return st
}
