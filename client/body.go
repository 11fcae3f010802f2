package client

import (
	"errors"
	"io"
	"net/http"
	"sync"
)

// Reading answers with bounded memory: a body is read once, into one
// buffer of its final size, and never beyond the limit.

// maxErrorBody bounds what is read of an error answer: its message is cut
// to maxMessage characters anyway.
const maxErrorBody = 64 << 10

// chunkSize is the size of the pooled chunks an answer of unknown length
// is read into before it is copied, once, into a buffer of its size.
const chunkSize = 32 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// errTooLarge reports a body over the limit; nothing more of it is read.
var errTooLarge = errors.New("body over the limit")

// readBody reads resp's body, at most limit bytes. A body declared (or
// found) to be longer is errTooLarge, without reading further. A body of
// known length is read straight into a buffer of that length; one of
// unknown length into pooled chunks, then copied into a buffer of its size.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return []byte{}, nil
	}
	if n := resp.ContentLength; n >= 0 {
		if n > limit {
			return nil, errTooLarge
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // shorter than declared
			}
			return nil, err
		}
		return buf, nil
	}
	var chunks []*[]byte
	defer func() {
		for _, c := range chunks {
			chunkPool.Put(c)
		}
	}()
	total, last := int64(0), 0 // last: bytes used in the last chunk
	for {
		if len(chunks) == 0 || last == chunkSize {
			chunks = append(chunks, chunkPool.Get().(*[]byte))
			last = 0
		}
		c := *chunks[len(chunks)-1]
		n, err := resp.Body.Read(c[last:])
		last += n
		total += int64(n)
		if total > limit {
			return nil, errTooLarge
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]byte, 0, total)
	for i, c := range chunks {
		if i == len(chunks)-1 {
			out = append(out, (*c)[:last]...)
		} else {
			out = append(out, *c...)
		}
	}
	return out, nil
}

// readErrorBody reads the start of an error answer, at most maxErrorBody
// bytes; the rest is left unread.
func readErrorBody(resp *http.Response) ([]byte, error) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
}
