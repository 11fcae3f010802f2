package dbt

import (
	"sync"
	"time"

	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/sqlast"
)

// Snapshot is one loaded state of a project: an immutable graph and the
// column lineage computed from it so far. Safe for concurrent use.
type Snapshot struct {
	Project  string
	LoadedAt time.Time
	graph    *manifest.Graph

	mu      sync.Mutex
	lineage map[string]*ColumnLineage
}

func newSnapshot(project string, g *manifest.Graph, at time.Time) *Snapshot {
	return &Snapshot{Project: project, LoadedAt: at, graph: g, lineage: map[string]*ColumnLineage{}}
}

// Graph is the model-level graph.
func (s *Snapshot) Graph() *manifest.Graph { return s.graph }

// Resolve finds the node ref means (see manifest.Graph.Resolve): a name,
// source_name.table, unique_id or [database.]schema.table.
func (s *Snapshot) Resolve(ref string) (*manifest.Node, error) { return s.graph.Resolve(ref) }

// Impact is the model-level walk from ref (see manifest.Graph.Impact).
func (s *Snapshot) Impact(ref string, opts manifest.ImpactOptions) (*manifest.Impact, error) {
	return s.graph.Impact(ref, opts)
}

// WarmParser compiles the SQL grammar in the background (the first parse
// of a process takes a second or more); later calls do nothing. Loading a
// project calls it, so the compile overlaps the manifest's load.
func WarmParser() { sqlast.Warm() }
