package schemas

import "encoding/json"

// Operation is one upstream API operation as the tool layer sees it: the
// tool's name and description, its compact input schema, and how each
// argument binds to the HTTP request. It is produced by the generator and
// never written by hand.
type Operation struct {
	Name        string `json:"name"`
	Provider    string `json:"provider"`
	Toolset     string `json:"toolset"`
	OperationID string `json:"operationId"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Params binds every top-level argument of the full input schema
	// (FullInputSchema, or InputSchema when that is absent) to the request.
	Params []Param `json:"params"`
	// BodyRequired says the operation needs a JSON body even when no body
	// argument is given (then "{}" is sent).
	BodyRequired bool `json:"bodyRequired,omitempty"`
	// Projection says the tool takes the optional "fields" argument (a
	// Param with In == InProjection) that narrows its answer.
	Projection bool `json:"projection,omitempty"`
	// InputSchema is the compact schema a model sees in tools/list: it is
	// cut to a token budget, so optional body fields, nested shapes and
	// long descriptions may be left out.
	InputSchema json.RawMessage `json:"inputSchema"`
	// FullInputSchema is the deeper rendering that arguments are validated
	// against; omitted when it is the same as InputSchema. Its top-level
	// properties are a superset of InputSchema's.
	FullInputSchema json.RawMessage `json:"fullInputSchema,omitempty"`
	// OutputSchema is set only where the success response is a JSON object
	// whose shape can be stated without risk of rejecting a real answer.
	OutputSchema json.RawMessage `json:"outputSchema,omitempty"`
}

// Param places one tool argument in the HTTP request.
type Param struct {
	Arg  string `json:"arg"`            // argument name in the tool input
	In   string `json:"in"`             // "path", "query", "body" (one body field), "body-whole" or "projection"
	Name string `json:"name,omitempty"` // wire name (path/query parameter or body field)
}

// Where a Param goes.
const (
	InPath      = "path"
	InQuery     = "query"
	InBody      = "body"
	InBodyWhole = "body-whole"
	// InProjection is not sent upstream: it names the answer's fields to
	// keep (gjson paths).
	InProjection = "projection"
)

// CatalogFile is the generated file, relative to this package: Go source
// holding the catalogue as a literal (see Catalog).
const CatalogFile = "operations.gen.go"

// Catalog returns every generated operation in a stable order (provider,
// then path, then method). The catalogue is a package-level literal in
// operations.gen.go, so there is nothing to decode at start-up. Callers must
// not modify the result.
func Catalog() []Operation { return catalog }
