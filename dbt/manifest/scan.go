package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// objectScanner reads a JSON document one top-level member at a time
// without decoding what it skips: a manifest's macros, docs and maps are
// most of its bytes and none of what lineage needs. It only checks the
// structure it walks (brackets, strings, commas); the values it hands out
// are checked again by their decoder.
type objectScanner struct {
	r   io.Reader
	buf []byte
	pos int // next unread byte
	end int // end of valid data in buf
	// keep is the start of a value being captured (its bytes stay in buf
	// across refills), or -1.
	keep int
	eof  bool
	err  error
	// off is the file offset of buf[0], for error messages.
	off int64
}

const scanBufSize = 256 << 10

func newObjectScanner(r io.Reader) *objectScanner {
	return &objectScanner{r: r, buf: make([]byte, scanBufSize), keep: -1}
}

// errTruncated is the error of a document that ends too early (a file still
// being written).
var errTruncated = errors.New("unexpected end of JSON (file truncated or still being written?)")

// fill reads more input. It keeps buf[keep:] (or buf[pos:]) and grows the
// buffer when a captured value does not fit. It returns false at the end of
// the input or on a read error (s.err).
func (s *objectScanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	from := s.pos
	if s.keep >= 0 && s.keep < from {
		from = s.keep
	}
	if from > 0 {
		n := copy(s.buf, s.buf[from:s.end])
		s.off += int64(from)
		s.pos -= from
		s.end = n
		if s.keep >= 0 {
			s.keep -= from
		}
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err == io.EOF {
		s.eof = true
	} else if err != nil {
		s.err = err
	}
	return n > 0 || (!s.eof && s.err == nil)
}

func (s *objectScanner) errorf(format string, args ...any) error {
	if s.err != nil {
		return s.err
	}
	return fmt.Errorf("offset %d: %s", s.off+int64(s.pos), fmt.Sprintf(format, args...))
}

// peek returns the next byte that is not white space, without consuming it.
func (s *objectScanner) peek() (byte, error) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\r', '\n':
				s.pos++
			default:
				return c, nil
			}
		}
		if !s.fill() {
			if s.err != nil {
				return 0, s.err
			}
			return 0, errTruncated
		}
	}
}

// expect consumes the byte c (after white space).
func (s *objectScanner) expect(c byte) error {
	got, err := s.peek()
	if err != nil {
		return err
	}
	if got != c {
		return s.errorf("expected %q, found %q", c, got)
	}
	s.pos++
	return nil
}

// value scans the next value. When capture is set it returns the value's
// bytes, valid until the next call.
func (s *objectScanner) value(capture bool) ([]byte, error) {
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	start := s.pos
	if capture {
		s.keep = start
		defer func() { s.keep = -1 }()
	}
	switch c {
	case '{', '[', '"':
		if err := s.scanComposite(); err != nil {
			return nil, err
		}
	default:
		if err := s.scanLiteral(); err != nil {
			return nil, err
		}
	}
	if !capture {
		return nil, nil
	}
	return s.buf[s.keep:s.pos], nil
}

// scanComposite scans an object, array or string, tracking nesting and
// string state across refills.
func (s *objectScanner) scanComposite() error {
	depth := 0
	inStr, esc := false, false
	for {
		if s.pos >= s.end {
			if !s.fill() {
				if s.err != nil {
					return s.err
				}
				return errTruncated
			}
			continue
		}
		if inStr {
			if esc {
				esc = false
				s.pos++
				continue
			}
			rest := s.buf[s.pos:s.end]
			q := bytes.IndexByte(rest, '"')
			if q < 0 {
				if b := bytes.IndexByte(rest, '\\'); b >= 0 {
					s.pos += b + 1
					esc = true
					continue
				}
				s.pos = s.end
				continue
			}
			if b := bytes.IndexByte(rest[:q], '\\'); b >= 0 {
				s.pos += b + 1
				esc = true
				continue
			}
			s.pos += q + 1
			inStr = false
			if depth == 0 {
				return nil
			}
			continue
		}
		c := s.buf[s.pos]
		s.pos++
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return nil
			}
			if depth < 0 {
				return s.errorf("unbalanced %q", c)
			}
		}
	}
}

// scanLiteral scans a number, true, false or null.
func (s *objectScanner) scanLiteral() error {
	n := 0
	for {
		for s.pos < s.end {
			switch s.buf[s.pos] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				if n == 0 {
					return s.errorf("expected a value, found %q", s.buf[s.pos])
				}
				return nil
			}
			s.pos++
			n++
		}
		if !s.fill() {
			if s.err != nil {
				return s.err
			}
			return errTruncated
		}
	}
}

// key reads an object key and the colon after it.
func (s *objectScanner) key() (string, error) {
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", s.errorf("expected an object key, found %q", c)
	}
	raw, err := s.value(true)
	if err != nil {
		return "", err
	}
	var k string
	if bytes.IndexByte(raw, '\\') < 0 {
		k = string(raw[1 : len(raw)-1])
	} else if err := json.Unmarshal(raw, &k); err != nil {
		return "", s.errorf("bad key: %v", err)
	}
	return k, s.expect(':')
}

// members walks an object, calling fn for each member; fn must consume the
// member's value (value(…)). A null stands for an empty object.
func (s *objectScanner) members(fn func(key string) error) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		_, err := s.value(false)
		return err
	}
	if err := s.expect('{'); err != nil {
		return err
	}
	if c, err := s.peek(); err != nil {
		return err
	} else if c == '}' {
		s.pos++
		return nil
	}
	for {
		k, err := s.key()
		if err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
		c, err := s.peek()
		if err != nil {
			return err
		}
		s.pos++
		switch c {
		case ',':
		case '}':
			return nil
		default:
			return s.errorf("expected ',' or '}', found %q", c)
		}
	}
}

// finish checks that nothing but white space follows the document.
func (s *objectScanner) finish() error {
	_, err := s.peek()
	switch {
	case errors.Is(err, errTruncated):
		return nil
	case err != nil:
		return err
	default:
		return s.errorf("data after the end of the document")
	}
}
