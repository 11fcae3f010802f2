package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// apiError is an error answer, rendered in each provider's own error style by
// encodeError.
type apiError struct {
	status int
	msg    string
	route  bool         // no route matched (404) — some APIs word it differently
	auth   string       // for 401: "missing" or "invalid"
	fields []fieldError // request validation failures
}

func (e *apiError) Error() string { return e.msg }

// fieldError is one request validation failure.
type fieldError struct {
	loc  []any  // FastAPI style location: "body"/"query"/"path"/"header", then keys
	msg  string // human message
	typ  string // FastAPI style error type (missing, int_type, enum, ...)
	code string // DRF style code (required, invalid, invalid_choice, ...)
}

func errf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError { return errf(404, format, args...) }

func badRequest(format string, args ...any) *apiError { return errf(400, format, args...) }

// fail answers an error in the provider's style.
func (c *call) fail(e *apiError) (int, any) { return e.status, e }

// encodeError renders e in p's style.
func (p *provider) encodeError(e *apiError) []byte {
	var v any
	switch p.name {
	case schemas.Datafold:
		v = datafoldError(e)
	case schemas.PostHog:
		v = posthogError(e)
	case schemas.PDC:
		v = pdcError(e)
	case schemas.Lightdash:
		v = lightdashError(e)
	default:
		v = map[string]any{"error": e.msg}
	}
	b, _ := json.Marshal(v)
	return b
}

// Datafold is FastAPI: {"detail": "..."} or, for validation errors,
// {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}.
func datafoldError(e *apiError) any {
	if len(e.fields) > 0 {
		var d []any
		for _, f := range e.fields {
			d = append(d, map[string]any{"loc": f.loc, "msg": f.msg, "type": f.typ})
		}
		return map[string]any{"detail": d}
	}
	msg := e.msg
	switch {
	case e.status == 401 && e.auth == "missing":
		msg = "Not authenticated"
	case e.status == 401:
		msg = "Invalid API key. Send 'Authorization: Key <api-key>'."
	case e.route:
		msg = "Not Found"
	}
	return map[string]any{"detail": msg}
}

// PostHog is Django REST framework with PostHog's exception handler:
// {"type", "code", "detail", "attr"}.
func posthogError(e *apiError) any {
	out := map[string]any{"attr": nil}
	switch {
	case len(e.fields) > 0:
		f := e.fields[0]
		out["type"] = "validation_error"
		out["code"] = f.code
		out["detail"] = f.msg
		var attr []string
		for _, l := range f.loc[1:] {
			attr = append(attr, fmt.Sprint(l))
		}
		if len(attr) > 0 {
			out["attr"] = strings.Join(attr, "__")
		}
	case e.status == 401:
		out["type"] = "authentication_error"
		if e.auth == "missing" {
			out["code"] = "not_authenticated"
			out["detail"] = "Authentication credentials were not provided."
		} else {
			out["code"] = "authentication_failed"
			out["detail"] = "Invalid personal API key."
		}
	case e.status == 404:
		out["type"] = "invalid_request"
		out["code"] = "not_found"
		out["detail"] = "Not found."
		if !e.route && e.msg != "" {
			out["detail"] = e.msg
		}
	case e.status == 405:
		out["type"] = "invalid_request"
		out["code"] = "method_not_allowed"
		out["detail"] = "Method not allowed."
	case e.status >= 500:
		out["type"] = "server_error"
		out["code"] = "error"
		out["detail"] = "A server error occurred."
	default:
		out["type"] = "validation_error"
		out["code"] = "invalid_input"
		out["detail"] = e.msg
	}
	return out
}

// PDC: {"status": 400, "message": "..."}.
func pdcError(e *apiError) any {
	msg := e.msg
	if e.status == 401 && e.auth != "" {
		msg = "Unauthorized"
		if e.auth == "invalid" {
			msg = "Invalid or expired token"
		}
	}
	if len(e.fields) > 0 {
		var parts []string
		for _, f := range e.fields {
			parts = append(parts, locString(f.loc)+": "+f.msg)
		}
		msg = strings.Join(parts, "; ")
	}
	return map[string]any{"status": e.status, "message": msg}
}

