// Package dbt owns lineage from the user's own dbt projects, models and
// columns, for the server's tools and resources. A [Project] is one
// configured project (its manifest.json, and catalog.json when present),
// reloaded when the files change and serving its last good graph when a
// new file is malformed or half written. A [Snapshot] is one loaded state:
// it resolves references, walks the model graph (package manifest) and
// computes column lineage of each model lazily from its compiled SQL
// (package sqllineage), caching it until the next reload; column-level
// impact walks those edges across models. A [Set] holds several projects
// by name.
//
// Everything here is free of the MCP SDK: answers are plain structs the
// adapter serialises.
package dbt
