// Package redact removes secrets from what the server hands to a model or a
// user: upstream answers (as decoded JSON values or as raw JSON bytes) and
// plain text such as error messages.
//
// Three kinds of secret are recognised:
//
//   - Known values: the configured credentials, those a request brings, and
//     secrets learned at run time (a PDC access token the server was
//     issued). They are matched on what a string means, not on how it is
//     spelled: JSON escapes (\u0064, \/, \-), percent-encoding and HTML
//     character references are decoded before matching, numbers and object
//     keys are checked too, and a secret inside JSON held in a string is
//     found after that JSON is parsed.
//
//   - Values under keys that name a credential (SecretKey): password,
//     passphrase, ssh_key, api_key, client_secret, access_token, … Strings
//     (and, for password-like keys, numbers) are replaced; objects under
//     such keys are walked, so that a "credentials" block keeps its
//     innocent fields.
//
//   - Values that look like credentials wherever they are: an
//     Authorization value ("Basic …", "Bearer …"), a JWT, a PEM private key
//     block, the password of a URL (user:pass@host), key=value pairs such as
//     password=… in a DSN or query string, and tokens with a well-known
//     prefix (Google's ya29., GitHub's ghp_, …).
//
// Every replacement is the string Redacted. A Redactor is safe for
// concurrent use; its set of known values can grow (Add, Learn) and be
// extended for one request (With). The package depends on the standard
// library only, so that the HTTP client and the tool layer can share it.
package redact