// Lightdash: {"status": "error", "error": {"statusCode", "name", "message", "data"?}}.
func lightdashError(e *apiError) any {
	name := map[int]string{
		400: "ParameterError", 401: "AuthorizationError", 403: "ForbiddenError",
		404: "NotFoundError", 405: "MethodNotAllowedError", 409: "AlreadyExistsError",
		413: "ParameterError", 422: "ParameterError",
	}[e.status]
	if name == "" {
		name = "UnexpectedServerError"
	}
	msg := e.msg
	if e.status == 401 {
		msg = "Failed to authorize user"
		if e.auth == "invalid" {
			msg = "Invalid personal access token. Send 'Authorization: ApiKey <token>'."
		}
	}
	errObj := map[string]any{"statusCode": e.status, "name": name, "message": msg}
	if len(e.fields) > 0 {
		data := map[string]any{}
		var parts []string
		for _, f := range e.fields {
			k := locString(f.loc)
			data[k] = map[string]any{"message": f.msg}
			parts = append(parts, k+": "+f.msg)
		}
		errObj["message"] = strings.Join(parts, "; ")
		errObj["data"] = data
	}
	return map[string]any{"status": "error", "error": errObj}
}

func locString(loc []any) string {
	var parts []string
	for _, l := range loc {
		parts = append(parts, fmt.Sprint(l))
	}
	return strings.Join(parts, ".")
}

// validationError turns an openapi3filter validation error into the
// provider's validation error answer.
func (p *provider) validationError(op *opInfo, err error) *apiError {
	var fields []fieldError
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = me
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		fields = append(fields, toFieldErrors(e)...)
	}
	if len(fields) == 0 {
		fields = []fieldError{{loc: []any{"body"}, msg: err.Error(), typ: "value_error", code: "invalid"}}
	}
	status := 400
	if p.name == schemas.Datafold {
		status = 422
	}
	msgs := make([]string, 0, len(fields))
	for _, f := range fields {
		msgs = append(msgs, locString(f.loc)+": "+f.msg)
	}
	return &apiError{status: status, msg: strings.Join(msgs, "; "), fields: fields}
}

var missingPropRE = lazyRegexp(`(?:property "([^"]+)" is missing|missing propert(?:y|ies) ((?:'[^']*'(?:, )?)+))`)
var quotedRE = lazyRegexp(`'([^']*)'`)

func toFieldErrors(err error) []fieldError {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return []fieldError{{loc: []any{"request"}, msg: err.Error(), typ: "value_error", code: "invalid"}}
	}
	var base []any
	switch {
	case re.Parameter != nil:
		base = []any{re.Parameter.In, re.Parameter.Name}
	case re.RequestBody != nil:
		base = []any{"body"}
	default:
		base = []any{"request"}
	}
	if re.Err == nil || errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
		if re.Err == nil && re.Reason != "" && !strings.Contains(re.Reason, "required") {
			return []fieldError{{loc: base, msg: re.Reason, typ: "value_error", code: "invalid"}}
		}
		return []fieldError{{loc: base, msg: "Field required", typ: "missing", code: "required"}}
	}
	var out []fieldError
	var inner []error
	var me openapi3.MultiError
	if errors.As(re.Err, &me) {
		inner = me
	} else {
		inner = []error{re.Err}
	}
	for _, e := range inner {
		var se *openapi3.SchemaError
		if !errors.As(e, &se) {
			msg := e.Error()
			if strings.HasPrefix(msg, "header Content-Type") {
				msg = "unsupported or missing Content-Type"
			}
			out = append(out, fieldError{loc: base, msg: firstLine(msg), typ: "value_error", code: "invalid"})
			continue
		}
		out = append(out, schemaFieldErrors(base, se)...)
	}
	return out
}

