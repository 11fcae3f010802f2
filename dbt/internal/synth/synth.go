// Package synth writes synthetic dbt artifacts at the scale of a large
// project (thousands of models, a hundred thousand columns), for the
// benchmarks of package dbt: a manifest.json of schema v12 whose models
// carry realistic compiled SQL (CTEs, joins, CASE, casts, window and
// aggregate functions), documented columns, tests, exposures, macros and
// the parent and child maps, and the matching catalog.json. Output is
// deterministic for given Options and written as a stream.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Options size the project. Zero values take the defaults in brackets.
type Options struct {
	Models        int // [5000]
	Columns       int // per model and source [20]
	Sources       int // source tables [Models/10]
	TestsPerModel int // [2]
	Exposures     int // [Models/25]
	Macros        int // [3000]
	// DescriptionLen is the length of each column description [500].
	DescriptionLen int
}

func (o Options) withDefaults() Options {
	if o.Models == 0 {
		o.Models = 5000
	}
	if o.Columns == 0 {
		o.Columns = 20
	}
	if o.Sources == 0 {
		o.Sources = max(1, o.Models/10)
	}
	if o.TestsPerModel == 0 {
		o.TestsPerModel = 2
	}
	if o.Exposures == 0 {
		o.Exposures = max(1, o.Models/25)
	}
	if o.Macros == 0 {
		o.Macros = 3000
	}
	if o.DescriptionLen == 0 {
		o.DescriptionLen = 500
	}
	return o
}

// Project is the shape of a generated project, for benchmarks to pick
// nodes from.
type Project struct {
	Options
	// Parents[i] are the parents of model i: model indexes, or -1-s for
	// source s.
	Parents [][]int
}

// New lays out a project: model i < Sources reads source i; later models
// read one to three earlier models, mostly recent ones, so chains are deep
// and fan-out is wide.
func New(o Options) *Project {
	o = o.withDefaults()
	p := &Project{Options: o, Parents: make([][]int, o.Models)}
	r := rng(42)
	for i := 0; i < o.Models; i++ {
		if i < o.Sources {
			p.Parents[i] = []int{-1 - i}
			continue
		}
		n := 1 + r.intn(3)
		seen := map[int]bool{}
		for k := 0; k < n; k++ {
			lo := max(0, i-400)
			j := lo + r.intn(i-lo)
			if !seen[j] {
				seen[j] = true
				p.Parents[i] = append(p.Parents[i], j)
			}
		}
	}
	return p
}

// rng is a small deterministic generator (64-bit LCG).
type rng uint64

func (r *rng) intn(n int) int {
	*r = *r*6364136223846793005 + 1442695040888963407
	return int((uint64(*r) >> 33) % uint64(n))
}

// ModelID, SourceID and ColumnName name the generated nodes.
func ModelID(i int) string    { return fmt.Sprintf("model.synth.model_%05d", i) }
func SourceID(i int) string   { return fmt.Sprintf("source.synth.raw.src_%04d", i) }
func ModelName(i int) string  { return fmt.Sprintf("model_%05d", i) }
func ColumnName(c int) string { return fmt.Sprintf("col_%02d", c) }

func (p *Project) columnNames() []string {
	out := make([]string, p.Columns)
	out[0] = "id"
	for c := 1; c < p.Columns; c++ {
		out[c] = ColumnName(c)
	}
	return out
}

func (p *Project) relation(parent int) string {
	if parent < 0 {
		return fmt.Sprintf(`"ANALYTICS"."RAW"."src_%04d"`, -1-parent)
	}
	return fmt.Sprintf(`"ANALYTICS"."%s"."%s"`, p.schema(parent), ModelName(parent))
}

func (p *Project) schema(i int) string {
	switch {
	case i < p.Sources:
		return "STAGING"
	case i < p.Models*3/5:
		return "INTERMEDIATE"
	}
	return "MARTS"
}

