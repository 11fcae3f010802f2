package server

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadUpstreams(t *testing.T) {
	cases := []struct {
		name        string
		env         map[string]string
		file        string
		wantURLs    map[string]string
		wantSkipped string
		wantErr     string
	}{
		{
			name:        "nothing configured",
			wantSkipped: "datafold,lightdash,pdc,posthog",
		},
		{
			name:        "datafold default host",
			env:         map[string]string{"DATAFOLD_API_KEY": "k"},
			wantURLs:    map[string]string{"datafold": "https://app.datafold.com"},
			wantSkipped: "lightdash,pdc,posthog",
		},
		{
			name:        "posthog eu and lightdash instance",
			env:         map[string]string{"POSTHOG_API_KEY": "phx", "POSTHOG_BASE_URL": "https://eu.posthog.com", "LIGHTDASH_API_KEY": "t", "LIGHTDASH_URL": "https://ld.example.com"},
			wantURLs:    map[string]string{"posthog": "https://eu.posthog.com", "lightdash": "https://ld.example.com"},
			wantSkipped: "datafold,pdc",
		},
		{
			name:    "pdc needs a host",
			env:     map[string]string{"PDC_USERNAME": "u", "PDC_PASSWORD": "p"},
			wantErr: "PDC_URL",
		},
		{
			name:        "pdc needs both credentials",
			env:         map[string]string{"PDC_USERNAME": "u", "PDC_URL": "https://pdc.example.com"},
			wantSkipped: "datafold,lightdash,pdc,posthog",
		},
		{
			name:        "config file names the variables",
			env:         map[string]string{"MY_DF": "k", "PDC_U": "u", "PDC_P": "p"},
			file:        `{"datafold": {"base_url": "https://df.example.com", "api_key_env": "MY_DF"}, "pdc": {"base_url": "https://pdc.example.com", "username_env": "PDC_U", "password_env": "PDC_P"}}`,
			wantURLs:    map[string]string{"datafold": "https://df.example.com", "pdc": "https://pdc.example.com"},
			wantSkipped: "lightdash,posthog",
		},
		{
			name:    "config file with unknown provider",
			file:    `{"snowflake": {}}`,
			wantErr: "unknown provider",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.file != "" {
				path = filepath.Join(t.TempDir(), "config.json")
				if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ups, skipped, err := load(path, func(k string) string { return tc.env[k] }, time.Second)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, u := range ups {
				got[u.provider] = u.cfg.BaseURL
			}
			if len(got) != len(tc.wantURLs) {
				t.Errorf("got providers %v, want %v", got, tc.wantURLs)
			}
			for p, want := range tc.wantURLs {
				if got[p] != want {
					t.Errorf("%s base URL got %q, want %q", p, got[p], want)
				}
			}
			if g := strings.Join(skipped, ","); g != tc.wantSkipped {
				t.Errorf("skipped got %q, want %q", g, tc.wantSkipped)
			}
		})
	}
}

func TestLoadUpstreamsConnections(t *testing.T) {
	file := `{
	  "datafold": {"connections": [
	    {"name": "app", "base_url": "https://app.datafold.com", "api_key_env": "DF_APP", "read_only": true},
	    {"name": "eu", "base_url": "https://eu.datafold.example", "api_key_env": "DF_EU", "exclude_tools": ["datafold_trigger_ci_run"]},
	    {"name": "unset", "base_url": "https://x.example", "api_key_env": "DF_UNSET"}
	  ]},
	  "posthog": {"base_url": "https://eu.posthog.com", "api_key_env": "PH", "defaults": {"project_id": "7"}}
	}`
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DF_APP": "a", "DF_EU": "e", "PH": "p", "DATAFOLD_API_KEY": "ignored-for-named-connections"}
	ups, skipped, err := load(path, func(k string) string { return env[k] }, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range ups {
		got = append(got, u.provider+"/"+u.name+"@"+u.cfg.BaseURL)
	}
	want := "datafold/app@https://app.datafold.com,datafold/eu@https://eu.datafold.example,posthog/default@https://eu.posthog.com"
	if strings.Join(got, ",") != want {
		t.Errorf("connections got %v, want %s", got, want)
	}
	if !ups[0].policy.ReadOnly || len(ups[1].policy.Exclude) != 1 {
		t.Errorf("policies got %+v and %+v, want app read-only and eu excluding one tool", ups[0].policy, ups[1].policy)
	}
	if ups[2].defaults["project_id"] != "7" {
		t.Errorf("posthog defaults got %v, want project_id 7", ups[2].defaults)
	}
	if g := strings.Join(skipped, ","); g != "lightdash,pdc" {
		t.Errorf("skipped got %s, want lightdash,pdc", g)
	}

	for name, bad := range map[string]string{
		"unnamed connections": `{"datafold": {"connections": [{"api_key_env": "A"}, {"api_key_env": "B"}]}}`,
		"duplicate names":     `{"datafold": {"connections": [{"name": "x", "api_key_env": "A"}, {"name": "x", "api_key_env": "B"}]}}`,
		"unknown field":       `{"datafold": {"api_key": "secret-in-file"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.json")
			if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := load(p, func(string) string { return "k" }, time.Second); err == nil {
				t.Errorf("got no error, want the config refused")
			}
		})
	}
}

// load reads the config file at path (none when "") and loads its
// connections, as Build does.
func load(path string, getenv func(string) string, timeout time.Duration) ([]upstream, []string, error) {
	file, err := readConfig(path)
	if err != nil {
		return nil, nil, err
	}
	return loadUpstreams(file, getenv, timeout)
}

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestTeamModeUpstreams: which connections team mode offers.
func TestTeamModeUpstreams(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string // provider/connection base URL
	}{
		{"defaults without PDC_URL", nil, []string{
			"datafold/default https://app.datafold.com", "posthog/default https://us.posthog.com", "lightdash/default https://app.lightdash.cloud"}},
		{"configured hosts", map[string]string{"PDC_URL": "https://pdc.example.com", "POSTHOG_BASE_URL": "https://eu.posthog.com", "DATAFOLD_API_KEY": "k-1234"}, []string{
			"datafold/default https://app.datafold.com", "posthog/default https://eu.posthog.com", "pdc/default https://pdc.example.com", "lightdash/default https://app.lightdash.cloud"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ups, _, err := load("", envMap(tc.env), 0)
			if err != nil {
				t.Fatal(err)
			}
			ups, _ = teamUpstreams(fileConfig{}, ups, envMap(tc.env), 0, slog.New(slog.DiscardHandler))
			var got []string
			for _, u := range ups {
				got = append(got, u.provider+"/"+u.name+" "+u.cfg.BaseURL)
				if !u.cfg.RequestCredentials {
					t.Errorf("%s: RequestCredentials got false, want true in team mode", u.provider)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("connections got %q, want %q", got, tc.want)
			}
		})
	}
}
