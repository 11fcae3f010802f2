package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// fileConfig is the optional JSON config file (--config): per provider,
// either one connection written flat or several under "connections";
// "warehouse" names the user's databases and "dbt" their dbt projects. It
// names base URLs, paths and the environment variables holding
// credentials; it never holds a secret itself. See README.md for the full
// format.
type fileConfig struct {
	providers map[string]fileProvider
	Warehouse warehouseConfig
	DBT       dbtConfig
}

// warehouseConfig is the "warehouse" section: the user's own databases,
// read only, each with the environment variable holding its DSN.
type warehouseConfig struct {
	Connections []warehouseConn `json:"connections"`
}

type warehouseConn struct {
	Name   string `json:"name"`
	DSNEnv string `json:"dsn_env"`
}

// dbtConfig is the "dbt" section: dbt projects by their artifacts.
type dbtConfig struct {
	Projects []dbt.Config `json:"projects"`
}

type fileProvider struct {
	fileConnection
	Connections []fileConnection `json:"connections"`
}

type fileConnection struct {
	Name         string         `json:"name"`
	BaseURL      string         `json:"base_url"`
	APIKeyEnv    string         `json:"api_key_env"`
	UsernameEnv  string         `json:"username_env"`
	PasswordEnv  string         `json:"password_env"`
	ReadOnly     bool           `json:"read_only"`
	Tools        []string       `json:"tools"`
	ExcludeTools []string       `json:"exclude_tools"`
	Defaults     map[string]any `json:"defaults"`
}

// connections lists a provider's connections as the file writes them:
// the flat form is one connection.
func (f fileConfig) connections(p string) []fileConnection {
	if conns := f.providers[p].Connections; len(conns) > 0 {
		return conns
	}
	return []fileConnection{f.providers[p].fileConnection}
}

// upstream is one configured connection to a provider.
type upstream struct {
	provider string
	name     string
	cfg      client.Config
	policy   tools.Policy
	defaults map[string]any
}

// readConfig reads and checks the config file once; an empty path is an
// empty configuration.
func readConfig(path string) (fileConfig, error) {
	file := fileConfig{providers: map[string]fileProvider{}}
	if path == "" {
		return file, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return file, fmt.Errorf("config file: %w", err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(b, &sections); err != nil {
		return file, fmt.Errorf("config file %s: %w", path, err)
	}
	strict := func(key string, raw json.RawMessage, v any) error {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, key, err)
		}
		return nil
	}
	for key, raw := range sections {
		switch {
		case key == "warehouse":
			err = strict(key, raw, &file.Warehouse)
		case key == "dbt":
			err = strict(key, raw, &file.DBT)
		case providers.Known(key):
			var fp fileProvider
			err = strict(key, raw, &fp)
			file.providers[key] = fp
		default:
			err = fmt.Errorf("config file %s: unknown provider or section %q (want one of %s, warehouse, dbt)", path, key, providers.List())
		}
		if err != nil {
			return file, err
		}
	}
	return file, nil
}

var connectionName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// loadUpstreams returns the connections of file and the environment that
// have credentials. Providers without any are reported in skipped.
func loadUpstreams(file fileConfig, getenv func(string) string, timeout time.Duration) (ups []upstream, skipped []string, err error) {
	for _, p := range providers.All {
		conns := file.connections(p.Name)
		seen := map[string]bool{}
		found := 0
		for i, fc := range conns {
			if fc.Name == "" {
				if len(conns) > 1 {
					return nil, nil, fmt.Errorf("config file: %s connection %d has no name; several connections need names", p.Name, i+1)
				}
				fc.Name = "default"
			}
			if !connectionName.MatchString(fc.Name) || seen[fc.Name] {
				return nil, nil, fmt.Errorf("config file: %s connection name %q must be unique, lowercase letters, digits, - or _", p.Name, fc.Name)
			}
			seen[fc.Name] = true
			u, ok, err := connection(p, fc, len(conns) == 1, getenv, timeout)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				ups = append(ups, u)
				found++
			}
		}
		if found == 0 {
			skipped = append(skipped, p.Name)
		}
	}
	sort.Strings(skipped)
	return ups, skipped, nil
}

// baseURL is a connection's base URL: the provider's variable (a single
// connection only), the file's, or the provider's default.
func baseURL(p providers.Provider, fc fileConnection, single bool, getenv func(string) string) string {
	if v := getenv(p.BaseURLEnv); v != "" && single {
		return v
	}
	if fc.BaseURL != "" {
		return fc.BaseURL
	}
	return p.DefaultBaseURL
}

