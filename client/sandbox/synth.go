package sandbox

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// synth deterministically generates minimal values that are valid against an
// OpenAPI schema: every required property, the first enum value or const,
// defaults and examples where the spec gives them, formats (uuid, date-time,
// date, time, email, uri), minItems/minLength and numeric bounds. It is used
// for the operations that have no curated answer and, through fillSchema, to
// complete curated answers with the required fields they leave out.
type synth struct {
	is31     bool
	seed     string
	n        int
	response bool // generating a response: leave writeOnly properties out (readOnly ones otherwise)
}

const synthMaxDepth = 24

func newSynth(is31 bool, seed string) *synth { return &synth{is31: is31, seed: seed} }

func newResponseSynth(is31 bool, seed string) *synth {
	return &synth{is31: is31, seed: seed, response: true}
}

// skip tells whether a property must be left out in the current direction.
func (g *synth) skip(p *openapi3.SchemaRef) bool {
	if p == nil || p.Value == nil {
		return false
	}
	if g.response {
		return p.Value.WriteOnly
	}
	return p.Value.ReadOnly
}

func (g *synth) opts() []openapi3.SchemaValidationOption {
	if g.is31 {
		return []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}
	}
	return nil
}

// valid reports whether v is valid against s.
func (g *synth) valid(s *openapi3.Schema, v any) bool {
	return s.VisitJSON(v, g.opts()...) == nil
}

// A schema's own default or example, which gen offers when it is valid.
const (
	ownDefault = iota
	ownExample
)

type validKey struct {
	s     *openapi3.Schema
	which int
	is31  bool
}

// validOwnCache remembers whether a schema's default or example is valid
// against it: the answer never changes, and under JSON Schema 2020-12 each
// check compiles a validator.
var validOwnCache sync.Map // validKey -> bool

// validOwn reports whether s's default (ownDefault) or first example
// (ownExample) is valid against s.
func (g *synth) validOwn(s *openapi3.Schema, which int) bool {
	key := validKey{s, which, g.is31}
	if ok, found := validOwnCache.Load(key); found {
		return ok.(bool)
	}
	v := s.Default
	if which == ownExample {
		v = firstExample(s)
	}
	ok := g.valid(s, v)
	validOwnCache.Store(key, ok)
	return ok
}

// gen returns a value for schema ref; hint is the property name, if any.
func (g *synth) gen(ref *openapi3.SchemaRef, hint string, depth int) any {
	if ref == nil || ref.Value == nil {
		return map[string]any{}
	}
	s := ref.Value
	if s.Const != nil {
		return s.Const
	}
	if s.Default != nil && g.validOwn(s, ownDefault) {
		return s.Default
	}
	if ex := firstExample(s); ex != nil && g.validOwn(s, ownExample) {
		return ex
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if e != nil {
				return e
			}
		}
		return nil
	}
	if depth > synthMaxDepth {
		return g.shallow(s)
	}
	if len(s.AllOf) > 0 {
		out := map[string]any{}
		for _, part := range s.AllOf {
			v := g.gen(part, hint, depth+1)
			m, ok := v.(map[string]any)
			if !ok {
				return v // e.g. allOf: [{$ref: SomeEnum}] with a description
			}
			for k, val := range m {
				out[k] = val
			}
		}
		g.genProps(s, out, depth)
		return out
	}
	if alts := s.OneOf; len(alts) > 0 || len(s.AnyOf) > 0 {
		if len(alts) == 0 {
			alts = s.AnyOf
		}
		var first any
		for i, alt := range nonNullFirst(alts) {
			v := g.gen(alt, hint, depth+1)
			if m, ok := v.(map[string]any); ok && len(s.Properties) > 0 {
				g.genProps(s, m, depth)
			}
			if i == 0 {
				first = v
			}
			if len(s.OneOf) == 0 || g.valid(s, v) {
				return v
			}
		}
		return first
	}
	typ := primaryType(s)
	switch typ {
	case "null":
		return nil
	case "boolean":
		return false
	case "integer", "number":
		return g.number(s, typ)
	case "string":
		return g.str(s, hint)
	case "array":
		n := int(s.MinItems)
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			var item *openapi3.SchemaRef
			if i < len(s.PrefixItems) {
				item = s.PrefixItems[i]
			} else {
				item = s.Items
			}
			out = append(out, g.gen(item, hint, depth+1))
		}
		return out
	default:
		out := map[string]any{}
		g.genProps(s, out, depth)
		return out
	}
}

