// Package demo owns the dbt project of the sandbox's demo warehouse: the
// jaffle shop in Snowflake database ANALYTICS (sources in RAW, views in
// STAGING, marts in MARTS), as dbt artifacts a user's project would leave
// (manifest.json schema v12 with compiled SQL, catalog.json), embedded so
// the sandbox needs no files. Two targets: prod, and dev as built from
// PR #42 ("Exclude test orders, round card payments"), whose SQL differs
// where the sandbox's dev data differs. Columns and their lineage agree
// with the sandbox warehouse (client/sandbox/warehouse.go).
//
// The JSON files are generated from spec_data_test.go
// (go test ./dbt/demo -run TestArtifacts -update) and read through the
// same loader as any project.
package demo

import (
	_ "embed"

	"github.com/datastack-mcp/datastack-mcp/dbt"
)

// Project names.
const (
	ProdName = "jaffle_shop"
	DevName  = "jaffle_shop_pr42"
)

var (
	//go:embed data/prod/manifest.json
	prodManifest []byte
	//go:embed data/prod/catalog.json
	prodCatalog []byte
	//go:embed data/dev/manifest.json
	devManifest []byte
	//go:embed data/dev/catalog.json
	devCatalog []byte
)

// Artifacts returns the embedded manifest.json and catalog.json of the
// prod target (dev when dev is true). Callers must not modify them.
func Artifacts(dev bool) (manifestJSON, catalogJSON []byte) {
	if dev {
		return devManifest, devCatalog
	}
	return prodManifest, prodCatalog
}

// Prod is the project as built for production.
func Prod() (*dbt.Project, error) { return dbt.FromBytes(ProdName, prodManifest, prodCatalog) }

// Dev is the project as built by PR #42's CI in the dev environment.
func Dev() (*dbt.Project, error) { return dbt.FromBytes(DevName, devManifest, devCatalog) }

// Projects are both, as a set.
func Projects() (*dbt.Set, error) {
	prod, err := Prod()
	if err != nil {
		return nil, err
	}
	dev, err := Dev()
	if err != nil {
		return nil, err
	}
	return dbt.NewSet(prod, dev)
}