// argDefaults are a connection's argument defaults: the provider's
// variables (a single connection only), then the file's.
func argDefaults(p providers.Provider, fc fileConnection, single bool, getenv func(string) string) map[string]any {
	defaults := map[string]any{}
	if single {
		for arg, env := range p.DefaultArgs {
			if v := getenv(env); v != "" {
				defaults[arg] = v
			}
		}
	}
	for k, v := range fc.Defaults {
		defaults[k] = v
	}
	for k, v := range argFallbacks[p.Name] {
		if _, set := defaults[k]; !set {
			defaults[k] = v
		}
	}
	return defaults
}

// argFallbacks are argument defaults no configuration needs to give:
// PostHog's project_id is the API key owner's current project unless
// POSTHOG_PROJECT_ID or the config file names one.
var argFallbacks = map[string]map[string]any{
	providers.PostHog: {"project_id": "@current"},
}

// fallbackDefaults is a copy of a provider's argFallbacks (the sandbox's
// connections, which read no configuration).
func fallbackDefaults(provider string) map[string]any {
	out := map[string]any{}
	for k, v := range argFallbacks[provider] {
		out[k] = v
	}
	return out
}

// connection resolves one connection's settings; ok is false when its
// credentials are not set. The standard variables (DATAFOLD_API_KEY, …)
// apply only to a provider's single connection.
func connection(p providers.Provider, fc fileConnection, single bool, getenv func(string) string, timeout time.Duration) (upstream, bool, error) {
	pick := func(named, standard string) string {
		if named != "" {
			return getenv(named)
		}
		if single {
			return getenv(standard)
		}
		return ""
	}
	cfg := client.Config{Provider: p.Name, Timeout: timeout, BaseURL: baseURL(p, fc, single, getenv)}
	if p.Auth == providers.APIKey {
		if cfg.APIKey = pick(fc.APIKeyEnv, p.APIKeyEnv); cfg.APIKey == "" {
			return upstream{}, false, nil
		}
	} else {
		cfg.Username = pick(fc.UsernameEnv, p.UsernameEnv)
		cfg.Password = pick(fc.PasswordEnv, p.PasswordEnv)
		if cfg.Username == "" || cfg.Password == "" {
			return upstream{}, false, nil
		}
	}
	if cfg.BaseURL == "" {
		return upstream{}, false, fmt.Errorf("%s: credentials are set but no base URL: set %s", p.Name, p.BaseURLEnv)
	}
	return upstream{
		provider: p.Name,
		name:     fc.Name,
		cfg:      cfg,
		policy:   tools.Policy{ReadOnly: fc.ReadOnly, Tools: fc.Tools, Exclude: fc.ExcludeTools},
		defaults: argDefaults(p, fc, single, getenv),
	}, true, nil
}

// teamUpstreams completes the configured connections for team mode
// (--allow-client-credentials): every connection accepts request
// credentials, and connections (or providers) without server-side
// credentials are added when their base URL is known (set, or the
// provider's default: PDC needs PDC_URL); a request to one without
// credential headers then fails with a clear 401 tool error. ups are what
// loadUpstreams returned.
func teamUpstreams(file fileConfig, ups []upstream, getenv func(string) string, timeout time.Duration, logger *slog.Logger) ([]upstream, []string) {
	byKey := map[string]upstream{}
	for _, u := range ups {
		byKey[u.provider+"/"+u.name] = u
	}
	var out []upstream
	var skipped []string
	for _, p := range providers.All {
		conns := file.connections(p.Name)
		single := len(conns) == 1
		found := 0
		for _, fc := range conns {
			if fc.Name == "" {
				fc.Name = "default"
			}
			if u, ok := byKey[p.Name+"/"+fc.Name]; ok {
				u.cfg.RequestCredentials = true
				out = append(out, u)
				found++
				continue
			}
			base := baseURL(p, fc, single, getenv)
			if base == "" {
				logger.Info("team mode: provider has no base URL; its tools are not offered", "provider", p.Name, "connection", fc.Name, "set", p.BaseURLEnv)
				continue
			}
			out = append(out, upstream{
				provider: p.Name,
				name:     fc.Name,
				cfg:      client.Config{Provider: p.Name, BaseURL: base, Timeout: timeout, RequestCredentials: true},
				policy:   tools.Policy{ReadOnly: fc.ReadOnly, Tools: fc.Tools, Exclude: fc.ExcludeTools},
				defaults: argDefaults(p, fc, single, getenv),
			})
			logger.Info("team mode: connection without server credentials; each request must bring its own", "provider", p.Name, "connection", fc.Name)
			found++
		}
		if found == 0 {
			skipped = append(skipped, p.Name)
		}
	}
	return out, skipped
}

// configHint says where a provider's credentials are set, for error texts.
func configHint(name string, team bool) string {
	p, _ := providers.Get(name)
	if team {
		return p.TeamHint()
	}
	return p.CredentialHint()
}