// genProps adds s's required properties missing from out.
func (g *synth) genProps(s *openapi3.Schema, out map[string]any, depth int) {
	for _, name := range s.Required {
		if _, ok := out[name]; ok || g.skip(s.Properties[name]) {
			continue
		}
		out[name] = g.gen(s.Properties[name], name, depth+1)
	}
	for _, name := range sortedKeys(s.Properties) {
		if uint64(len(out)) >= s.MinProps {
			break
		}
		if _, ok := out[name]; !ok && !g.skip(s.Properties[name]) {
			out[name] = g.gen(s.Properties[name], name, depth+1)
		}
	}
}

// shallow is a cheap valid-looking value once the depth limit is reached.
func (g *synth) shallow(s *openapi3.Schema) any {
	switch primaryType(s) {
	case "array":
		return []any{}
	case "string":
		return ""
	case "integer", "number":
		return 0
	case "boolean":
		return false
	case "null":
		return nil
	}
	return map[string]any{}
}

func firstExample(s *openapi3.Schema) any {
	if s.Example != nil {
		return s.Example
	}
	if len(s.Examples) > 0 {
		return s.Examples[0]
	}
	return nil
}

// nonNullFirst orders alternatives so {"type":"null"} ones come last.
func nonNullFirst(alts openapi3.SchemaRefs) openapi3.SchemaRefs {
	out := make(openapi3.SchemaRefs, 0, len(alts))
	var nulls openapi3.SchemaRefs
	for _, a := range alts {
		if a != nil && a.Value != nil && a.Value.Type.Is("null") {
			nulls = append(nulls, a)
			continue
		}
		out = append(out, a)
	}
	return append(out, nulls...)
}

// primaryType is the first non-null type of s, guessed from its keywords when
// it declares none.
func primaryType(s *openapi3.Schema) string {
	for _, t := range s.Type.Slice() {
		if t != "null" {
			return t
		}
	}
	if s.Type.Includes("null") {
		return "null"
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil:
		return "object"
	case s.Items != nil || len(s.PrefixItems) > 0:
		return "array"
	}
	return ""
}

func (g *synth) number(s *openapi3.Schema, typ string) any {
	v := 0.0
	if s.Min != nil {
		v = *s.Min
		if s.ExclusiveMin.IsTrue() {
			v++
		}
	}
	if s.ExclusiveMin.Value != nil {
		v = math.Max(v, *s.ExclusiveMin.Value+1)
	}
	if s.Max != nil && v > *s.Max {
		v = *s.Max
	}
	if typ == "integer" {
		return int64(math.Ceil(v))
	}
	return v
}

