package server

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"

	"github.com/datastack-mcp/datastack-mcp/dbt"
)

// The user's own engines: warehouse connections (read only) and dbt
// projects, from the environment and the config file.

// Environment variables and default names.
const (
	envWarehouseDSN = "WAREHOUSE_DSN"
	envDBTManifest  = "DBT_MANIFEST"
	envDBTProject   = "DBT_PROJECT_DIR"
	envDBTCatalog   = "DBT_CATALOG"
	// DefaultWarehouse is the name of the WAREHOUSE_DSN connection.
	DefaultWarehouse = "warehouse"
	// DefaultDBTProject is the name of the DBT_MANIFEST/DBT_PROJECT_DIR
	// project.
	DefaultDBTProject = "dbt"
)

// warehouseDSN is one configured warehouse connection. The DSN holds a
// password: it goes to the engine and nowhere else (never a log or an
// answer).
type warehouseDSN struct {
	name, env, dsn string
}

var engineName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// warehouseDSNs returns the warehouse connections: WAREHOUSE_DSN as
// "warehouse", then the config file's, each read from its dsn_env.
func warehouseDSNs(file fileConfig, getenv func(string) string) ([]warehouseDSN, error) {
	var out []warehouseDSN
	seen := map[string]bool{}
	if dsn := getenv(envWarehouseDSN); dsn != "" {
		out = append(out, warehouseDSN{name: DefaultWarehouse, env: envWarehouseDSN, dsn: dsn})
		seen[DefaultWarehouse] = true
	}
	for i, c := range file.Warehouse.Connections {
		switch {
		case !engineName.MatchString(c.Name):
			return nil, fmt.Errorf("config file: warehouse connection %d: name %q must be lowercase letters, digits, - or _", i+1, c.Name)
		case seen[c.Name]:
			return nil, fmt.Errorf("config file: two warehouse connections are named %q", c.Name)
		case c.DSNEnv == "":
			return nil, fmt.Errorf("config file: warehouse connection %s: dsn_env (the variable holding its DSN) is required", c.Name)
		}
		seen[c.Name] = true
		dsn := getenv(c.DSNEnv)
		if dsn == "" {
			return nil, fmt.Errorf("config file: warehouse connection %s: %s is not set", c.Name, c.DSNEnv)
		}
		out = append(out, warehouseDSN{name: c.Name, env: c.DSNEnv, dsn: dsn})
	}
	return out, nil
}

// dbtConfigs returns the dbt projects: DBT_MANIFEST (a manifest.json) or
// DBT_PROJECT_DIR (its target/) as "dbt", then the config file's.
func dbtConfigs(file fileConfig, getenv func(string) string) ([]dbt.Config, error) {
	var out []dbt.Config
	switch m, dir := getenv(envDBTManifest), getenv(envDBTProject); {
	case m != "":
		out = append(out, dbt.Config{Name: DefaultDBTProject, Manifest: m, Catalog: getenv(envDBTCatalog)})
	case dir != "":
		out = append(out, dbt.Config{Name: DefaultDBTProject, Manifest: filepath.Join(dir, "target", "manifest.json"), Catalog: getenv(envDBTCatalog)})
	}
	for i, p := range file.DBT.Projects {
		if !engineName.MatchString(p.Name) {
			return nil, fmt.Errorf("config file: dbt project %d: name %q must be lowercase letters, digits, - or _", i+1, p.Name)
		}
		if p.Manifest == "" {
			return nil, fmt.Errorf("config file: dbt project %s: manifest (the path of manifest.json or of the project) is required", p.Name)
		}
		out = append(out, p)
	}
	return out, nil
}

// dsnSecrets are the parts of a DSN to scrub from answers: the DSN itself
// and its password.
func dsnSecrets(dsn string) []string {
	out := []string{dsn}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}
