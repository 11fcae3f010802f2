package main

import (
	"os"
	"path/filepath"
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
			ups, skipped, err := loadUpstreams(path, func(k string) string { return tc.env[k] }, time.Second)
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
	ups, skipped, err := loadUpstreams(path, func(k string) string { return env[k] }, time.Second)
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
			if _, _, err := loadUpstreams(p, func(string) string { return "k" }, time.Second); err == nil {
				t.Errorf("got no error, want the config refused")
			}
		})
	}
}
