// Package manifest owns the model-level picture of a dbt project: it reads
// dbt's artifacts (manifest.json of schema v4 to v12, and catalog.json when
// there is one) into an immutable [Graph] of nodes (sources, seeds, models,
// snapshots, exposures, semantic models, metrics, saved queries, and the
// tests attached to what they test), resolves a user's reference to a node
// (by name, unique_id or warehouse relation), and walks the graph up- or
// downstream with honest bounds ([Graph.Impact]).
//
// Manifests of large projects are hundreds of megabytes, mostly macros and
// rendered SQL that lineage does not need, so the reader streams the file
// and decodes only the fields a node keeps (see [Load]). Column-level
// lineage, which needs SQL, lives in the sibling package sqllineage and is
// tied to a graph by package dbt.
package manifest
