package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEngineConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
		"datafold": {"api_key_env": "DF"},
		"warehouse": {"connections": [{"name": "pg", "dsn_env": "PG_DSN"}, {"name": "lite", "dsn_env": "LITE_DSN"}]},
		"dbt": {"projects": [{"name": "shop", "manifest": "target/manifest.json"}]}
	}`), 0o600))
	file, err := readConfig(path)
	require.NoError(t, err)
	env := envMap(map[string]string{"PG_DSN": "postgres://u:secret@127.0.0.1/db", "LITE_DSN": "sqlite:///tmp/x.db", "WAREHOUSE_DSN": "postgres://127.0.0.1/w",
		"DBT_PROJECT_DIR": "/p"})
	whs, err := warehouseDSNs(file, env)
	require.NoError(t, err)
	var names []string
	for _, w := range whs {
		names = append(names, w.name)
	}
	assert.Equal(t, []string{"warehouse", "pg", "lite"}, names)
	projects, err := dbtConfigs(file, env)
	require.NoError(t, err)
	require.Len(t, projects, 2)
	assert.Equal(t, "dbt", projects[0].Name)
	assert.Equal(t, filepath.Join("/p", "target", "manifest.json"), projects[0].Manifest)
	assert.Equal(t, "shop", projects[1].Name)

	for name, bad := range map[string]string{
		"unknown section":       `{"warhouse": {}}`,
		"unknown field":         `{"warehouse": {"connections": [{"name": "pg", "dsn": "postgres://u:p@h/db"}]}}`,
		"provider typo field":   `{"datafold": {"api_key": "k"}}`,
		"dbt without manifest":  `{"dbt": {"projects": [{"name": "x"}]}}`,
		"warehouse without env": `{"warehouse": {"connections": [{"name": "pg"}]}}`,
	} {
		p := filepath.Join(dir, "bad.json")
		require.NoError(t, os.WriteFile(p, []byte(bad), 0o600))
		file, err := readConfig(p)
		if err == nil {
			_, err = warehouseDSNs(file, env)
		}
		if err == nil {
			_, err = dbtConfigs(file, env)
		}
		assert.Error(t, err, name)
	}
	// A DSN named by the file but not set is an error naming the variable,
	// never the value.
	file.Warehouse.Connections = []warehouseConn{{Name: "pg", DSNEnv: "UNSET_DSN"}}
	_, err = warehouseDSNs(file, env)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "UNSET_DSN")
}
