package budget

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Pager knows a tool's paging and projection arguments, from its input
// schema, to say how to ask for the rest of a cut answer.
type Pager struct {
	offset, size, page, cursor string // argument names, "" when absent
	fields                     string // projection argument, "" when none
	defaults                   map[string]float64
}

var (
	offsetArgs = map[string]bool{"offset": true, "skip": true, "start": true, "startindex": true, "from": true}
	sizeArgs   = map[string]bool{"limit": true, "pagesize": true, "perpage": true, "size": true, "maxresults": true, "maxitems": true, "pagelimit": true}
	pageArgs   = map[string]bool{"page": true, "pagenumber": true, "pageno": true, "pagenum": true}
	cursorArgs = map[string]bool{"cursor": true, "after": true, "pagetoken": true, "nexttoken": true, "startingafter": true, "continuationtoken": true, "nextcursor": true}
)

// NewPager reads the argument names of a tool's input schema (its
// properties) and the name of its projection argument ("" for none).
func NewPager(props map[string]map[string]any, fields string) *Pager {
	p := &Pager{fields: fields, defaults: map[string]float64{}}
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if d, ok := props[name]["default"].(float64); ok {
			p.defaults[name] = d
		}
		n := normName(name)
		switch {
		case offsetArgs[n] && p.offset == "":
			p.offset = name
		case sizeArgs[n] && p.size == "":
			p.size = name
		case pageArgs[n] && p.page == "":
			p.page = name
		case cursorArgs[n] && p.cursor == "":
			p.cursor = name
		}
	}
	return p
}

func (p *Pager) intArg(args map[string]any, name string, fallback int) int {
	if v, ok := args[name]; ok {
		switch x := v.(type) {
		case float64:
			return int(x)
		case int:
			return x
		case interface{ Int64() (int64, error) }:
			if i, err := x.Int64(); err == nil {
				return int(i)
			}
		case string:
			if i, err := strconv.Atoi(x); err == nil {
				return i
			}
		}
	}
	if d, ok := p.defaults[name]; ok {
		return int(d)
	}
	return fallback
}

// next says how to ask for what was cut.
func (p *Pager) next(args map[string]any, primary, object *cut, omitted []string, shortened bool, projected bool) string {
	if p == nil {
		p = &Pager{}
	}
	var ways []string
	if primary != nil {
		k := max(primary.kept, 1)
		switch {
		case p.offset != "":
			o := p.intArg(args, p.offset, 0) + k
			if p.size != "" {
				ways = append(ways, fmt.Sprintf("call again with %s=%d and %s=%d for the next items", p.offset, o, p.size, k))
			} else {
				ways = append(ways, fmt.Sprintf("call again with %s=%d for the next items", p.offset, o))
			}
		case p.page != "" && p.size != "":
			base := p.intArg(nil, p.page, 1)
			if base != 0 {
				base = 1
			}
			page := p.intArg(args, p.page, base)
			size := p.intArg(args, p.size, 0)
			first := (page - base) * size
			if (page == base || size > 0) && first%k == 0 {
				ways = append(ways, fmt.Sprintf("call again with %s=%d and %s=%d for the next items (pages of %d fit)", p.size, k, p.page, base+(first+k)/k, k))
			} else {
				ways = append(ways, fmt.Sprintf("call again with %s of at most %d (pages that size fit)", p.size, k))
			}
		case p.size != "" && p.cursor != "":
			ways = append(ways, fmt.Sprintf("call again with %s=%d and follow the answer's cursor with %s", p.size, k, p.cursor))
		case p.size != "":
			ways = append(ways, fmt.Sprintf("call again with %s=%d to get only what fits", p.size, k))
		}
	}
	switch {
	case p.fields != "" && projected:
		ways = append(ways, fmt.Sprintf("pass fewer or narrower paths in %s", p.fields))
	case p.fields != "":
		way := fmt.Sprintf("pass %s with only the gjson paths you need", p.fields)
		if ex := fieldsExample(primary, object, omitted); ex != "" {
			way += ", e.g. " + ex
		}
		ways = append(ways, way)
	case len(ways) == 0:
		ways = append(ways, "narrow the request with the tool's filter arguments")
	}
	next := strings.Join(ways, ", or ")
	if shortened {
		next += "; a string longer than the budget is always cut"
	}
	return next
}

// fieldsExample suggests a projection for what was cut.
func fieldsExample(primary, object *cut, omitted []string) string {
	quote := func(paths ...string) string {
		q := make([]string, len(paths))
		for i, p := range paths {
			q[i] = strconv.Quote(p)
		}
		return "[" + strings.Join(q, ",") + "]"
	}
	if primary != nil && len(primary.itemKeys) > 0 && primary.path != "@this" {
		var picked []string
		prefs := []string{"id", "name", "uuid", "key", "title", "label"}
		for _, pref := range prefs { // exact names first
			for _, k := range primary.itemKeys {
				if strings.EqualFold(k, pref) {
					picked = appendOnce(picked, k)
				}
			}
		}
		for _, pref := range prefs { // then user_id, projectUuid, …
			for _, k := range primary.itemKeys {
				l := strings.ToLower(k)
				if strings.HasSuffix(l, "_"+pref) || strings.HasSuffix(l, pref) && k != l {
					picked = appendOnce(picked, k)
				}
			}
		}
		for _, k := range primary.itemKeys {
			picked = appendOnce(picked, k)
		}
		paths := make([]string, 0, 2)
		for _, k := range picked[:min(2, len(picked))] {
			paths = append(paths, primary.path+".#."+gjson.Escape(k))
		}
		return quote(paths...)
	}
	if len(omitted) > 0 {
		return quote(omitted[:min(2, len(omitted))]...)
	}
	if object != nil && object.path != "@this" {
		return quote(object.path + ".@keys")
	}
	return ""
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
