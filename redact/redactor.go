package redact

import (
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Redacted replaces every secret.
const Redacted = "[REDACTED]"

// maxLearned bounds the secrets a Redactor learns at run time; older ones
// (long expired tokens) are forgotten first.
const maxLearned = 64

// maxNest bounds how many levels of JSON held in a string are parsed.
const maxNest = 4

// Redactor removes secrets from values, JSON and text. The zero value and
// nil are usable: they know no secret values but still redact by key name
// and by shape. A Redactor is safe for concurrent use.
type Redactor struct {
	set         *secretSet // shared with the Redactors derived by With
	extra       []string   // this Redactor's own secrets (With), expanded
	secretsOnly bool
}

// secretSet is the growing set of known secrets of a Redactor.
type secretSet struct {
	mu      sync.Mutex
	fixed   []string
	learned []string // newest last
	list    atomic.Pointer[[]string]
}

// New returns a Redactor that knows secrets (values shorter than
// MinSecretLen are ignored).
func New(secrets []string) *Redactor {
	r := &Redactor{set: &secretSet{}}
	r.Add(secrets...)
	return r
}

// Add makes secrets known for the Redactor's life, to it and to every
// Redactor derived from it.
func (r *Redactor) Add(secrets ...string) {
	if r == nil || r.set == nil {
		return
	}
	r.set.mu.Lock()
	defer r.set.mu.Unlock()
	r.set.fixed = append(r.set.fixed, secrets...)
	r.set.rebuild()
}

// Learn makes a secret known that was learned at run time, such as a
// token an upstream issued. At most the 64 most recent are kept.
func (r *Redactor) Learn(secret string) {
	if r == nil || r.set == nil || len(secret) < MinSecretLen {
		return
	}
	r.set.mu.Lock()
	defer r.set.mu.Unlock()
	for _, s := range r.set.learned {
		if s == secret {
			return
		}
	}
	r.set.learned = append(r.set.learned, secret)
	if len(r.set.learned) > maxLearned {
		r.set.learned = r.set.learned[len(r.set.learned)-maxLearned:]
	}
	r.set.rebuild()
}

// rebuild recomputes the list of spellings; called with mu held.
func (s *secretSet) rebuild() {
	all := append(append([]string(nil), s.fixed...), s.learned...)
	list := expand(all)
	s.list.Store(&list)
}

// With returns a Redactor that also knows secrets (those a request brings),
// and everything r knows now or learns later.
func (r *Redactor) With(secrets ...string) *Redactor {
	if r == nil {
		r = &Redactor{}
	}
	n := *r
	if n.set == nil {
		n.set = &secretSet{}
	}
	if len(secrets) > 0 {
		n.extra = expand(append(append([]string(nil), r.extra...), secrets...))
	}
	return &n
}

// SecretsOnly returns a Redactor that replaces known secret values only:
// no redaction by key name or by shape. The HTTP client uses it on the
// answers it passes on, whose fields the layers above still need.
func (r *Redactor) SecretsOnly() *Redactor {
	n := *r.With()
	n.secretsOnly = true
	return &n
}

// secrets is every spelling to look for, longest first.
func (r *Redactor) secrets() []string {
	if r == nil {
		return nil
	}
	var base []string
	if r.set != nil {
		if p := r.set.list.Load(); p != nil {
			base = *p
		}
	}
	if len(r.extra) == 0 {
		return base
	}
	all := append(append(make([]string, 0, len(base)+len(r.extra)), base...), r.extra...)
	sortLongestFirst(all)
	return all
}

// HasSecrets reports whether r knows any secret value (matching by key
// name and by shape needs none).
func (r *Redactor) HasSecrets() bool { return len(r.secrets()) > 0 }

// Known reports whether s is, or contains, a known secret.
func (r *Redactor) Known(s string) bool { return containsSecret(s, r.secrets()) }

// engine is one call's view of a Redactor.
type engine struct {
	secrets     []string
	secretsOnly bool
}

func (r *Redactor) engine() *engine {
	return &engine{secrets: r.secrets(), secretsOnly: r != nil && r.secretsOnly}
}

// Text returns s (an error message, a log line, a non-JSON answer) with
// secrets replaced: known values however escaped, credential-looking
// values, and the values of pairs such as password=… or "token": "…".
func (r *Redactor) Text(s string) string {
	e := r.engine()
	if out, changed := e.nested(s, 0); changed {
		return out
	}
	out, _ := e.plain(s, true)
	return out
}

// JSON returns the JSON document b with secrets replaced, rewriting only
// the values that hold one; b itself is returned (not copied) when nothing
// matches. A b that is not JSON is redacted as text.
func (r *Redactor) JSON(b []byte) []byte {
	e := r.engine()
	out, _, ok := e.json(b, 0)
	if !ok {
		s := unsafe.String(unsafe.SliceData(b), len(b))
		t, changed := e.plain(s, true)
		if !changed {
			return b
		}
		return []byte(t)
	}
	// A secret may straddle JSON syntax (a password holding `","`): look
	// for it in the document itself too.
	s := unsafe.String(unsafe.SliceData(out), len(out))
	spans := e.literalSpans(s)
	if len(spans) == 0 {
		return out
	}
	return []byte(replaceSpans(s, spans))
}

// literalSpans are the spans of s where a known secret occurs as written.
func (e *engine) literalSpans(s string) []span {
	var spans []span
	for _, sec := range e.secrets {
		for i := 0; i+len(sec) <= len(s); {
			j := strings.Index(s[i:], sec)
			if j < 0 {
				break
			}
			spans = append(spans, span{i + j, i + j + len(sec)})
			i += j + len(sec)
		}
	}
	return spans
}

// str redacts one decoded string of a JSON document: JSON it holds is
// parsed and redacted inside, other strings as values (plain).
func (e *engine) str(s string, nest int) (string, bool) {
	if out, changed := e.nested(s, nest); changed {
		return out, true
	}
	return e.plain(s, false)
}

// nested redacts s when it holds a JSON object or array.
func (e *engine) nested(s string, nest int) (string, bool) {
	if e.secretsOnly || nest >= maxNest {
		return s, false
	}
	t := strings.TrimSpace(s)
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return s, false
	}
	out, changed, ok := e.json(unsafe.Slice(unsafe.StringData(t), len(t)), nest+1)
	if !ok || !changed {
		return s, false
	}
	lead := strings.Index(s, t[:1])
	res := s[:lead] + string(out) + s[lead+len(t):]
	if containsSecret(res, e.secrets) {
		return e.plain(res, false)
	}
	return res, true
}

// plain redacts known secrets and credential-looking values in s.
func (e *engine) plain(s string, text bool) (string, bool) {
	spans := findSecrets(s, e.secrets, nil)
	if !e.secretsOnly {
		spans = findShapes(s, text, spans)
	}
	if len(spans) == 0 {
		return s, false
	}
	out := replaceSpans(s, spans)
	if containsSecret(out, e.secrets) {
		// Replacing made a secret appear (pieces around a cut): give up on
		// keeping any of s.
		return Redacted, true
	}
	return out, true
}

// known redacts known secrets only (object keys).
func (e *engine) known(s string) (string, bool) {
	spans := findSecrets(s, e.secrets, nil)
	if len(spans) == 0 {
		return s, false
	}
	out := replaceSpans(s, spans)
	if containsSecret(out, e.secrets) {
		return Redacted, true
	}
	return out, true
}
