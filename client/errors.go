package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Error is every failure of Do after the request was resolved: a non-2xx
// answer, a transport failure or timeout, or an oversized answer. Its text
// never contains the configured credentials.
type Error struct {
	Provider string
	Method   string
	// Path is the expanded request path, without query string.
	Path string
	// Status is the HTTP status of the last answer; 0 when none arrived.
	Status int
	// Message is the upstream's own message (or a description of the
	// failure), at most 300 characters, secrets removed.
	Message string
	// RetryAfter is the Retry-After of the last answer, if it had one.
	RetryAfter time.Duration
	// Attempts counts the HTTP attempts made.
	Attempts int
	// Timeout is set when an attempt or the caller's context timed out.
	Timeout bool
	// TooLarge is set when a successful answer exceeded MaxResponseBytes.
	TooLarge bool
	// Location is where a redirect (3xx) pointed, without credentials or
	// query, at most 150 characters. Redirects are never followed (Err is
	// ErrRedirect).
	Location string
	// Hint, when set, says what to check or change (e.g. PDC credentials).
	Hint string
	// Err is the underlying cause, if any.
	Err error

	scrub func(string) string
}

// Error formats the failure on one line, e.g.
// "datafold GET /api/v1/data_sources/7: 404 Not Found: Data source not found".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: ", e.Provider, e.Method, e.Path)
	switch {
	case e.Status == 0 || e.TooLarge:
		msg := e.Message
		if msg == "" && e.Err != nil {
			msg = e.Err.Error()
		}
		if msg == "" {
			msg = "request failed"
		}
		b.WriteString(msg)
	default:
		b.WriteString(statusLine(e.Status))
		if e.Message != "" && e.Message != http.StatusText(e.Status) {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	if e.Status != 0 && e.Err != nil {
		b.WriteString("; ")
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	if e.scrub != nil {
		return e.scrub(b.String())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

func statusLine(status int) string {
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return strconv.Itoa(status)
}

// ErrRedirect is the cause (Error.Err, errors.Is) of the *Error for an
// upstream that answered with a redirect: the client sends requests to the
// configured base URL only and follows no redirect, so that credentials,
// a PDC login form or a request body never reach another host or port, and
// another host's answer never passes for the upstream's.
var ErrRedirect = errors.New("redirect not followed")

// maxLocation bounds Error.Location.
const maxLocation = 150

// redirectError fills e for a 3xx answer: where it pointed and which
// base URL the client is configured with.
func (c *Client) redirectError(e *Error, o *outcome) {
	e.Err = ErrRedirect
	e.Location = c.scrubKnown(o.location)
	base := c.base.String() + c.prefix
	e.Message = fmt.Sprintf("redirected to %s, which is not followed: requests go to the configured base URL %s only", e.Location, base)
	e.Hint = "if the API has moved, configure its new address as the base URL"
}

// redirectTarget is the Location of a 3xx answer, resolved against the
// request URL, without userinfo, query or fragment, at most maxLocation
// characters.
func redirectTarget(resp *http.Response) string {
	loc := strings.TrimSpace(resp.Header.Get("Location"))
	if loc == "" {
		return "nowhere (no Location header)"
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "an unreadable Location"
	}
	if resp.Request != nil && resp.Request.URL != nil {
		u = resp.Request.URL.ResolveReference(u)
	}
	u.User = nil
	rest := ""
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		rest = "?…"
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return bound(oneLine(u.String()+rest), maxLocation)
}

// newError fills the fields every Error of call cl shares.
func (c *Client) newError(cl *call, attempts int) *Error {
	return &Error{
		Provider: c.provider,
		Method:   cl.method,
		Path:     cl.path,
		Attempts: attempts,
		scrub:    c.scrubKnown,
	}
}

// scrubKnown replaces the known secrets (credentials, issued tokens) in an
// error text, however spelled. Whole texts are not redacted by shape: a
// path such as /gdrive/get-access-token: 500 is no secret.
func (c *Client) scrubKnown(s string) string { return c.known.Text(s) }

// failure turns a failed attempt into an Error.
func (c *Client) failure(ctx context.Context, cl *call, o *outcome, attempts int) *Error {
	e := c.newError(cl, attempts)
	if o.err == nil {
		e.Status = o.status
		e.RetryAfter = o.retryAfter
		if o.status >= 300 && o.status < 400 {
			c.redirectError(e, o)
			return e
		}
		e.Message = extractMessage(o.status, o.body, c.red.Text)
		return e
	}
	e.Err = o.err
	switch cerr := ctx.Err(); {
	case errors.Is(cerr, context.DeadlineExceeded):
		e.Err, e.Timeout = cerr, true
		e.Message = "timed out: the caller's deadline passed"
	case cerr != nil:
		e.Err = cerr
		e.Message = "canceled: " + cerr.Error()
	case o.timedOut:
		e.Timeout = true
		e.Message = "timed out after " + c.timeout.String()
	default:
		e.Message = bound("request failed: "+c.scrubKnown(o.err.Error()), maxMessage)
	}
	return e
}

// tooLargeError reports a successful answer that exceeded maxBytes.
func (c *Client) tooLargeError(cl *call, o *outcome, attempts int) *Error {
	e := c.newError(cl, attempts)
	e.Status = o.status
	e.TooLarge = true
	e.Message = fmt.Sprintf("response too large: the HTTP %d answer exceeded %d bytes", o.status, c.maxBytes)
	e.Hint = "narrow the request (filters, a smaller limit, pagination)"
	return e
}
