package manifest

import (
	"strings"
)

// Kind is what a node is, as dbt's resource_type says.
type Kind string

// Node kinds. Unit tests are tests too (Node.TestType "unit").
const (
	KindModel         Kind = "model"
	KindSource        Kind = "source"
	KindSeed          Kind = "seed"
	KindSnapshot      Kind = "snapshot"
	KindExposure      Kind = "exposure"
	KindSemanticModel Kind = "semantic_model"
	KindMetric        Kind = "metric"
	KindSavedQuery    Kind = "saved_query"
	KindTest          Kind = "test"
)

// Kinds lists every kind in the order answers count them.
var Kinds = []Kind{KindSource, KindSeed, KindModel, KindSnapshot, KindSemanticModel, KindMetric, KindSavedQuery, KindExposure, KindTest}

// HasRelation reports whether nodes of the kind are warehouse relations.
func (k Kind) HasRelation() bool {
	switch k {
	case KindModel, KindSource, KindSeed, KindSnapshot:
		return true
	}
	return false
}

// Column is one column of a node: the manifest's documented columns, then
// the catalog's (the catalog wins for names, types and order).
type Column struct {
	Name        string `json:"name"`
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
	// Documented is true when the manifest documents the column;
	// InCatalog when catalog.json lists it (the warehouse has it).
	Documented bool `json:"documented"`
	InCatalog  bool `json:"in_catalog"`
}

// Node is one resource of the project.
type Node struct {
	UniqueID string `json:"unique_id"`
	Kind     Kind   `json:"kind"`
	Name     string `json:"name"`
	Package  string `json:"package"`
	// Version is the model version (versioned models), as written, and
	// LatestVersion the model's latest version (what ref('name') means).
	Version       string `json:"version,omitempty"`
	LatestVersion string `json:"latest_version,omitempty"`
	// SourceName is a source's source name (name is its table name).
	SourceName string `json:"source_name,omitempty"`

	// Database, Schema and Identifier locate the relation (Identifier is
	// a model's alias or a source's identifier); Relation joins them with
	// dots, unquoted. Ephemeral models and non-relation kinds have none.
	Database   string `json:"database,omitempty"`
	Schema     string `json:"schema,omitempty"`
	Identifier string `json:"identifier,omitempty"`
	Relation   string `json:"relation,omitempty"`

	Columns []Column `json:"columns,omitempty"`
	// DependsOn are the unique_ids this node reads (depends_on.nodes).
	DependsOn []string `json:"depends_on,omitempty"`

	// CompiledSQL is compiled_code (v7+) or compiled_sql (before); empty
	// when the project was parsed but not compiled.
	CompiledSQL string `json:"-"`
	// HasRawCode is true when the manifest holds the node's Jinja source.
	HasRawCode bool `json:"-"`
	// Language is sql or python (models, v7+); empty means sql.
	Language string `json:"language,omitempty"`

	Description      string   `json:"description,omitempty"`
	OriginalFilePath string   `json:"original_file_path,omitempty"`
	Tags             []string `json:"tags,omitempty"`
	Materialization  string   `json:"materialization,omitempty"`

	// Checksum is dbt's checksum of the node's file (checksum.checksum:
	// what state:modified.body compares); ConfigDigest is a digest of its
	// config object, whitespace aside (state:modified.configs). Both are
	// for comparing two states of a project (package dbt's CompareStates).
	Checksum     string `json:"-"`
	ConfigDigest string `json:"-"`

	// Tests: TestType is generic (test_metadata), singular or unit;
	// TestName the generic test's name (unique, not_null, …); ColumnName
	// the column it checks; AttachedNode the node it tests (the first of
	// DependsOn for relationships tests is the other model).
	TestType     string `json:"test_type,omitempty"`
	TestName     string `json:"test_name,omitempty"`
	ColumnName   string `json:"column_name,omitempty"`
	AttachedNode string `json:"attached_node,omitempty"`

	// Exposures: ExposureType (dashboard, notebook, analysis, ml,
	// application), Owner, URL, Maturity. Label is also used by metrics,
	// semantic models and saved queries.
	ExposureType string `json:"exposure_type,omitempty"`
	Owner        string `json:"owner,omitempty"`
	URL          string `json:"url,omitempty"`
	Maturity     string `json:"maturity,omitempty"`
	Label        string `json:"label,omitempty"`
}

// DisplayName is how answers name the node: source_name.name for sources,
// name.vN for non-latest model versions, else the name.
func (n *Node) DisplayName() string {
	if n.Kind == KindSource && n.SourceName != "" {
		return n.SourceName + "." + n.Name
	}
	return n.Name
}

// Column returns the column named name (case-insensitive), or nil.
func (n *Node) Column(name string) *Column {
	for i := range n.Columns {
		if strings.EqualFold(n.Columns[i].Name, name) {
			return &n.Columns[i]
		}
	}
	return nil
}

// ColumnNames returns the names of the node's columns in order.
func (n *Node) ColumnNames() []string {
	out := make([]string, len(n.Columns))
	for i, c := range n.Columns {
		out[i] = c.Name
	}
	return out
}

// ColumnsFromCatalog reports whether the node's column list comes from
// catalog.json, so it is the warehouse's complete list.
func (n *Node) ColumnsFromCatalog() bool {
	for _, c := range n.Columns {
		if c.InCatalog {
			return true
		}
	}
	return false
}

// IsEphemeral reports whether the node is an ephemeral model (no relation;
// dbt inlines it as a CTE named __dbt__cte__<name>).
func (n *Node) IsEphemeral() bool {
	return n.Kind == KindModel && n.Materialization == "ephemeral"
}

// relationKey is the case-insensitive lookup key of a relation path.
func relationKey(parts ...string) string {
	return strings.ToLower(strings.Join(parts, "."))
}