// schemaFieldErrors describes the innermost failures of se.
func schemaFieldErrors(base []any, se *openapi3.SchemaError) []fieldError {
	leaf := deepestSchemaError(se)
	loc := slices.Clone(base)
	for _, k := range leaf.JSONPointer() {
		loc = append(loc, k)
	}
	reason := leaf.Reason
	if m := missingPropRE().FindStringSubmatch(reason); m != nil || leaf.SchemaField == "required" {
		var names []string
		if m != nil && m[1] != "" {
			names = []string{m[1]}
		} else if m != nil {
			for _, q := range quotedRE().FindAllStringSubmatch(m[2], -1) {
				names = append(names, q[1])
			}
		}
		if len(names) == 0 {
			return []fieldError{{loc: loc, msg: "Field required", typ: "missing", code: "required"}}
		}
		var out []fieldError
		for _, n := range names {
			l := slices.Clone(loc)
			if len(l) == 0 || l[len(l)-1] != n {
				l = append(l, n)
			}
			out = append(out, fieldError{loc: l, msg: "Field required", typ: "missing", code: "required"})
		}
		return out
	}
	msg := cleanReason(reason)
	typ, code := "value_error", "invalid"
	switch leaf.SchemaField {
	case "type":
		want := ""
		if leaf.Schema != nil && leaf.Schema.Type != nil && len(leaf.Schema.Type.Slice()) > 0 {
			want = leaf.Schema.Type.Slice()[0]
		} else if w := wantRE().FindStringSubmatch(reason); w != nil {
			want = w[1]
		}
		typ = "type_error"
		if t, ok := typeErrors[want]; ok {
			typ, msg = t[0], "Input should be a valid "+t[1]
		}
	case "enum", "const":
		typ, code = "enum", "invalid_choice"
	case "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum":
		b := boundRE().FindStringSubmatch(reason)
		kind := map[string][3]string{
			"maximum":          {"less_than_equal", "max_value", "less than or equal to"},
			"exclusiveMaximum": {"less_than", "max_value", "less than"},
			"minimum":          {"greater_than_equal", "min_value", "greater than or equal to"},
			"exclusiveMinimum": {"greater_than", "min_value", "greater than"},
		}[leaf.SchemaField]
		typ, code = kind[0], kind[1]
		if b != nil {
			msg = "Input should be " + kind[2] + " " + b[1]
		}
	case "minItems", "minLength":
		typ, code = "too_short", "min_length"
	case "maxItems", "maxLength":
		typ, code = "too_long", "max_length"
	case "pattern":
		typ, code = "string_pattern_mismatch", "invalid"
	case "additionalProperties":
		typ, code = "extra_forbidden", "invalid"
	}
	return []fieldError{{loc: loc, msg: msg, typ: typ, code: code}}
}

var (
	wantRE  = lazyRegexp(`want (\w+)`)
	boundRE = lazyRegexp(`(?:want|than|to) (-?[0-9][0-9.e+]*)`)
)

// typeErrors: JSON type -> pydantic error type and noun.
var typeErrors = map[string][2]string{
	"integer": {"int_type", "integer"}, "number": {"float_type", "number"}, "string": {"string_type", "string"},
	"boolean": {"bool_type", "boolean"}, "array": {"list_type", "list"}, "object": {"dict_type", "dictionary"},
}

// deepestSchemaError follows Origin chains (anyOf/oneOf/$ref wrappers) to the
// most specific failure.
func deepestSchemaError(se *openapi3.SchemaError) *openapi3.SchemaError {
	best := se
	for i := 0; i < 32; i++ {
		if best.Origin == nil {
			return best
		}
		var next *openapi3.SchemaError
		var me openapi3.MultiError
		if errors.As(best.Origin, &me) {
			// Prefer the cause that is not about a "null" alternative.
			for _, e := range me {
				var c *openapi3.SchemaError
				if errors.As(e, &c) && !strings.Contains(c.Reason, "want null") && !strings.Contains(c.Reason, "null") {
					next = c
					break
				}
			}
			if next == nil && len(me) > 0 {
				errors.As(me[0], &next)
			}
		} else {
			errors.As(best.Origin, &next)
		}
		if next == nil || next == best {
			return best
		}
		if len(next.JSONPointer()) < len(best.JSONPointer()) {
			return best
		}
		best = next
	}
	return best
}

var reasonPrefixRE = lazyRegexp(`^(?:error at "[^"]*": )?(?:at '[^']*': )?`)

func cleanReason(r string) string {
	r = firstLine(r)
	r = strings.TrimPrefix(r, "validation failed due to: ")
	r = reasonPrefixRE().ReplaceAllString(r, "")
	if r == "" {
		r = "Invalid value"
	}
	return r
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
