package redact

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSecretKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"password", true},
		{"password2", true},
		{"Password", true},
		{"db_password", true},
		{"PASSWD", true},
		{"passphrase", true},
		{"key_passphrase", true},
		{"ssh_key", true},
		{"sshKey", true},
		{"private-key", true},
		{"api_key", true},
		{"X-Api-Key", true},
		{"clientSecret", true},
		{"client_secret", true},
		{"access_token", true},
		{"accessToken", true},
		{"id_token", true},
		{"refresh_token", true},
		{"authorization", true},
		{"Cookie", true},
		{"pwd", true},
		{"db_pwd", true},
		{"service_account_json", true},
		{"connection_string", true},
		{"credentials", true},
		{"signing_key", true},
		{"dsn", true},
		{"database_dsn", true},
		{"dsn_string", true},
		{"_fields_not_found", false},
		{"name", false},
		{"token_count", false},
		{"token_type", false},
		{"tokenizer", false},
		{"primary_key", false},
		{"key", false},
		{"auth", false},
		{"description", false},
		{"user", false},
		{"keys", false},
	} {
		t.Run(tc.key, func(t *testing.T) {
			assert.Equal(t, tc.want, SecretKey(tc.key), "SecretKey(%q): got %v, want %v", tc.key, SecretKey(tc.key), tc.want)
		})
	}
}

func TestSecretNumberKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"password", true},
		{"pin_password", true},
		{"db_pwd", true},
		{"passphrase", true},
		{"password_min_length", false},
		{"password_length", false},
		{"password_expires_in", false},
		{"max_password_age", false},
		{"token_count", false},
		{"secret_version", false},
		{"name", false},
	} {
		t.Run(tc.key, func(t *testing.T) {
			got := secretNumberKey(tc.key)
			assert.Equal(t, tc.want, got, "secretNumberKey(%q): got %v, want %v", tc.key, got, tc.want)
		})
	}
}
