package manifest

import (
	"regexp"
	"strconv"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// decoder turns one node's JSON into a Node. It reads each object once
// (gjson's ForEach) and copies every string it keeps: the bytes it reads
// belong to the scanner's buffer, which is reused.
type decoder struct {
	intern map[string]string
}

func newDecoder() *decoder { return &decoder{intern: map[string]string{}} }

// view is a string over b without copying; it must not outlive b's next
// reuse (everything kept goes through str or in).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// str copies a JSON string value; other types give "".
func str(r gjson.Result) string {
	if r.Type != gjson.String {
		return ""
	}
	if strings.IndexByte(r.Raw, '\\') >= 0 {
		return r.Str // unescaped into fresh memory by gjson
	}
	return strings.Clone(r.Str)
}

// in is str for short values that repeat (kinds, packages, tags, types):
// one copy per distinct value.
func (d *decoder) in(r gjson.Result) string {
	if r.Type != gjson.String || r.Str == "" {
		return ""
	}
	if s, ok := d.intern[r.Str]; ok {
		return s
	}
	s := str(r)
	d.intern[s] = s
	return s
}

// scalar copies a string or number (model versions may be either).
func (d *decoder) scalar(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return d.in(r)
	case gjson.Number:
		return strings.Clone(r.Raw)
	}
	return ""
}

func (d *decoder) strings(r gjson.Result) []string {
	if !r.IsArray() {
		return nil
	}
	var out []string
	r.ForEach(func(_, v gjson.Result) bool {
		if s := d.in(v); s != "" {
			out = append(out, s)
		}
		return true
	})
	return out
}

// node decodes one entry of nodes, sources, exposures, metrics,
// semantic_models, saved_queries or unit_tests.
func (d *decoder) node(raw []byte) *Node {
	n := &Node{}
	var alias, identifier, compiledCode, compiledSQL string
	var kwargsModel string
	gjson.Parse(view(raw)).ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "unique_id":
			n.UniqueID = str(v)
		case "resource_type":
			n.Kind = Kind(d.in(v))
		case "name":
			n.Name = str(v)
		case "package_name":
			n.Package = d.in(v)
		case "version":
			n.Version = d.scalar(v)
		case "latest_version":
			n.LatestVersion = d.scalar(v)
		case "source_name":
			n.SourceName = d.in(v)
		case "database":
			n.Database = d.in(v)
		case "schema":
			n.Schema = d.in(v)
		case "alias":
			alias = str(v)
		case "identifier":
			identifier = str(v)
		case "columns":
			n.Columns = d.columns(v)
		case "depends_on":
			n.DependsOn = d.dependsOn(v)
		case "compiled_code":
			compiledCode = str(v)
		case "compiled_sql":
			compiledSQL = str(v)
		case "raw_code", "raw_sql":
			n.HasRawCode = n.HasRawCode || (v.Type == gjson.String && v.Str != "")
		case "language":
			n.Language = d.in(v)
		case "description":
			n.Description = str(v)
		case "original_file_path":
			n.OriginalFilePath = str(v)
		case "tags":
			n.Tags = d.strings(v)
		case "checksum":
			n.Checksum = str(v.Get("checksum"))
		case "config":
			n.ConfigDigest = digest(v.Raw)
			v.ForEach(func(ck, cv gjson.Result) bool {
				if ck.Str == "materialized" {
					n.Materialization = d.in(cv)
					return false
				}
				return true
			})
		case "test_metadata":
			if v.IsObject() {
				n.TestType = "generic"
				n.TestName = d.in(v.Get("name"))
				kw := v.Get("kwargs")
				if n.ColumnName == "" {
					n.ColumnName = str(kw.Get("column_name"))
				}
				kwargsModel = kw.Get("model").Str
			}
		case "column_name":
			if s := str(v); s != "" {
				n.ColumnName = s
			}
		case "attached_node":
			n.AttachedNode = str(v)
		case "model":
			// unit tests name their model; semantic models ref() it.
			if v.Type == gjson.String {
				kwargsModel = v.Str
			}
		case "type":
			n.ExposureType = d.in(v)
		case "owner":
			n.Owner = ownerString(v)
		case "url":
			n.URL = str(v)
		case "maturity":
			n.Maturity = d.in(v)
		case "label":
			n.Label = str(v)
		}
		return true
	})
	if compiledCode != "" {
		n.CompiledSQL = compiledCode
	} else {
		n.CompiledSQL = compiledSQL
	}
	switch n.Kind {
	case KindSource:
		n.Identifier = identifier
		if n.Identifier == "" {
			n.Identifier = n.Name
		}
	case KindModel, KindSeed, KindSnapshot:
		n.Identifier = alias
		if n.Identifier == "" {
			n.Identifier = n.Name
		}
	case "unit_test":
		n.Kind = KindTest
		n.TestType = "unit"
		if name := refName(kwargsModel); name != "" && n.AttachedNode == "" {
			n.AttachedNode = "name:" + name // resolved by the graph builder
		}
	case KindTest:
		if n.TestType == "" {
			n.TestType = "singular"
		}
		if n.AttachedNode == "" && kwargsModel != "" {
			if name := refName(kwargsModel); name != "" {
				n.AttachedNode = "name:" + name
			}
		}
	}
	if !n.Kind.HasRelation() || n.IsEphemeral() {
		n.Database, n.Schema, n.Identifier = "", "", ""
	}
	if n.Identifier != "" {
		parts := make([]string, 0, 3)
		for _, p := range []string{n.Database, n.Schema, n.Identifier} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		n.Relation = strings.Join(parts, ".")
	}
	if n.Kind != KindExposure {
		n.ExposureType = ""
	}
	return n
}

