// Package providers is the one table of the upstream APIs the server
// speaks to: for each provider its name, display name, how it
// authenticates, which environment variables configure it, its default base
// URL, the request headers that carry a person's own credentials in team
// mode, its OpenAPI file and the arguments an environment variable may
// default. Configuration, the upstream clients, team mode, error advice
// and the README derive from it, so adding a provider is one [Provider]
// row (plus its spec, its client quirks if any, and its sandbox handlers).
//
// It uses the standard library only, so every layer may import it.
package providers

import "strings"

// Names of the providers, as tool-name prefixes and configuration keys.
const (
	Datafold  = "datafold"
	PostHog   = "posthog"
	PDC       = "pdc"
	Lightdash = "lightdash"
)

// Auth is how a provider authenticates.
type Auth int

const (
	// APIKey sends a configured key in the Authorization header, after
	// [Provider.Scheme].
	APIKey Auth = iota
	// Login exchanges a username and password for a token (PDC).
	Login
)

// Provider is one upstream API.
type Provider struct {
	Name        string // datafold
	DisplayName string // Datafold
	Auth        Auth
	// Scheme is the Authorization scheme of an API key ("Key", "Bearer").
	Scheme string
	// APIKeyEnv, or UsernameEnv and PasswordEnv, hold the credentials.
	APIKeyEnv, UsernameEnv, PasswordEnv string
	// BaseURLEnv overrides DefaultBaseURL; an empty DefaultBaseURL means
	// the URL must be set.
	BaseURLEnv, DefaultBaseURL string
	// Team-mode request headers carrying a person's own credentials.
	APIKeyHeader, UsernameHeader, PasswordHeader string
	// SpecFile is the OpenAPI description under schemas/.
	SpecFile string
	// DefaultArgs maps tool arguments to the environment variables that
	// give them a default value (a single connection only).
	DefaultArgs map[string]string
}

// All lists every provider, in the order tools and documentation use.
var All = []Provider{
	{
		Name: Datafold, DisplayName: "Datafold", Auth: APIKey, Scheme: "Key",
		APIKeyEnv: "DATAFOLD_API_KEY", BaseURLEnv: "DATAFOLD_BASE_URL", DefaultBaseURL: "https://app.datafold.com",
		APIKeyHeader: "X-Datafold-Api-Key", SpecFile: "datafold.openapi.json",
	},
	{
		Name: PostHog, DisplayName: "PostHog", Auth: APIKey, Scheme: "Bearer",
		APIKeyEnv: "POSTHOG_API_KEY", BaseURLEnv: "POSTHOG_BASE_URL", DefaultBaseURL: "https://us.posthog.com",
		APIKeyHeader: "X-PostHog-Api-Key", SpecFile: "posthog.openapi.json",
		DefaultArgs: map[string]string{"project_id": "POSTHOG_PROJECT_ID"},
	},
	{
		Name: PDC, DisplayName: "Pentaho Data Catalog", Auth: Login,
		UsernameEnv: "PDC_USERNAME", PasswordEnv: "PDC_PASSWORD", BaseURLEnv: "PDC_URL",
		UsernameHeader: "X-PDC-Username", PasswordHeader: "X-PDC-Password", SpecFile: "pdc.openapi.json",
	},
	{
		Name: Lightdash, DisplayName: "Lightdash", Auth: APIKey, Scheme: "ApiKey",
		APIKeyEnv: "LIGHTDASH_API_KEY", BaseURLEnv: "LIGHTDASH_URL", DefaultBaseURL: "https://app.lightdash.cloud",
		APIKeyHeader: "X-Lightdash-Api-Key", SpecFile: "lightdash.openapi.json",
		DefaultArgs: map[string]string{"projectUuid": "LIGHTDASH_PROJECT_UUID"},
	},
}

// CrossProvider is the provider name of tools that span providers
// (diff_tables, lineage_impact, list_resources).
const CrossProvider = "datastack"

// Get returns the provider named name.
func Get(name string) (Provider, bool) {
	for _, p := range All {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// Names lists every provider's name, in table order.
func Names() []string {
	out := make([]string, len(All))
	for i, p := range All {
		out[i] = p.Name
	}
	return out
}

// DisplayName returns the name users know a provider by; tools that span
// providers are "Across providers" and an unknown name is returned as is.
func DisplayName(name string) string {
	if name == CrossProvider {
		return "Across providers"
	}
	if p, ok := Get(name); ok {
		return p.DisplayName
	}
	return name
}

// CredentialHint names the settings that hold the provider's credentials,
// for error texts: "DATAFOLD_API_KEY", "PDC_USERNAME and PDC_PASSWORD".
func (p Provider) CredentialHint() string {
	if p.Auth == APIKey {
		return p.APIKeyEnv
	}
	return p.UsernameEnv + " and " + p.PasswordEnv
}

// TeamHint is CredentialHint with the team-mode request headers.
func (p Provider) TeamHint() string {
	if p.Auth == APIKey {
		return p.CredentialHint() + " (or the " + p.APIKeyHeader + " request header)"
	}
	return p.CredentialHint() + " (or the " + p.UsernameHeader + " and " + p.PasswordHeader + " request headers)"
}

// CredentialHeaders names every team-mode credential header of every
// provider.
func CredentialHeaders() []string {
	var out []string
	for _, p := range All {
		for _, h := range []string{p.APIKeyHeader, p.UsernameHeader, p.PasswordHeader} {
			if h != "" {
				out = append(out, h)
			}
		}
	}
	return out
}

// EnvVars lists the environment variables that configure the provider.
func (p Provider) EnvVars() []string {
	var out []string
	for _, v := range []string{p.APIKeyEnv, p.UsernameEnv, p.PasswordEnv, p.BaseURLEnv} {
		if v != "" {
			out = append(out, v)
		}
	}
	for _, v := range p.DefaultArgs {
		out = append(out, v)
	}
	return out
}

// Known reports whether name is a provider; the error text lists them.
func Known(name string) bool { _, ok := Get(name); return ok }

// List is the provider names joined for messages: "datafold, posthog, …".
func List() string { return strings.Join(Names(), ", ") }
