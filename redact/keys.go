package redact

import (
	"strings"
	"unsafe"
)

// normalize lower-cases k and drops the separators people put in key
// names, so that "Api-Key", "api_key" and "apiKey" compare equal. buf
// spares an allocation for keys of ordinary length; the result may share
// its memory.
func normalize(k string, buf []byte) string {
	b := buf[:0]
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-' || c == ' ' || c == '.':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// secretParts are what a key holding a credential contains.
var secretParts = []string{
	"password", "passwd", "passphrase", "secret", "credential",
	"privatekey", "privkey", "apikey", "accesskey", "secretkey", "sshkey",
	"signingkey", "encryptionkey", "decryptionkey", "masterkey", "sessionkey",
	"accountkey", "sharedkey", "licensekey", "keyfile", "keyjson",
	"serviceaccountjson", "connectionstring", "connstr",
}

// secretExact are whole key names that hold a credential.
var secretExact = map[string]bool{
	"jwt": true, "authorization": true, "cookie": true, "setcookie": true,
	"pass": true, "pwd": true, "otp": true, "totp": true,
}

// SecretKey reports whether a JSON key (or a key=value name) names a
// credential. Keys are compared without case, '_', '-', '.' or spaces:
// password, password2, db_password, passphrase, ssh_key, api-key,
// clientSecret, access_token, accessToken, id_token, refresh_token,
// authorization, … Only values are replaced, never flags: "has_password":
// true survives (see Redactor.Value).
func SecretKey(k string) bool {
	var buf [64]byte
	return secretName(normalize(k, buf[:]))
}

// secretName is SecretKey of a normalized key.
func secretName(n string) bool {
	if secretExact[n] {
		return true
	}
	for _, s := range secretParts {
		if strings.Contains(n, s) {
			return true
		}
	}
	// dsn only at an end: inside a word it is chance ("fieldsnotfound").
	return strings.HasSuffix(n, "token") || strings.HasSuffix(n, "pwd") ||
		strings.HasPrefix(n, "dsn") || strings.HasSuffix(n, "dsn")
}

// quantityEnds are endings of key names whose numbers describe a secret
// (its length, its age) rather than being one.
var quantityEnds = []string{
	"count", "length", "len", "size", "min", "max", "ttl", "age", "days",
	"hours", "minutes", "seconds", "expiresin", "expiry", "expires",
	"expiresat", "version", "id", "ids", "at", "attempts", "policy",
}

// secretNumberKey reports whether a number under key k is a secret: a
// numeric password or PIN, not a password_min_length.
func secretNumberKey(k string) bool { return keyClass(k).num }

// keyClass is what key k says about its value.
func keyClass(k string) class {
	var buf [64]byte
	n := normalize(k, buf[:])
	if !secretName(n) {
		return class{}
	}
	return class{str: true, num: !quantityName(n)}
}

// quantityName reports whether a normalized secret key names a quantity
// about the secret (its length, its age) rather than the secret.
func quantityName(n string) bool {
	for _, e := range quantityEnds {
		if strings.HasSuffix(n, e) && n != e {
			return true
		}
	}
	for _, p := range []string{"max", "min", "num", "total"} {
		if strings.HasPrefix(n, p) && n != p {
			return true
		}
	}
	return false
}