// digest is a 64-bit FNV-1a hash, in hex, of a JSON value's text with the
// whitespace outside strings left out, so the same config written pretty
// or compact digests the same.
func digest(raw string) string {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	inString, escaped := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			continue
		}
		h = (h ^ uint64(c)) * prime
	}
	return strconv.FormatUint(h, 16)
}

func ownerString(v gjson.Result) string {
	if v.Type == gjson.String {
		return str(v)
	}
	name, email := str(v.Get("name")), str(v.Get("email"))
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case name != "":
		return name
	}
	return email
}

func (d *decoder) columns(v gjson.Result) []Column {
	if !v.IsObject() {
		return nil
	}
	var out []Column
	v.ForEach(func(k, cv gjson.Result) bool {
		c := Column{Documented: true}
		cv.ForEach(func(fk, fv gjson.Result) bool {
			switch fk.Str {
			case "name":
				c.Name = str(fv)
			case "description":
				c.Description = str(fv)
			case "data_type":
				c.Type = d.in(fv)
			}
			return true
		})
		if c.Name == "" {
			c.Name = str(k)
		}
		out = append(out, c)
		return true
	})
	return out
}

func (d *decoder) dependsOn(v gjson.Result) []string {
	var out []string
	v.ForEach(func(k, dv gjson.Result) bool {
		if k.Str == "nodes" {
			out = d.strings(dv)
			return false
		}
		return true
	})
	return out
}

// refPattern finds the model a generic test's kwargs.model renders:
// "{{ get_where_subquery(ref('stg_orders')) }}" or ref('pkg', 'name').
var refPattern = regexp.MustCompile(`ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?`)

// sourcePattern finds source('source_name', 'table').
var sourcePattern = regexp.MustCompile(`source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]`)

// refName returns the node name a Jinja ref()/source() call points to:
// a model name, or source_name.table for a source; "" if none.
func refName(s string) string {
	if m := sourcePattern.FindStringSubmatch(s); m != nil {
		return strings.Clone(m[1] + "." + m[2])
	}
	if m := refPattern.FindStringSubmatch(s); m != nil {
		if m[2] != "" {
			return strings.Clone(m[2])
		}
		return strings.Clone(m[1])
	}
	if !strings.ContainsAny(s, "{}()'\"") {
		return strings.Clone(s)
	}
	return ""
}