// SQL is model i's compiled SQL.
func (p *Project) SQL(i int) string {
	cols := p.columnNames()
	var b strings.Builder
	b.WriteString("with ")
	for k, par := range p.Parents[i] {
		if k > 0 {
			b.WriteString(",\n\n")
		}
		fmt.Fprintf(&b, "p%d as (\n\n    select * from %s\n\n)", k, p.relation(par))
	}
	b.WriteString(",\n\njoined as (\n\n    select\n")
	np := len(p.Parents[i])
	for c, name := range cols {
		src := fmt.Sprintf("p%d", c%np)
		other := fmt.Sprintf("p%d", (c+1)%np)
		switch {
		case c == 0:
			fmt.Fprintf(&b, "        p0.id")
		case c%5 == 1:
			fmt.Fprintf(&b, "        %s.%s", src, name)
		case c%5 == 2:
			fmt.Fprintf(&b, "        %s.%s * 2 + coalesce(%s.%s, 0) as %s", src, name, other, name, name)
		case c%5 == 3:
			fmt.Fprintf(&b, "        case when %s.%s > 0 then %s.%s else null end as %s", src, name, other, name, name)
		case c%5 == 4:
			fmt.Fprintf(&b, "        cast(%s.%s as varchar) as %s", src, name, name)
		default:
			fmt.Fprintf(&b, "        %s.%s as %s", src, name, name)
		}
		if c < len(cols)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n    from p0\n")
	for k := 1; k < np; k++ {
		fmt.Fprintf(&b, "    left join p%d on p0.id = p%d.id\n", k, k)
	}
	b.WriteString("\n),\n\ntotals as (\n\n    select\n        id,\n        sum(col_02) as col_02_total,\n        count(*) as n\n    from joined\n    group by id\n\n)\n\nselect\n")
	for c, name := range cols {
		switch {
		case c == 0:
			b.WriteString("    joined.id")
		case c == 2:
			b.WriteString("    totals.col_02_total as col_02")
		case c%7 == 6:
			fmt.Fprintf(&b, "    sum(joined.%s) over (partition by joined.id order by joined.col_01) as %s", name, name)
		default:
			fmt.Fprintf(&b, "    joined.%s", name)
		}
		if c < len(cols)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("from joined\nleft join totals on joined.id = totals.id\n")
	return b.String()
}

// rawCode is the Jinja the SQL came from.
func (p *Project) rawCode(i int) string {
	sql := p.SQL(i)
	for _, par := range p.Parents[i] {
		ref := fmt.Sprintf("{{ ref('%s') }}", nameOf(par))
		if par < 0 {
			ref = fmt.Sprintf("{{ source('raw', 'src_%04d') }}", -1-par)
		}
		sql = strings.Replace(sql, p.relation(par), ref, 1)
	}
	return sql
}

func nameOf(parent int) string { return ModelName(parent) }

// writer is a bufio.Writer with JSON helpers; the first error sticks.
type writer struct {
	w   *bufio.Writer
	err error
}

func (w *writer) s(parts ...string) {
	for _, p := range parts {
		if w.err == nil {
			_, w.err = w.w.WriteString(p)
		}
	}
}

// q is a JSON string literal.
func q(s string) string { return strconv.Quote(s) }

// WriteManifest writes the manifest.
func (p *Project) WriteManifest(out io.Writer) error {
	w := &writer{w: bufio.NewWriterSize(out, 1<<20)}
	w.s(`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "dbt_version": "1.8.7", "generated_at": "2025-01-01T00:00:00Z", "invocation_id": "00000000-0000-0000-0000-000000000000", "env": {}, "project_name": "synth", "adapter_type": "snowflake"},`, "\n")
	w.s(`"nodes": {`, "\n")
	first := true
	sep := func() {
		if !first {
			w.s(",\n")
		}
		first = false
	}
	for i := 0; i < p.Models; i++ {
		sep()
		p.writeModel(w, i)
	}
	for i := 0; i < p.Models; i++ {
		for t := 0; t < p.TestsPerModel; t++ {
			sep()
			p.writeTest(w, i, t)
		}
	}
	w.s("},\n", `"sources": {`, "\n")
	first = true
	for s := 0; s < p.Sources; s++ {
		sep()
		p.writeSource(w, s)
	}
	w.s("},\n", `"macros": {`, "\n")
	first = true
	body := strings.Repeat("    {% set x = adapter.dispatch('m', 'synth')(relation) %}\\n", 40)
	for m := 0; m < p.Macros; m++ {
		sep()
		id := fmt.Sprintf("macro.synth.macro_%04d", m)
		w.s(q(id), `: {"name": `, q(fmt.Sprintf("macro_%04d", m)), `, "resource_type": "macro", "package_name": "synth", "path": "macros/m.sql", "original_file_path": "macros/m.sql", "unique_id": `, q(id),
			`, "macro_sql": "{% macro m(relation) %}\n`, body, `{% endmacro %}", "depends_on": {"macros": []}, "description": "", "meta": {}, "docs": {"show": true, "node_color": null}, "patch_path": null, "arguments": [], "created_at": 1700000000.0, "supported_languages": null}`)
	}
	w.s("},\n", `"docs": {}, "exposures": {`, "\n")
	first = true
	r := rng(7)
	for e := 0; e < p.Exposures; e++ {
		sep()
		id := fmt.Sprintf("exposure.synth.dashboard_%04d", e)
		m := p.Models - 1 - r.intn(max(1, p.Models/3))
		w.s(q(id), `: {"name": `, q(fmt.Sprintf("dashboard_%04d", e)), `, "resource_type": "exposure", "package_name": "synth", "path": "exposures.yml", "original_file_path": "models/exposures.yml", "unique_id": `, q(id),
			`, "fqn": ["synth"], "type": "dashboard", "owner": {"email": "bi@example.com", "name": "BI"}, "description": "A dashboard", "label": null, "maturity": "high", "meta": {}, "tags": [], "config": {"enabled": true}, "unrendered_config": {}, "url": null, "depends_on": {"macros": [], "nodes": [`, q(ModelID(m)), `]}, "refs": [], "sources": [], "metrics": [], "created_at": 1700000000.0}`)
	}
	w.s("},\n", `"metrics": {}, "groups": {}, "selectors": {}, "disabled": {}, "parent_map": {`, "\n")
	first = true
	for i := 0; i < p.Models; i++ {
		sep()
		w.s(q(ModelID(i)), ": [")
		for k, par := range p.Parents[i] {
			if k > 0 {
				w.s(", ")
			}
			w.s(q(p.parentID(par)))
		}
		w.s("]")
	}
	w.s("},\n", `"child_map": {}, "group_map": {}, "saved_queries": {}, "semantic_models": {}, "unit_tests": {}}`, "\n")
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

func (p *Project) parentID(par int) string {
	if par < 0 {
		return SourceID(-1 - par)
	}
	return ModelID(par)
}

func (p *Project) description(what string) string {
	d := what + ": " + strings.Repeat("documented meaning of this value, its grain and caveats. ", p.DescriptionLen/56+1)
	return d[:min(len(d), p.DescriptionLen)]
}

func (p *Project) writeColumns(w *writer, owner string) {
	w.s(`"columns": {`)
	for c, name := range p.columnNames() {
		if c > 0 {
			w.s(", ")
		}
		w.s(q(name), `: {"name": `, q(name), `, "description": `, q(p.description(owner+"."+name)), `, "meta": {}, "data_type": null, "constraints": [], "quote": null, "tags": []}`)
	}
	w.s("}")
}

func (p *Project) writeModel(w *writer, i int) {
	id, name, schema := ModelID(i), ModelName(i), p.schema(i)
	w.s(q(id), `: {"database": "ANALYTICS", "schema": `, q(schema), `, "name": `, q(name), `, "resource_type": "model", "package_name": "synth", "path": `, q(name+".sql"),
		`, "original_file_path": `, q("models/"+name+".sql"), `, "unique_id": `, q(id), `, "fqn": ["synth", `, q(name), `], "alias": `, q(name),
		`, "checksum": {"name": "sha256", "checksum": "0000000000000000000000000000000000000000000000000000000000000000"}`,
		`, "config": {"enabled": true, "alias": null, "schema": `, q(schema), `, "database": null, "tags": ["synth"], "meta": {}, "group": null, "materialized": "table", "incremental_strategy": null, "persist_docs": {}, "post-hook": [], "pre-hook": [], "quoting": {}, "column_types": {}, "full_refresh": null, "unique_key": null, "on_schema_change": "ignore", "on_configuration_change": "apply", "grants": {}, "packages": [], "docs": {"show": true, "node_color": null}, "contract": {"enforced": false, "alias_types": true}, "access": "protected"}`,
		`, "tags": ["synth"], "description": `, q(p.description(name)), ", ")
	p.writeColumns(w, name)
	w.s(`, "meta": {}, "group": null, "docs": {"show": true, "node_color": null}, "patch_path": "synth://models/schema.yml", "build_path": null, "unrendered_config": {}, "created_at": 1700000000.0, "relation_name": `,
		q(fmt.Sprintf("ANALYTICS.%s.%s", schema, name)), `, "raw_code": `, q(p.rawCode(i)), `, "language": "sql", "refs": [], "sources": [], "metrics": [], "depends_on": {"macros": [], "nodes": [`)
	for k, par := range p.Parents[i] {
		if k > 0 {
			w.s(", ")
		}
		w.s(q(p.parentID(par)))
	}
	w.s(`]}, "compiled_path": `, q("target/compiled/synth/models/"+name+".sql"), `, "compiled": true, "compiled_code": `, q(p.SQL(i)),
		`, "extra_ctes_injected": true, "extra_ctes": [], "contract": {"enforced": false, "alias_types": true, "checksum": null}, "access": "protected", "constraints": [], "version": null, "latest_version": null, "deprecation_date": null}`)
}

func (p *Project) writeTest(w *writer, i, t int) {
	kind := []string{"unique", "not_null", "accepted_values", "relationships"}[t%4]
	col := p.columnNames()[t%p.Columns]
	name := fmt.Sprintf("%s_%s_%s", kind, ModelName(i), col)
	id := "test.synth." + name + fmt.Sprintf(".%010d", i*10+t)
	w.s(q(id), `: {"test_metadata": {"name": `, q(kind), `, "kwargs": {"column_name": `, q(col), `, "model": `, q("{{ get_where_subquery(ref('"+ModelName(i)+"')) }}"),
		`}, "namespace": null}, "database": "ANALYTICS", "schema": "dbt_test__audit", "name": `, q(name), `, "resource_type": "test", "package_name": "synth", "path": `, q(name+".sql"),
		`, "original_file_path": "models/schema.yml", "unique_id": `, q(id), `, "fqn": ["synth", `, q(name), `], "alias": `, q(name),
		`, "checksum": {"name": "none", "checksum": ""}, "config": {"enabled": true, "severity": "ERROR", "materialized": "test"}, "tags": [], "description": "", "columns": {}, "meta": {}, "created_at": 1700000000.0, "relation_name": null, "raw_code": "{{ test_`, kind,
		`(**_dbt_generic_test_kwargs) }}", "language": "sql", "refs": [], "sources": [], "metrics": [], "depends_on": {"macros": ["macro.dbt.test_`, kind, `"], "nodes": [`, q(ModelID(i)),
		`]}, "compiled": false, "column_name": `, q(col), `, "file_key_name": "models.`, ModelName(i), `", "attached_node": `, q(ModelID(i)), `}`)
}

func (p *Project) writeSource(w *writer, s int) {
	id, name := SourceID(s), fmt.Sprintf("src_%04d", s)
	w.s(q(id), `: {"database": "ANALYTICS", "schema": "RAW", "name": `, q(name), `, "resource_type": "source", "package_name": "synth", "path": "models/sources.yml", "original_file_path": "models/sources.yml", "unique_id": `, q(id),
		`, "fqn": ["synth", "raw", `, q(name), `], "source_name": "raw", "source_description": "", "loader": "fivetran", "identifier": `, q(name),
		`, "quoting": {}, "loaded_at_field": null, "freshness": null, "external": null, "description": `, q(p.description(name)), ", ")
	p.writeColumns(w, name)
	w.s(`, "meta": {}, "source_meta": {}, "tags": [], "config": {"enabled": true}, "patch_path": null, "unrendered_config": {}, "relation_name": `, q("ANALYTICS.RAW."+name), `, "created_at": 1700000000.0}`)
}

// WriteCatalog writes the catalog of every model and source.
func (p *Project) WriteCatalog(out io.Writer) error {
	w := &writer{w: bufio.NewWriterSize(out, 1<<20)}
	w.s(`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json", "dbt_version": "1.8.7", "generated_at": "2025-01-01T00:00:00Z", "invocation_id": null, "env": {}},`, "\n", `"nodes": {`, "\n")
	entry := func(id, schema, name string) {
		w.s(q(id), `: {"metadata": {"type": "BASE TABLE", "schema": `, q(schema), `, "name": `, q(strings.ToUpper(name)), `, "database": "ANALYTICS", "comment": null, "owner": "TRANSFORMER"}, "columns": {`)
		for c, col := range p.columnNames() {
			if c > 0 {
				w.s(", ")
			}
			typ := "NUMBER(38,0)"
			if c%5 == 4 {
				typ = "VARCHAR(16777216)"
			}
			up := strings.ToUpper(col)
			w.s(q(up), `: {"type": `, q(typ), `, "index": `, strconv.Itoa(c+1), `, "name": `, q(up), `, "comment": null}`)
		}
		w.s(`}, "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": false, "include": false, "description": ""}}, "unique_id": `, q(id), "}")
	}
	for i := 0; i < p.Models; i++ {
		if i > 0 {
			w.s(",\n")
		}
		entry(ModelID(i), p.schema(i), ModelName(i))
	}
	w.s("},\n", `"sources": {`, "\n")
	for s := 0; s < p.Sources; s++ {
		if s > 0 {
			w.s(",\n")
		}
		entry(SourceID(s), "RAW", fmt.Sprintf("src_%04d", s))
	}
	w.s("},\n", `"errors": null}`, "\n")
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}
