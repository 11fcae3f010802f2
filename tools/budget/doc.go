// Package budget fits a tool's JSON answer to the token budget of one tool
// result (the server's --max-result-tokens, Default unless set): clients
// refuse or cut larger answers, and a model pays for every token.
//
// An answer over the budget is shrunk deterministically and stays valid
// JSON with the same type at every place it keeps, so a tool's output
// schema (top-level property types, nothing required) still holds: a list
// keeps its first items whole and in order; an object keeps its small
// fields whole and shares the rest of the budget among its large ones, or,
// when it is a map of entries (all objects or all arrays) or there are too
// many large fields to share, keeps the first of them in key order whole;
// a long string keeps its beginning and ends with a marker saying how much
// was cut. Top-level paging fields the upstream sent (count, total, next,
// …) are always kept. A top-level "_truncated" object says what was cut:
//
//	"_truncated": {
//	  "reason": "the answer (about 61200 tokens) is larger than this server's 25000-token budget for one tool result",
//	  "kept":  {"items": 120},            // first items (lists) or keys (objects) shown, by gjson path
//	  "total": {"items": 2000},           // their real number in the upstream answer
//	  "omitted_fields": ["…"],            // object fields left out entirely
//	  "shortened_strings": {"…": 15000},  // strings cut, with their real length in characters
//	  "next": "call again with offset=120 and limit=120 for the next items, or pass fields with only the gjson paths you need, e.g. [\"items.#.id\",\"items.#.name\"]"
//	}
//
// Each map or list holds at most 10 entries; "more_cuts" and
// "omitted_fields_more" count the rest (with a tiny budget the lists go
// and only the counts stay). "next" is built from the tool's own paging
// arguments (limit/offset, page/page_size, skip, cursor, …; see [Pager]),
// their values in this call, and its projection argument. The text is one
// sentence saying the answer was cut (with "first K of N" for the main
// list), a newline, and the same JSON as the structured content.
//
// Memory: an answer is fitted on its bytes, never decoded whole. Sizes are
// read from the JSON text (tree.go) and only what the shrinker looks into
// is indexed, only what it keeps is decoded; so fitting a 10 MiB answer
// costs a fraction of its size on top of the answer itself, where decoding
// it into maps cost over twenty times its size. An answer that fits
// comfortably is passed on as it came, compacted.
//
// Sizes are estimated from character classes (cheap, and erring high); the
// exact o200k count is used only near the budget.
package budget
