package resources

import (
	"sync"
	"time"
)

// cache keeps upstream answers for completions and resource listings for a
// short time (a client may ask for completions on every keystroke),
// bounded in entries. Errors are never cached. It is safe for concurrent
// use.
type cache struct {
	ttl  time.Duration
	size int
	now  func() time.Time

	mu    sync.Mutex
	seq   uint64
	m     map[string]cacheEntry
	order []cacheKey // insertion order, oldest first; stale occurrences are skipped
}

type cacheEntry struct {
	v   any
	at  time.Time
	seq uint64
}

type cacheKey struct {
	key string
	seq uint64
}

func newCache(ttl time.Duration, size int) *cache {
	return &cache{ttl: ttl, size: max(size, 1), now: time.Now, m: map[string]cacheEntry{}}
}

// get returns the value under key if it is younger than the TTL.
func (c *cache) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil, false
	}
	if c.now().Sub(e.at) >= c.ttl {
		delete(c.m, key)
		return nil, false
	}
	return e.v, true
}

// put stores v under key; past the size bound it evicts the oldest
// entries.
func (c *cache) put(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.m[key] = cacheEntry{v: v, at: c.now(), seq: c.seq}
	c.order = append(c.order, cacheKey{key, c.seq})
	kept := c.order[:0]
	for _, k := range c.order {
		e, ok := c.m[k.key]
		if !ok || e.seq != k.seq {
			continue // replaced or evicted since
		}
		if len(c.m) > c.size || c.now().Sub(e.at) >= c.ttl {
			delete(c.m, k.key)
			continue
		}
		kept = append(kept, k)
	}
	c.order = kept
}

// len returns the number of entries held.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
