package manifest

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tidwall/gjson"
)

// pipeline decodes map entries on worker goroutines while the scanner
// reads on: checking and decoding an entry costs several times more than
// finding its end. Entries are copied into batches (the scanner's buffer
// is reused); batches are recycled once decoded.
type pipeline[T any] struct {
	decode  func(d *decoder, section, id string, raw []byte) T
	batches chan *batch
	free    chan *batch
	cur     *batch
	results [][]T
	failed  atomic.Bool
	errMu   sync.Mutex
	err     error
	wg      sync.WaitGroup
}

type rawEntry struct {
	section, id string
	off         int64
	start, end  int
}

type batch struct {
	buf     []byte
	entries []rawEntry
}

const batchBytes = 1 << 20

func newPipeline[T any](decode func(d *decoder, section, id string, raw []byte) T) *pipeline[T] {
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	p := &pipeline[T]{decode: decode, batches: make(chan *batch, 2*workers), free: make(chan *batch, 3*workers), results: make([][]T, workers)}
	for w := 0; w < workers; w++ {
		p.wg.Add(1)
		go p.work(w)
	}
	return p
}

func (p *pipeline[T]) work(w int) {
	defer p.wg.Done()
	d := newDecoder()
	for b := range p.batches {
		for _, e := range b.entries {
			if p.failed.Load() {
				break
			}
			raw := b.buf[e.start:e.end]
			if !gjson.ValidBytes(raw) {
				p.fail(fmt.Errorf("offset %d: %s entry %q is not valid JSON", e.off, e.section, e.id))
				break
			}
			p.results[w] = append(p.results[w], p.decode(d, e.section, e.id, raw))
		}
		b.buf, b.entries = b.buf[:0], b.entries[:0]
		select {
		case p.free <- b:
		default:
		}
	}
}

func (p *pipeline[T]) fail(err error) {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil {
		p.err = err
	}
	p.failed.Store(true)
}

// add queues one entry; it returns a worker's error, to stop the scan.
func (p *pipeline[T]) add(section, id string, off int64, raw []byte) error {
	if p.failed.Load() {
		return p.firstErr()
	}
	if p.cur == nil {
		select {
		case p.cur = <-p.free:
		default:
			p.cur = &batch{buf: make([]byte, 0, batchBytes)}
		}
	}
	b := p.cur
	start := len(b.buf)
	b.buf = append(b.buf, raw...)
	b.entries = append(b.entries, rawEntry{section: section, id: id, off: off, start: start, end: len(b.buf)})
	if len(b.buf) >= batchBytes {
		p.flush()
	}
	return nil
}

func (p *pipeline[T]) flush() {
	if p.cur != nil && len(p.cur.entries) > 0 {
		p.batches <- p.cur
		p.cur = nil
	}
}

func (p *pipeline[T]) firstErr() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

// finish waits for the workers and returns every decoded entry.
func (p *pipeline[T]) finish() ([]T, error) {
	p.flush()
	close(p.batches)
	p.wg.Wait()
	if err := p.firstErr(); err != nil {
		return nil, err
	}
	var out []T
	for _, r := range p.results {
		out = append(out, r...)
	}
	return out, nil
}
