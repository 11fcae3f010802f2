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
