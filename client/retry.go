package client

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// baseBackoff is the first wait when the upstream gives no Retry-After;
// each further retry doubles it (with jitter) up to MaxRetryWait.
const baseBackoff = 200 * time.Millisecond

// shouldRetry decides whether outcome o of call cl may be repeated.
//
// 429 and 503 say the request was not processed, so any request may be
// repeated. 502, 504 and transport failures leave it unknown whether the
// upstream acted, so only a request its caller marked as a read
// (Request.Read) is repeated, unless the failure happened while connecting
// (nothing was sent yet). The method does not decide: a GET can start a
// resync (datafold_sync_bi_integration), and a PUT or DELETE repeated
// after an unknown outcome may meet a different state than the first.
func shouldRetry(cl *call, o *outcome) bool {
	if o.err != nil {
		return cl.read || o.notSent
	}
	switch o.status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return cl.read
	}
	return false
}

// retryWait is the wait before retry number retry+1: Retry-After when the
// upstream sent one, else exponential backoff with jitter; never more than
// maxRetryWait.
func (c *Client) retryWait(retry int, retryAfter time.Duration, hasRetryAfter bool) time.Duration {
	if hasRetryAfter {
		return min(retryAfter, c.maxRetryWait)
	}
	d := c.maxRetryWait
	if retry < 16 {
		d = min(baseBackoff<<retry, c.maxRetryWait)
	}
	// Jitter over the upper half spreads callers that failed together.
	half := d / 2
	return half + rand.N(d-half+1)
}

// parseRetryAfter reads a Retry-After header (delta-seconds or HTTP-date).
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleep waits for d or until ctx is done, whichever comes first, and
// returns ctx.Err() in the latter case. It leaves no timer behind.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
