// Package upstreamtest fakes upstream APIs for tests, in two ways:
//
//   - [Registry] answers registered stubs at the HTTP transport, so the
//     real client code runs; a stub never used, or a request no stub
//     matches, fails the test (cli/cli's httpmock does the same);
//   - [Faults] is a real HTTP server whose routes misbehave the way
//     upstreams do (throttling, 5xx, timeouts, resets, cut or garbled
//     bodies, oversized answers, redirects to another port or host), the
//     one fault server of the client's, the tool layer's and the whole
//     server's fault tests.
//
// It is imported by tests only.
package upstreamtest
