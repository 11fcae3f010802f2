package manifest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// nodeSections are the top-level manifest maps whose entries become nodes.
var nodeSections = map[string]bool{
	"nodes": true, "sources": true, "exposures": true, "metrics": true,
	"semantic_models": true, "saved_queries": true, "unit_tests": true,
}

var schemaVersionPattern = regexp.MustCompile(`/v(\d+)\.json$`)

// LoadFiles reads manifestPath and, when catalogPath is not empty,
// catalog.json, into a graph.
func LoadFiles(manifestPath, catalogPath string) (*Graph, error) {
	mf, err := os.Open(manifestPath)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	var cat io.Reader
	if catalogPath != "" {
		cf, err := os.Open(catalogPath)
		if err != nil {
			return nil, err
		}
		defer cf.Close()
		cat = cf
	}
	g, err := Load(mf, cat)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Load reads a manifest and, when catalog is not nil, a catalog into a
// graph. A malformed or truncated document is an error naming where.
func Load(manifest io.Reader, catalog io.Reader) (*Graph, error) {
	b := newBuilder()
	var cat []catalogEntry
	var catErr error
	done := make(chan struct{})
	if catalog != nil {
		go func() { // independent of the manifest until the merge
			defer close(done)
			cat, catErr = readCatalog(catalog)
		}()
	} else {
		close(done)
	}
	err := readManifest(manifest, b)
	<-done
	if err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if catalog != nil {
		if catErr != nil {
			return nil, fmt.Errorf("catalog.json: %w", catErr)
		}
		mergeCatalog(b.g, cat)
		b.g.HasCatalog = true
	}
	return b.build(), nil
}

func readManifest(r io.Reader, b *builder) error {
	s := newObjectScanner(r)
	sawMeta, sawNodes := false, false
	if c, err := s.peek(); err != nil {
		if errors.Is(err, errTruncated) {
			return errors.New("empty file")
		}
		return err
	} else if c != '{' {
		return s.errorf("not a JSON object")
	}
	p := newPipeline(func(d *decoder, _, id string, raw []byte) *Node {
		n := d.node(raw)
		if n.UniqueID == "" {
			n.UniqueID = strings.Clone(id)
		}
		return n
	})
	err := s.members(func(key string) error {
		switch {
		case key == "metadata":
			raw, err := s.value(true)
			if err != nil {
				return err
			}
			if !gjson.ValidBytes(raw) {
				return s.errorf("metadata is not valid JSON")
			}
			b.g.Meta = readMetadata(gjson.ParseBytes(raw))
			sawMeta = true
			return nil
		case nodeSections[key]:
			sawNodes = sawNodes || key == "nodes"
			return s.members(func(id string) error {
				off := s.off + int64(s.pos)
				raw, err := s.value(true)
				if err != nil {
					return err
				}
				return p.add(key, id, off, raw)
			})
		default:
			_, err := s.value(false)
			return err
		}
	})
	if err == nil {
		err = s.finish()
	}
	nodes, perr := p.finish()
	switch {
	case err != nil:
		return err
	case perr != nil:
		return perr
	case !sawMeta || !sawNodes:
		return errors.New("not a dbt manifest (no metadata or nodes)")
	}
	for _, n := range nodes {
		b.add(n)
	}
	return nil
}

func readMetadata(m gjson.Result) Metadata {
	md := Metadata{
		SchemaURL:   m.Get("dbt_schema_version").String(),
		DBTVersion:  m.Get("dbt_version").String(),
		ProjectName: m.Get("project_name").String(),
		ProjectID:   m.Get("project_id").String(),
		AdapterType: m.Get("adapter_type").String(),
		GeneratedAt: m.Get("generated_at").String(),
	}
	if sm := schemaVersionPattern.FindStringSubmatch(md.SchemaURL); sm != nil {
		md.SchemaVersion, _ = strconv.Atoi(sm[1])
	}
	return md
}

// catalogEntry is one relation of catalog.json.
type catalogEntry struct {
	id, database, schema, name string
	columns                    []Column
}

func readCatalog(r io.Reader) ([]catalogEntry, error) {
	s := newObjectScanner(r)
	p := newPipeline(func(d *decoder, _, id string, raw []byte) catalogEntry {
		return d.catalogEntry(id, gjson.Parse(view(raw)))
	})
	sawNodes := false
	err := s.members(func(key string) error {
		if key != "nodes" && key != "sources" {
			_, err := s.value(false)
			return err
		}
		sawNodes = true
		return s.members(func(id string) error {
			off := s.off + int64(s.pos)
			raw, err := s.value(true)
			if err != nil {
				return err
			}
			return p.add(key, id, off, raw)
		})
	})
	if err == nil {
		err = s.finish()
	}
	out, perr := p.finish()
	switch {
	case err != nil:
		return nil, err
	case perr != nil:
		return nil, perr
	case !sawNodes:
		return nil, errors.New("not a dbt catalog (no nodes)")
	}
	return out, nil
}

func (d *decoder) catalogEntry(id string, v gjson.Result) catalogEntry {
	e := catalogEntry{id: strings.Clone(id)}
	type indexed struct {
		c   Column
		idx int64
	}
	var cols []indexed
	v.ForEach(func(k, fv gjson.Result) bool {
		switch k.Str {
		case "metadata":
			fv.ForEach(func(mk, mv gjson.Result) bool {
				switch mk.Str {
				case "database":
					e.database = d.in(mv)
				case "schema":
					e.schema = d.in(mv)
				case "name":
					e.name = str(mv)
				}
				return true
			})
		case "columns":
			fv.ForEach(func(ck, cv gjson.Result) bool {
				c := indexed{c: Column{InCatalog: true}}
				cv.ForEach(func(fk, x gjson.Result) bool {
					switch fk.Str {
					case "type":
						c.c.Type = d.in(x)
					case "name":
						c.c.Name = str(x)
					case "comment":
						c.c.Description = str(x)
					case "index":
						c.idx = x.Int()
					}
					return true
				})
				if c.c.Name == "" {
					c.c.Name = str(ck)
				}
				cols = append(cols, c)
				return true
			})
		}
		return true
	})
	sort.SliceStable(cols, func(i, j int) bool { return cols[i].idx < cols[j].idx })
	e.columns = make([]Column, len(cols))
	for i, c := range cols {
		e.columns[i] = c.c
	}
	return e
}

// mergeCatalog adds the warehouse's columns to the nodes: catalog order and
// types, the manifest's names and descriptions, then documented columns
// the warehouse does not have. An undocumented column whose catalog name
// is all upper case (Snowflake's spelling of an unquoted identifier) is
// named in lower case, as dbt projects write them.
func mergeCatalog(g *Graph, cat []catalogEntry) {
	byRel := map[string]*Node{}
	for _, n := range g.nodes {
		if n.Relation != "" {
			byRel[strings.ToLower(n.Relation)] = n
		}
	}
	for _, e := range cat {
		n := g.nodes[e.id]
		if n == nil {
			n = byRel[relationKey(e.database, e.schema, e.name)]
		}
		if n == nil {
			continue
		}
		n.Columns = mergeColumns(n.Columns, e.columns)
	}
}

func mergeColumns(documented, warehouse []Column) []Column {
	out := make([]Column, 0, len(warehouse)+len(documented))
	used := make([]bool, len(documented))
	for _, wc := range warehouse {
		for i, dc := range documented {
			if !used[i] && strings.EqualFold(dc.Name, wc.Name) {
				used[i] = true
				wc.Documented = true
				wc.Name = dc.Name
				if dc.Description != "" {
					wc.Description = dc.Description
				}
				break
			}
		}
		if !wc.Documented && wc.Name == strings.ToUpper(wc.Name) {
			wc.Name = strings.ToLower(wc.Name)
		}
		out = append(out, wc)
	}
	for i, dc := range documented {
		if !used[i] {
			out = append(out, dc)
		}
	}
	return out
}
