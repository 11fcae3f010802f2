package sandbox

import (
	"sync"
	"sync/atomic"
)

// memo is a concurrency-safe cache of bounded size for results that are pure
// functions of their key: once it holds max entries it is emptied and starts
// again, which keeps memory small whatever the traffic while the keys a
// session keeps using (a few ids, a few routes) stay cached.
type memo[K comparable, V any] struct {
	max int32
	m   sync.Map // K -> V
	n   atomic.Int32
}

func (c *memo[K, V]) load(k K) (V, bool) {
	v, ok := c.m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

func (c *memo[K, V]) store(k K, v V) {
	if c.n.Add(1) > c.max {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(k, v)
}
