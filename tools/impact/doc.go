// Package impact owns lineage_impact, which answers "what breaks if I
// change this?" (downstream) and "where does this number come from?"
// (upstream) in one bounded call that crosses providers:
//
//   - the dbt project's lineage, from its manifest (models, sources, seeds,
//     exposures, tests, down to columns through each model's compiled SQL);
//   - the warehouse lineage, from Datafold's explore tools, walked one hop
//     per call so every edge and every node's depth is exact, with the
//     totals from one full-depth call so a cut answer says how much it left
//     out;
//   - both at once when both are configured and the root is known to both:
//     a table or column reached by both is one node (the dbt relation
//     database.schema.table matched to Datafold's table path, ignoring
//     case) that names both providers, and the bounds apply to the merged
//     set;
//   - downstream only: the Datafold BI integrations bound to the data
//     source (as far as Datafold's answer says), and, in every Lightdash
//     project searched, the explores built on the reached tables (base
//     table or joined), the fields that read the reached columns (from the
//     explore's field SQL), and the charts and dashboards using them,
//     looked up once for the merged set.
//
// Every upstream call goes through the generated tools, bound to the
// configured connections, with tools.Fetch (the data path: validated,
// authenticated, redacted, never cut to the model-facing budget), so
// authentication, connection policies and errors are exactly those of a
// direct call. The package knows nothing of the MCP SDK.
package impact
