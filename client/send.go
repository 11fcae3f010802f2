package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"
)

// call is a fully resolved request, ready to be sent one or more times.
type call struct {
	method      string
	template    string // path template, the only path that is logged
	path        string // expanded, escaped path (without base prefix), for errors
	url         *url.URL
	body        []byte
	contentType string
	read        bool          // the caller says it only reads: repeatable after an unknown outcome
	auth        authenticator // nil: send no Authorization header
}

// outcome is the result of a single attempt.
type outcome struct {
	status        int
	header        http.Header
	body          []byte
	tooLarge      bool   // a 2xx answer over maxBytes (body not kept)
	location      string // a 3xx answer: where it pointed (redirectTarget)
	retryAfter    time.Duration
	hasRetryAfter bool

	err      error // no usable HTTP answer (transport failure, body read failure)
	timedOut bool  // the attempt hit its own Timeout
	notSent  bool  // failed while connecting: nothing reached the upstream
}

// run sends cl until it succeeds, fails for good or runs out of retries.
func (c *Client) run(ctx context.Context, cl *call) (*Response, error) {
	var (
		attempts, retries int
		renewed           bool   // a 401 already led to fresh credentials
		stale             string // Authorization value the upstream rejected
	)
	for {
		var authz string
		if cl.auth != nil {
			a, err := cl.auth.authorization(ctx, stale)
			if err != nil {
				return nil, err
			}
			authz, stale = a, ""
		}
		attempts++
		o := c.attempt(ctx, cl, authz, attempts)

		if o.err == nil && o.status >= 200 && o.status < 300 {
			if o.tooLarge {
				return nil, c.tooLargeError(cl, o, attempts)
			}
			return &Response{Status: o.status, Header: o.header, Body: o.body}, nil
		}
		if o.err == nil && o.status == http.StatusUnauthorized && !renewed &&
			cl.auth != nil && cl.auth.renewable() {
			renewed, stale = true, authz
			continue
		}

		e := c.failure(ctx, cl, o, attempts)
		if ctx.Err() != nil || retries >= c.maxRetries || !shouldRetry(cl, o) {
			return nil, e
		}
		wait := c.retryWait(retries, o.retryAfter, o.hasRetryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
			// The caller's deadline would end the wait; report now.
			return nil, e
		}
		if err := c.sleep(ctx, wait); err != nil {
			if e.Err == nil {
				e.Err = fmt.Errorf("retry abandoned: %w", err)
			}
			return nil, e
		}
		retries++
	}
}

// attempt sends cl once, bounded by the per-attempt timeout, and reads at
// most maxBytes of a successful answer (body.go).
func (c *Client) attempt(ctx context.Context, cl *call, authz string, n int) *outcome {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()

	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body) // fresh reader: re-sendable
	}
	req, err := http.NewRequestWithContext(actx, cl.method, cl.url.String(), body)
	if err != nil {
		return c.logged(ctx, cl, n, start, &outcome{err: err})
	}
	u := *cl.url
	req.URL = &u // keep Path/RawPath exactly as built
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if cl.contentType != "" {
		req.Header.Set("Content-Type", cl.contentType)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		return c.logged(ctx, cl, n, start, transportOutcome(ctx, actx, err))
	}
	defer resp.Body.Close() // never read beyond the limit; an unread rest costs only the connection
	o := &outcome{status: resp.StatusCode, header: resp.Header}
	o.retryAfter, o.hasRetryAfter = parseRetryAfter(resp.Header, c.now())
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		o.location = redirectTarget(resp) // not followed: see New
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		o.body, err = readBody(resp, c.maxBytes)
		if errors.Is(err, errTooLarge) {
			o.tooLarge, err = true, nil
		}
	default:
		o.body, err = readErrorBody(resp)
	}
	if err != nil {
		// A half-read answer is no answer: treat it like a transport failure,
		// saying it broke off while reading (not while connecting).
		return c.logged(ctx, cl, n, start, transportOutcome(ctx, actx, fmt.Errorf("reading the answer: %w", err)))
	}
	return c.logged(ctx, cl, n, start, o)
}

// transportOutcome classifies a failure without a usable HTTP answer.
func transportOutcome(ctx, actx context.Context, err error) *outcome {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats the full URL, query string included
	}
	o := &outcome{err: err}
	var ne net.Error
	o.timedOut = ctx.Err() == nil &&
		(errors.Is(actx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()))
	var op *net.OpError
	o.notSent = errors.As(err, &op) && op.Op == "dial"
	return o
}

// logged writes the Debug record for one attempt: no headers, bodies or
// query strings, only the path template.
func (c *Client) logged(ctx context.Context, cl *call, n int, start time.Time, o *outcome) *outcome {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return o
	}
	attrs := []slog.Attr{
		slog.String("provider", c.provider),
		slog.String("method", cl.method),
		slog.String("path", cl.template),
		slog.Int("status", o.status),
		slog.Int("attempt", n),
		slog.Int64("duration_ms", time.Since(start).Milliseconds()),
	}
	switch {
	case o.timedOut:
		attrs = append(attrs, slog.String("error", "timeout"))
	case o.err != nil:
		attrs = append(attrs, slog.String("error", c.scrubKnown(o.err.Error())))
	case o.tooLarge:
		attrs = append(attrs, slog.String("error", "response too large"))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "upstream request", attrs...)
	return o
}