func (g *synth) uuid() string {
	g.n++
	h := fnv.New128a()
	fmt.Fprintf(h, "%s/%d", g.seed, g.n)
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var patternCandidates = []string{"0", "a", "example", "1.0", "A", "00000000-0000-4000-8000-000000000000", "2025-01-01", "example@example.com"}

func (g *synth) str(s *openapi3.Schema, hint string) string {
	var v string
	switch s.Format {
	case "uuid":
		v = g.uuid()
	case "date-time":
		v = "2025-06-01T09:00:00Z"
	case "date":
		v = "2025-06-01"
	case "time":
		v = "09:00:00"
	case "email":
		v = "demo@jaffle-shop.example"
	case "uri", "url", "uri-reference":
		v = "https://sandbox.invalid/example"
	case "password":
		v = "********"
	case "ipv4":
		v = "10.0.0.1"
	default:
		v = hintString(hint)
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err == nil && !re.MatchString(v) {
			for _, c := range patternCandidates {
				if re.MatchString(c) {
					v = c
					break
				}
			}
		}
	}
	for uint64(len(v)) < s.MinLength {
		v += "x"
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

// hintString is a plausible placeholder for a string property.
func hintString(hint string) string {
	h := strings.ToLower(hint)
	switch {
	case h == "":
		return "example"
	case strings.Contains(h, "url") || strings.Contains(h, "uri"):
		return "https://sandbox.invalid/example"
	case strings.HasSuffix(h, "at") && (strings.Contains(h, "created") || strings.Contains(h, "updated")):
		return "2025-06-01T09:00:00Z"
	case strings.Contains(h, "email"):
		return "demo@jaffle-shop.example"
	case strings.Contains(h, "uuid"):
		return "00000000-0000-4000-8000-000000000000"
	}
	return "example"
}

// fillSchema completes v (a JSON value from jsonValue) against the schema:
// objects get the required properties they lack (synthesized), recursively,
// following the alternative of anyOf/oneOf that best matches the value. It
// completes v in place and returns it.
//
// Everything fill needs to know about a schema is computed once per schema
// (schemaFacts), and synthesized values are cached per schema (genCache):
// before that, every answer re-collected the properties of every alternative
// of every anyOf it met and re-synthesized (and re-validated, which under
// JSON Schema 2020-12 compiles a validator) the same missing fields.
func fillSchema(ref *openapi3.SchemaRef, v any, is31 bool) any {
	f := &filler{g: newResponseSynth(is31, "fill")}
	f.fill(ref, v, 0)
	return v
}

type filler struct{ g *synth }

// fill completes v in place. Maps and slices are completed where they are,
// so v itself never changes and nothing is returned.
func (f *filler) fill(ref *openapi3.SchemaRef, v any, depth int) {
	if ref == nil || ref.Value == nil || depth > 64 {
		return
	}
	switch v.(type) {
	case map[string]any, []any:
	default:
		return // only objects and arrays can be completed
	}
	s := ref.Value
	for _, part := range s.AllOf {
		f.fill(part, v, depth+1)
	}
	sf := facts(s)
	if len(sf.alts) > 0 {
		if alt := sf.chooseAlt(v); alt != nil {
			f.fill(alt, v, depth+1)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, name := range sf.required {
			if _, ok := x[name]; !ok {
				x[name] = f.gen(s.Properties[name], name, depth+1)
			}
		}
		ap := s.AdditionalProperties.Schema
		if len(s.Properties) == 0 && ap == nil {
			return
		}
		for k, val := range x {
			if p := s.Properties[k]; p != nil {
				f.fill(p, val, depth+1)
			} else if ap != nil {
				f.fill(ap, val, depth+1)
			}
		}
	case []any:
		for i, val := range x {
			if i < len(s.PrefixItems) {
				f.fill(s.PrefixItems[i], val, depth+1)
			} else if s.Items != nil {
				f.fill(s.Items, val, depth+1)
			}
		}
	}
}

// genKey identifies a synthesized value: what gen returns depends on the
// schema, the property name (hint) and the depth (synthMaxDepth), and on
// the synth's uuid counter, which is why values that draw uuids are never
// cached.
type genKey struct {
	ref   *openapi3.SchemaRef
	hint  string
	depth int
	is31  bool
}

// genCache maps a genKey to the value gen made for it (shared by every
// Sandbox, as the specs are), or to genFresh when that value draws uuids.
var genCache sync.Map

// genFresh marks keys whose values must be synthesized each time.
var genFresh = new(int)

// gen is f.g.gen(ref, hint, depth), cached: the cached value is copied out,
// as fill goes on completing what it inserts.
func (f *filler) gen(ref *openapi3.SchemaRef, hint string, depth int) any {
	key := genKey{ref, hint, depth, f.g.is31}
	if v, ok := genCache.Load(key); ok {
		if v != genFresh {
			return deepCopy(v)
		}
		return deepCopy(f.g.gen(ref, hint, depth))
	}
	n := f.g.n
	v := f.g.gen(ref, hint, depth)
	if f.g.n != n {
		genCache.Store(key, genFresh)
		return deepCopy(v)
	}
	// v may hold the spec's own defaults and examples: cache and hand out
	// copies, so completing them never writes to the spec.
	genCache.Store(key, deepCopy(v))
	return deepCopy(v)
}

// schemaFacts is what fill reads of a schema, worked out once per schema
// (specs are read-only once loaded) on the first answer that needs it.
type schemaFacts struct {
	required []string // required properties an answer includes (not writeOnly)
	// alts are the alternatives of the schema's oneOf (else anyOf), without
	// nil ones; byProp has, for each property name, the set of alternatives
	// that declare it (a bitset over alts), so chooseAlt scores every
	// alternative in one pass over the value's keys.
	alts   []altFacts
	byProp map[string][]uint64
}

// altFacts is what chooseAlt reads of an alternative.
type altFacts struct {
	ref   *openapi3.SchemaRef
	kinds []string   // schemaKinds
	discs []discProp // properties with a single allowed value
}

type discProp struct {
	name string
	want string // fmt.Sprint of the allowed value
}

var factsCache sync.Map // *openapi3.Schema -> *schemaFacts

func facts(s *openapi3.Schema) *schemaFacts {
	if v, ok := factsCache.Load(s); ok {
		return v.(*schemaFacts)
	}
	g := synth{response: true}
	sf := &schemaFacts{}
	for _, name := range s.Required {
		if !g.skip(s.Properties[name]) {
			sf.required = append(sf.required, name)
		}
	}
	alts := s.OneOf
	if len(alts) == 0 {
		alts = s.AnyOf
	}
	for _, alt := range alts {
		if alt == nil || alt.Value == nil {
			continue
		}
		i := len(sf.alts)
		props := collectProps(alt.Value, 0)
		a := altFacts{ref: alt, kinds: schemaKinds(alt.Value)}
		for _, name := range sortedKeys(props) {
			if want, ok := discriminatorValue(props[name]); ok {
				a.discs = append(a.discs, discProp{name: name, want: fmt.Sprint(want)})
			}
			if sf.byProp == nil {
				sf.byProp = map[string][]uint64{}
			}
			set := sf.byProp[name]
			for len(set) <= i/64 {
				set = append(set, 0)
			}
			set[i/64] |= 1 << (i % 64)
			sf.byProp[name] = set
		}
		sf.alts = append(sf.alts, a)
	}
	v, _ := factsCache.LoadOrStore(s, sf)
	return v.(*schemaFacts)
}

// chooseAlt picks the alternative that best describes v: its JSON kind must
// fit, const/single-enum properties (discriminators) must agree, and among
// the rest the one declaring most of v's keys wins (each key declared counts
// +1, each key not declared -2, each agreeing discriminator +100; the first
// of equal alternatives wins). It returns nil when none fits.
func (sf *schemaFacts) chooseAlt(v any) *openapi3.SchemaRef {
	kind := jsonKind(v)
	m, isMap := v.(map[string]any)
	var buf [64]int
	var declared []int // per alternative: how many of v's keys it declares
	if isMap {
		if len(sf.alts) <= len(buf) {
			declared = buf[:len(sf.alts)]
		} else {
			declared = make([]int, len(sf.alts))
		}
		for k := range m {
			for w, word := range sf.byProp[k] {
				for word != 0 {
					declared[w*64+bits.TrailingZeros64(word)]++
					word &= word - 1
				}
			}
		}
	}
	// The alternatives of a union mostly share their discriminator ("type"):
	// look each one up in v once.
	type discValue struct {
		name, got string
		present   bool
	}
	var dbuf [4]discValue
	dvals := dbuf[:0]
	var best *openapi3.SchemaRef
	bestScore := math.MinInt
	for i := range sf.alts {
		a := &sf.alts[i]
		if len(a.kinds) > 0 && !slices.Contains(a.kinds, kind) && !(kind == "integer" && slices.Contains(a.kinds, "number")) {
			continue
		}
		score := 0
		if isMap {
			mismatch := false
			for _, d := range a.discs {
				j := 0
				for j < len(dvals) && dvals[j].name != d.name {
					j++
				}
				if j == len(dvals) {
					got, present := m[d.name]
					dv := discValue{name: d.name, present: present}
					if present {
						dv.got = sprint(got)
					}
					dvals = append(dvals, dv)
				}
				if !dvals[j].present {
					continue
				}
				if dvals[j].got != d.want {
					mismatch = true
					break
				}
				score += 100
			}
			if mismatch {
				continue
			}
			score += declared[i] - 2*(len(m)-declared[i])
		}
		if score > bestScore {
			best, bestScore = a.ref, score
		}
	}
	return best
}

// sprint is fmt.Sprint, without its cost for strings.
func sprint(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case int, int64:
		return "integer"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

// schemaKinds lists the JSON kinds s admits (empty: unknown/any).
func schemaKinds(s *openapi3.Schema) []string {
	var out []string
	for _, t := range s.Type.Slice() {
		out = append(out, t)
		if t == "number" {
			out = append(out, "integer")
		}
	}
	if len(out) > 0 {
		return out
	}
	if s.Nullable {
		out = append(out, "null")
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil:
		return append(out, "object")
	case s.Items != nil:
		return append(out, "array")
	case s.Const != nil:
		return append(out, jsonKind(normalizeNum(s.Const)))
	case len(s.Enum) > 0:
		for _, e := range s.Enum {
			out = append(out, jsonKind(normalizeNum(e)))
		}
		return out
	}
	for _, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
		if sub != nil && sub.Value != nil {
			k := schemaKinds(sub.Value)
			if len(k) == 0 {
				return nil
			}
			out = append(out, k...)
		}
	}
	return out
}

func normalizeNum(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

// collectProps gathers the properties s declares, through allOf.
func collectProps(s *openapi3.Schema, depth int) map[string]*openapi3.SchemaRef {
	out := map[string]*openapi3.SchemaRef{}
	if depth > 8 {
		return out
	}
	for k, p := range s.Properties {
		out[k] = p
	}
	for _, part := range s.AllOf {
		if part != nil && part.Value != nil {
			for k, p := range collectProps(part.Value, depth+1) {
				out[k] = p
			}
		}
	}
	return out
}

// discriminatorValue returns the single value a property schema allows (a
// const or a one-value enum), if any.
func discriminatorValue(p *openapi3.SchemaRef) (any, bool) {
	if p == nil || p.Value == nil {
		return nil, false
	}
	s := p.Value
	if s.Const != nil {
		return s.Const, true
	}
	if len(s.Enum) == 1 {
		return s.Enum[0], true
	}
	for _, part := range s.AllOf {
		if v, ok := discriminatorValue(part); ok {
			return v, true
		}
	}
	return nil, false
}
