// Package client is the one place where datastack-mcp talks HTTP to the
// upstream data platforms: Datafold, PostHog, Pentaho Data Catalog (PDC) and
// Lightdash. The tool layer describes a call in OpenAPI terms (method, path
// template, path parameters, query, raw JSON body) and gets back the status,
// headers and body, or an *Error that is safe to show to a model or a user.
//
// What this package owns, and why it is built the way it is:
//
//   - Authentication. Each provider has its own Authorization scheme
//     (Datafold "Key", PostHog "Bearer", Lightdash "ApiKey"). PDC has no
//     long-lived key: the client logs in with username and password, caches the
//     JWT until shortly before it expires (expiresIn if the answer carries it,
//     else the token's exp claim) and logs in again after a 401. Logins are
//     serialised through a context-aware semaphore so that concurrent callers
//     share a single login and a caller that gives up is not stuck behind it.
//
//   - The configured origin only. Redirects are never followed (an
//     http.Client CheckRedirect that keeps the 3xx answer): a 3xx is an
//     *Error wrapping ErrRedirect whose text says where it pointed
//     (Location without userinfo or query) and which base URL is
//     configured. Following one would send the Authorization header, a
//     request body or the PDC login form (307/308 re-post it) to another
//     port or host, and pass that host's answer off as the upstream's.
//
//   - URL building. Path parameters are escaped as exactly one path segment
//     and the URL is given both Path and RawPath, so values such as Datafold
//     table paths (db."my.schema".t) or names containing "/" reach the server
//     byte for byte instead of being split into segments or re-encoded by
//     net/url. A missing path parameter is an error, never a request to the
//     wrong endpoint.
//
//   - Resilience with bounds. Every attempt has its own timeout and the
//     caller's context bounds the whole call. Retries are few (MaxRetries) and
//     only where they are safe: 429 and 503 mean the request was not
//     processed, so any request is retried; 502, 504 and transport failures
//     are retried only for requests the caller marks as reads
//     (Request.Read, from what the operation does rather than its method:
//     a GET may start a sync), because a write may already have taken
//     effect (connection failures before anything was sent are the
//     exception). Retry-After is honoured but capped, so an upstream cannot
//     park a tool call for minutes. Waits end as soon as the context does.
//
//   - Bounded memory. A successful answer is read once into one buffer of
//     its size: straight into it when its length is declared, else into
//     pooled chunks copied once at the end. One declared (or found) to be
//     larger than MaxResponseBytes is reported as TooLarge without reading
//     further; error answers are read up to 64 KiB, enough for a message.
//
//   - Errors people can act on. Upstream error bodies come in many shapes
//     (FastAPI detail lists, {"error":{"message"}}, HTML proxy pages); Error
//     reduces them to one short line and keeps the status, attempt count and
//     cause for programs.
//
//   - Not leaking secrets. Headers, bodies and query strings are never logged
//     (only the path template, status and timings, at Debug), and the
//     configured API key, password and issued PDC tokens are scrubbed from every
//     error text, even when an upstream echoes them back, however escaped
//     (package redact matches decoded values). What only the client knows
//     (issued tokens, a request's own credentials) is removed from
//     successful answers too, and a Redactor shared through Config.Redactor
//     learns the issued tokens, so that the tool layer removes them from
//     every provider's answers.
//
// Only the standard library and package redact are used; in particular the
// package does not depend on the MCP SDK, so it can be tested and reused on
// its own. Do never starts goroutines that outlive it.
package client
