package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/schemas"
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

// fileConfig is the optional JSON config file (--config). It names base
// URLs and which environment variables hold the credentials:
//
//	{"datafold": {"base_url": "https://app.datafold.com", "api_key_env": "DF_KEY"},
//	 "pdc": {"base_url": "https://pdc.example.com", "username_env": "PDC_USER", "password_env": "PDC_PASS"}}
type fileConfig map[string]struct {
	BaseURL     string `json:"base_url"`
	APIKeyEnv   string `json:"api_key_env"`
	UsernameEnv string `json:"username_env"`
	PasswordEnv string `json:"password_env"`
}

// upstream is one configured provider.
type upstream struct {
	provider string
	cfg      client.Config
}

// configHint says where a provider's credentials are set, for error texts.
func configHint(p string) string {
	e := envs[p]
	if e.APIKey != "" {
		return e.APIKey
	}
	return e.Username + " and " + e.Password
}

// loadUpstreams reads the environment (and the config file, when given)
// and returns the providers that have credentials. Providers without
// credentials are skipped and reported in skipped.
func loadUpstreams(path string, getenv func(string) string, timeout time.Duration) (ups []upstream, skipped []string, err error) {
	var file fileConfig
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("config file: %w", err)
		}
		if err := json.Unmarshal(b, &file); err != nil {
			return nil, nil, fmt.Errorf("config file %s: %w", path, err)
		}
		for p := range file {
			if _, ok := envs[p]; !ok {
				return nil, nil, fmt.Errorf("config file %s: unknown provider %q (want one of %s)", path, p, strings.Join(schemas.Providers, ", "))
			}
		}
	}
	for _, p := range schemas.Providers {
		e := envs[p]
		f := file[p]
		pick := func(fileEnv, def string) string {
			if fileEnv != "" {
				return getenv(fileEnv)
			}
			return getenv(def)
		}
		cfg := client.Config{Provider: p, Timeout: timeout}
		cfg.BaseURL = f.BaseURL
		if v := getenv(e.BaseURL); v != "" {
			cfg.BaseURL = v
		}
		if cfg.BaseURL == "" {
			cfg.BaseURL = e.DefaultURL
		}
		if e.APIKey != "" {
			cfg.APIKey = pick(f.APIKeyEnv, e.APIKey)
			if cfg.APIKey == "" {
				skipped = append(skipped, p)
				continue
			}
		} else {
			cfg.Username = pick(f.UsernameEnv, e.Username)
			cfg.Password = pick(f.PasswordEnv, e.Password)
			if cfg.Username == "" || cfg.Password == "" {
				skipped = append(skipped, p)
				continue
			}
		}
		if cfg.BaseURL == "" {
			return nil, nil, fmt.Errorf("%s: credentials are set but no base URL: set %s", p, e.BaseURL)
		}
		ups = append(ups, upstream{provider: p, cfg: cfg})
	}
	sort.Strings(skipped)
	return ups, skipped, nil
}
