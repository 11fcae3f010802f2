package providers

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTable: every row is complete for its auth scheme, names unique.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All {
		assert.False(t, seen[p.Name], "%s twice", p.Name)
		seen[p.Name] = true
		assert.NotEmpty(t, p.DisplayName, p.Name)
		assert.NotEmpty(t, p.BaseURLEnv, p.Name)
		assert.Equal(t, p.Name+".openapi.json", p.SpecFile, p.Name)
		switch p.Auth {
		case APIKey:
			assert.NotEmpty(t, p.Scheme, p.Name)
			assert.NotEmpty(t, p.APIKeyEnv, p.Name)
			assert.NotEmpty(t, p.APIKeyHeader, p.Name)
		case Login:
			assert.NotEmpty(t, p.UsernameEnv+p.PasswordEnv+p.UsernameHeader+p.PasswordHeader, p.Name)
		}
	}
	assert.Equal(t, "Across providers", DisplayName(CrossProvider))
	assert.Equal(t, "DATAFOLD_API_KEY", mustGet(t, Datafold).CredentialHint())
	assert.Equal(t, "PDC_USERNAME and PDC_PASSWORD (or the X-PDC-Username and X-PDC-Password request headers)", mustGet(t, PDC).TeamHint())
}

func mustGet(t *testing.T, name string) Provider {
	p, ok := Get(name)
	if !ok {
		t.Fatalf("no provider %s", name)
	}
	return p
}
