package gen

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// propertyOrders maps the JSON pointer of every "properties" object of a
// spec to its keys in the order the spec writes them (encoding/json maps
// forget it). The order is the spec author's sense of importance and is
// used to choose which optional body fields a compact schema keeps.
func propertyOrders(raw []byte) map[string][]string {
	out := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var walk func(ptr string) error
	walk = func(ptr string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				keys = append(keys, k)
				if err := walk(ptr + "/" + escapePointer(k)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if strings.HasSuffix(ptr, "/properties") {
				out[ptr] = keys
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(ptr + "/" + strconv.Itoa(i)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
		return nil
	}
	_ = walk("")
	return out
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// schemaOrder returns the property names of a schema in spec order,
// following $refs and allOf parts; ptr is the schema's JSON pointer.
func schemaOrder(c *compactor, orders map[string][]string, v any, ptr string, seen map[string]bool) []string {
	s, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for {
		ref, ok := s["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") || seen[ref] {
			break
		}
		seen[ref] = true
		target, _ := c.resolve(ref)
		if target == nil {
			return nil
		}
		s, ptr = target, ref[1:]
	}
	out := append([]string(nil), orders[ptr+"/properties"]...)
	for i, part := range asAnyList(s["allOf"]) {
		out = append(out, schemaOrder(c, orders, part, ptr+"/allOf/"+strconv.Itoa(i), seen)...)
	}
	return out
}

func asAnyList(v any) []any {
	l, _ := v.([]any)
	return l
}
