// Package contracttest holds contract tests of the generated tools against
// answers that did not come from this project's sandbox:
//
//   - example answers the providers published in their documentation
//     (testdata/upstream, each with a "_source" saying where it is from);
//   - answers derived by hand from the specs' response schemas for the shapes
//     that changed or matter most (testdata/derived, each with a "_source"
//     naming the schema), which must themselves validate against the spec;
//   - for every tool, answers derived mechanically from its operation's
//     response schema (every field, only the required ones, nulls where
//     allowed, each union branch).
//
// A fake upstream, an http.RoundTripper answering by method and OpenAPI
// path template, serves them to the real client (package client) and tool
// (package tools) code. Every structured result must validate against the
// tool's declared outputSchema, also when the answer is cut to the smallest
// result budget or projected to a few fields: a client may check structured
// content against the schema, and a result that violates it is an error
// there. Published answers that do not match the spec are listed (they say
// what real answers lack) rather than failed, since the spec, not the
// answer, is what is wrong.
//
// lineage_impact, which crosses providers, runs on scenarios of such
// answers (testdata/impact: the shapes where real Datafold and Lightdash
// differ from the sandbox, and the jaffle_shop dbt project merged with
// Datafold), served by internal/upstreamtest so every answer must be
// asked for (impact_test.go).
//
// One test is a walkthrough on the sandbox instead (walkthrough_test.go):
// "revenue by month from the Lightdash semantic layer" through the metric
// query tools, the way a model would ask for it.
//
// The package has tests only; nothing imports it.
package contracttest
