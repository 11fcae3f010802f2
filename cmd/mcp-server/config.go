package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// providerEnv names the environment variables that configure a provider.
// Credentials only ever come from the environment (or from variables a
// config file names), never from tool arguments or the file itself.
type providerEnv struct {
	BaseURL     string // base URL variable
	DefaultURL  string // used when BaseURL is unset; "" means the URL is required
	APIKey      string // API key variable (Datafold, PostHog, Lightdash)
	Username    string // PDC
	Password    string // PDC
	Description string
}

var envs = map[string]providerEnv{
	schemas.Datafold:  {BaseURL: "DATAFOLD_BASE_URL", DefaultURL: "https://app.datafold.com", APIKey: "DATAFOLD_API_KEY"},
	schemas.PostHog:   {BaseURL: "POSTHOG_BASE_URL", DefaultURL: "https://us.posthog.com", APIKey: "POSTHOG_API_KEY"},
	schemas.Lightdash: {BaseURL: "LIGHTDASH_URL", DefaultURL: "https://app.lightdash.cloud", APIKey: "LIGHTDASH_API_KEY"},
	schemas.PDC:       {BaseURL: "PDC_URL", Username: "PDC_USERNAME", Password: "PDC_PASSWORD"},
}

// fileConfig is the optional JSON config file (--config): per provider,
// either one connection written flat or several under "connections". It
// names base URLs and the environment variables holding credentials; it
// never holds a secret itself. See README.md for the full format.
type fileConfig map[string]fileProvider

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

// upstream is one configured connection to a provider.
type upstream struct {
	provider string
	name     string
	cfg      client.Config
	policy   tools.Policy
	defaults map[string]any
}

// defaultEnv names variables that give a single-connection provider's
// argument defaults, for IDs a user always passes the same.
var defaultEnv = map[string]map[string]string{
	schemas.PostHog:   {"project_id": "POSTHOG_PROJECT_ID"},
	schemas.Lightdash: {"projectUuid": "LIGHTDASH_PROJECT_UUID"},
}

// configHint says where a provider's credentials are set, for error texts.
func configHint(p string) string {
	e := envs[p]
	if e.APIKey != "" {
		return e.APIKey
	}
	return e.Username + " and " + e.Password
}

var connectionName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// loadUpstreams reads the environment (and the config file, when given)
// and returns the connections that have credentials. Providers without
// any are reported in skipped.
func loadUpstreams(path string, getenv func(string) string, timeout time.Duration) (ups []upstream, skipped []string, err error) {
	var file fileConfig
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("config file: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&file); err != nil {
			return nil, nil, fmt.Errorf("config file %s: %w", path, err)
		}
		for p := range file {
			if _, ok := envs[p]; !ok {
				return nil, nil, fmt.Errorf("config file %s: unknown provider %q (want one of %s)", path, p, strings.Join(schemas.Providers, ", "))
			}
		}
	}
	for _, p := range schemas.Providers {
		conns := file[p].Connections
		if len(conns) == 0 {
			conns = []fileConnection{file[p].fileConnection}
		}
		seen := map[string]bool{}
		found := 0
		for i, fc := range conns {
			if fc.Name == "" {
				if len(conns) > 1 {
					return nil, nil, fmt.Errorf("config file: %s connection %d has no name; several connections need names", p, i+1)
				}
				fc.Name = "default"
			}
			if !connectionName.MatchString(fc.Name) || seen[fc.Name] {
				return nil, nil, fmt.Errorf("config file: %s connection name %q must be unique, lowercase letters, digits, - or _", p, fc.Name)
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
			skipped = append(skipped, p)
		}
	}
	sort.Strings(skipped)
	return ups, skipped, nil
}

// connection resolves one connection's settings; ok is false when its
// credentials are not set. The standard variables (DATAFOLD_API_KEY, …)
// apply only to a provider's single connection.
func connection(p string, fc fileConnection, single bool, getenv func(string) string, timeout time.Duration) (upstream, bool, error) {
	e := envs[p]
	pick := func(named, standard string) string {
		if named != "" {
			return getenv(named)
		}
		if single {
			return getenv(standard)
		}
		return ""
	}
	cfg := client.Config{Provider: p, Timeout: timeout, BaseURL: fc.BaseURL}
	if v := getenv(e.BaseURL); v != "" && single {
		cfg.BaseURL = v
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = e.DefaultURL
	}
	if e.APIKey != "" {
		if cfg.APIKey = pick(fc.APIKeyEnv, e.APIKey); cfg.APIKey == "" {
			return upstream{}, false, nil
		}
	} else {
		cfg.Username = pick(fc.UsernameEnv, e.Username)
		cfg.Password = pick(fc.PasswordEnv, e.Password)
		if cfg.Username == "" || cfg.Password == "" {
			return upstream{}, false, nil
		}
	}
	if cfg.BaseURL == "" {
		return upstream{}, false, fmt.Errorf("%s: credentials are set but no base URL: set %s", p, e.BaseURL)
	}
	defaults := map[string]any{}
	if single {
		for arg, env := range defaultEnv[p] {
			if v := getenv(env); v != "" {
				defaults[arg] = v
			}
		}
	}
	for k, v := range fc.Defaults {
		defaults[k] = v
	}
	return upstream{
		provider: p,
		name:     fc.Name,
		cfg:      cfg,
		policy:   tools.Policy{ReadOnly: fc.ReadOnly, Tools: fc.Tools, Exclude: fc.ExcludeTools},
		defaults: defaults,
	}, true, nil
}
