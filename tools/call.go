package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/redact"
	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// shaping is what a generated tool needs to present its answer: its
// provider, projection argument and paging arguments.
type shaping struct {
	tool     string
	provider string
	fields   string // projection argument name, "" when the tool has none
	// pager is read from the input schema when an answer is first cut, not
	// at start-up: decoding 137 schemas up front cost milliseconds of
	// start-up for what few calls need.
	pager func() *pager
}

func newShaping(op *schemas.Operation) *shaping {
	sh := &shaping{tool: op.Name, provider: op.Provider}
	for _, p := range op.Params {
		if p.In == schemas.InProjection {
			sh.fields = p.Arg
		}
	}
	raw := op.FullInputSchema // a superset of InputSchema's arguments
	if len(raw) == 0 {
		raw = op.InputSchema
	}
	sh.pager = sync.OnceValue(func() *pager {
		var schema struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		_ = json.Unmarshal(raw, &schema)
		return newPager(schema.Properties, sh.fields)
	})
	return sh
}

// operationCaller returns the handler body of a generated tool: bind the
// arguments to an HTTP request, send it, and shape the answer.
func operationCaller(op *schemas.Operation) func(context.Context, *Deps, *Tool, map[string]any) *Result {
	sh := newShaping(op)
	return func(ctx context.Context, d *Deps, t *Tool, args map[string]any) *Result {
		caller := d.callerFor(ctx, op.Provider)
		if caller == nil {
			return errorResult("%s is not available: %s is not configured on this server. Configure its credentials (%s) or start the server with --sandbox.",
				t.Name, ProviderName(op.Provider), d.ConfigHint[op.Provider])
		}
		var fields []string
		if sh.fields != "" {
			var err error
			if fields, err = fieldsArg(sh.fields, args); err != nil {
				return errorResult("%s: invalid arguments: %v. Fix the arguments and call again.", t.Name, err)
			}
		}
		req, err := bind(op, args)
		if err != nil {
			return errorResult("%s: invalid arguments: %v. Fix the arguments and call again.", t.Name, err)
		}
		start := time.Now()
		resp, err := caller.Do(ctx, req)
		logUpstream(ctx, d, t, op.Provider, op.Method, op.Path, status(resp, err), time.Since(start))
		if err != nil {
			return scrubResult(upstreamError(t, err, d), d.redactor(ctx))
		}
		if forData(ctx) {
			return dataAnswer(d, sh, resp, d.redactor(ctx))
		}
		return scrubResult(answer(d, sh, resp, args, fields, d.redactor(ctx)), d.redactor(ctx))
	}
}

func status(resp *client.Response, err error) int {
	if resp != nil {
		return resp.Status
	}
	if ce, ok := err.(*client.Error); ok {
		return ce.Status
	}
	return 0
}

// bind places each argument where the operation expects it. The request
// is marked as a read when the operation only reads (readsOnly: the
// effects table, then the method), which is what lets the client repeat it
// after an outcome that leaves unknown whether the upstream acted.
func bind(op *schemas.Operation, args map[string]any) (client.Request, error) {
	req := client.Request{
		Method:     op.Method,
		Path:       op.Path,
		PathParams: map[string]string{},
		Query:      url.Values{},
		Read:       readsOnly(op.Name, op.Method),
	}
	var body map[string]any
	var whole any
	for _, p := range op.Params {
		v, ok := args[p.Arg]
		if !ok || v == nil {
			continue
		}
		switch p.In {
		case schemas.InProjection:
			// Shapes the answer (projection.go); never sent upstream.
		case schemas.InPath:
			s, err := scalar(v)
			if err != nil {
				return req, fmt.Errorf("argument %q: %w", p.Arg, err)
			}
			req.PathParams[p.Name] = s
		case schemas.InQuery:
			if list, ok := v.([]any); ok {
				for _, item := range list {
					s, err := scalar(item)
					if err != nil {
						return req, fmt.Errorf("argument %q: %w", p.Arg, err)
					}
					req.Query.Add(p.Name, s)
				}
				continue
			}
			s, err := scalar(v)
			if err != nil {
				return req, fmt.Errorf("argument %q: %w", p.Arg, err)
			}
			req.Query.Set(p.Name, s)
		case schemas.InBody:
			if body == nil {
				body = map[string]any{}
			}
			body[p.Name] = v
		case schemas.InBodyWhole:
			whole = v
		}
	}
	switch {
	case whole != nil:
		b, err := json.Marshal(whole)
		if err != nil {
			return req, err
		}
		req.Body = b
	case body != nil:
		b, err := json.Marshal(body)
		if err != nil {
			return req, err
		}
		req.Body = b
	case op.BodyRequired:
		req.Body = []byte("{}")
	}
	return req, nil
}

// scalar renders a path or query value. Objects are sent as JSON text,
// which is how the APIs with structured query parameters read them.
func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	case json.Number:
		return x.String(), nil
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return "", fmt.Errorf("cannot be sent in a URL")
		}
		return string(b), nil
	}
}

// dataKey marks a call made by [Fetch].
type dataKey struct{}

func forData(ctx context.Context) bool { return ctx.Value(dataKey{}) != nil }

// dataAnswer is the whole answer, decoded and redacted, for Fetch.
func dataAnswer(d *Deps, sh *shaping, resp *client.Response, red *redact.Redactor) *Result {
	structured, plain := decodeAnswer(sh.tool, sh.provider, resp, math.MaxInt)
	if plain != nil {
		if !plain.IsError && plain.Structured == nil {
			return errorResult("%s answered %d with content that is not JSON", ProviderName(sh.provider), resp.Status)
		}
		return scrubResult(plain, red)
	}
	return &Result{Structured: red.Value(structured)}
}

// Fetch calls a generated tool t on behalf of a feature (diff_tables,
// lineage_impact) and returns the operation's data: the arguments
// validated and bound to their connection, the request authenticated, the
// answer decoded and its secrets redacted, but never projected, budgeted
// or truncated, which is for what a model reads. A refusal (a tool that
// must be confirmed, a connection's policy) or an upstream failure is an
// error carrying the sentence a model would have read.
func Fetch(ctx context.Context, d *Deps, t *Tool, args map[string]any) (map[string]any, error) {
	res := t.Call(context.WithValue(ctx, dataKey{}, true), d, args)
	switch {
	case res.Input != nil:
		return nil, fmt.Errorf("%s needs the user's confirmation, which a lookup cannot ask for", t.Name)
	case res.IsError:
		return nil, errors.New(strings.TrimSpace(res.Text))
	}
	m, ok := res.Structured.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s answered something that is not a JSON object", t.Name)
	}
	return m, nil
}
