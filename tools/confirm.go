package tools

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/sqlast"
)

// Safe actions. A tool that deletes, cancels, triggers a run or a sync,
// changes who may access what, or runs SQL that is not a plain read-only
// query acts only once confirmed. Which tools confirm is decided from data
// (the effects table in tool.go, then the rule in ConfirmReason) and
// TestEffects pins the resulting list.
//
// How a call is confirmed depends on the client:
//
//  1. A client on protocol 2026-07-28 or later that declares the
//     elicitation capability on the request gets an input_required result
//     (multi round-trip, SEP-2322) asking the user; its retry carries the
//     answer in inputResponses["confirm"] and echoes requestState, a hash
//     of the arguments, so an answer only confirms the arguments it was
//     asked about.
//  2. An earlier client whose session declared elicitation is asked with
//     elicitation/create while the call waits. If asking fails (the client
//     answers the request with an error), nothing is done: the user who
//     can be asked must be, and "confirm": true does not stand in for them.
//  3. Any other client gets a refusal (isError) that previews what would
//     happen (method, resolved path, query, body, connection, and the
//     names of the objects it addresses) until the call is repeated with
//     "confirm": true.
//
// When the user is asked (1, 2), "confirm": true is not enough: only the
// user's answer lets the call through. Declining or cancelling leaves
// everything untouched. Queries that sqlast.Classify, PostgreSQL's own
// grammar with every dialect's comment and quoting rules, positively reads
// as one read-only statement never ask; anything else asks.
// --read-only hides every one of these tools (none is read-only).

// ConfirmArg is the optional argument that confirms a call for clients
// without elicitation.
const ConfirmArg = "confirm"

// confirmID keys the confirmation in input requests and responses.
const confirmID = "confirm"

// sqlArgs are the arguments holding the SQL of the SQL tools.
var sqlArgs = []string{"query", "sql"}

// ConfirmReason says why a tool must be confirmed before it acts ("deletes",
// "cancels a running job", …), or "" when it need not be. For a generated
// tool, first match wins:
//
//   - an entry in effects (tool.go): its reason, "" included;
//   - GET: never (reads);
//   - name ends in run_sql_query: "runs SQL that is not a plain read-only
//     query" (asked only for such queries, see sqlast.Classify);
//   - the words grant, revoke or access: "changes access";
//   - DELETE, or the word delete: "deletes";
//   - organization_member (a member's role): "changes access";
//   - the word cancel: "cancels a running job";
//   - monitor together with create or start: "creates or runs a monitor";
//   - ci together with trigger or upload: "triggers a CI run";
//   - the words reload, resync or sync: "triggers a sync".
//
// Hand-written tools (no method) decide for themselves.
func ConfirmReason(t *Tool) string {
	if t.Method == "" {
		return ""
	}
	if e, ok := effects[t.Name]; ok {
		return e.confirm
	}
	return ruleReason(t.Name, t.Method)
}

// ruleReason is ConfirmReason's rule for an operation not in effects.
func ruleReason(name, method string) string {
	if method == http.MethodGet {
		return ""
	}
	words := map[string]bool{}
	for _, w := range strings.Split(name, "_") {
		words[w] = true
	}
	has := func(list ...string) bool {
		for _, w := range list {
			if words[w] {
				return true
			}
		}
		return false
	}
	switch {
	case strings.HasSuffix(name, "_run_sql_query"):
		return reasonSQL
	case has("grant", "revoke", "access"):
		return reasonAccess
	case method == http.MethodDelete || has("delete"):
		return reasonDelete
	case strings.Contains(name, "organization_member"):
		return reasonAccess
	case has("cancel"):
		return reasonCancel
	case has("monitor", "monitors") && has("create", "start"):
		return "creates or runs a monitor"
	case has("ci") && has("trigger", "upload"):
		return "triggers a CI run"
	case has("reload", "resync", "sync"):
		return reasonSync
	}
	return ""
}

// Confirming is one tool that asks for confirmation, for documentation.
type Confirming struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// ConfirmingTools lists the tools of list that ask for confirmation.
func ConfirmingTools(list []*Tool) []Confirming {
	var out []Confirming
	for _, t := range list {
		if r := ConfirmReason(t); r != "" {
			out = append(out, Confirming{Name: t.Name, Method: t.Method, Path: t.Path, Reason: r})
		}
	}
	return out
}

// confirmable makes a generated tool ask for confirmation when the rule
// says so: it gains the optional boolean "confirm" argument (in the listed
// and the full schema) and its call goes through the gate first.
func confirmable(t *Tool, op *schemas.Operation) (*Tool, error) {
	reason := ConfirmReason(t)
	if reason == "" {
		return t, nil
	}
	var err error
	full := t.FullSchema()
	if t.InputSchema, err = withConfirmArg(t.InputSchema); err != nil {
		return nil, fmt.Errorf("tools: %s: %w", t.Name, err)
	}
	if full, err = withConfirmArg(full); err != nil {
		return nil, fmt.Errorf("tools: %s: %w", t.Name, err)
	}
	if t.validator, err = newValidator(t.Name, full); err != nil {
		return nil, err
	}
	g := &gate{reason: reason, op: op}
	for _, a := range sqlArgs {
		if t.validator.knows(a) && strings.HasSuffix(t.Name, "_run_sql_query") {
			g.sqlArg = a
			break
		}
	}
	inner := t.call
	t.call = func(ctx context.Context, d *Deps, self *Tool, args map[string]any) *Result {
		if res := g.check(ctx, d, self, args); res != nil {
			return res
		}
		return inner(ctx, d, self, args)
	}
	return t, nil
}

// withConfirmArg adds the confirm property to an input schema. It splices
// the property into the schema's text, in key order, instead of decoding
// and re-encoding the schema: this runs for every confirming tool at
// start-up. Schemas it cannot splice into (no properties object, confirm
// already there) take the slower decode path.
func withConfirmArg(raw json.RawMessage) (json.RawMessage, error) {
	const prop = `"` + ConfirmArg + `":{"type":"boolean"}`
	props := gjson.GetBytes(raw, "properties")
	if props.IsObject() && props.Index > 0 && !props.Get(gjson.Escape(ConfirmArg)).Exists() {
		// Before the first key that sorts after it, or after the last key.
		at, text, keys := -1, "", 0
		props.ForEach(func(k, _ gjson.Result) bool {
			keys++
			if k.Str > ConfirmArg {
				at, text = k.Index, prop+","
				return false
			}
			return true
		})
		if at < 0 {
			at, text = props.Index+len(props.Raw)-1, prop // the closing brace
			if keys > 0 {
				text = "," + prop
			}
		}
		// The result is valid JSON by construction (the snapshot and
		// schema-compiling tests read every one); no re-scan at start-up.
		out := make([]byte, 0, len(raw)+len(text))
		return append(append(append(out, raw[:at]...), text...), raw[at:]...), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var s map[string]any
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	props2, _ := s["properties"].(map[string]any)
	if props2 == nil {
		props2 = map[string]any{}
		s["properties"] = props2
	}
	props2[ConfirmArg] = map[string]any{"type": "boolean"}
	return json.Marshal(s)
}

// gate decides, for one confirming tool, whether a call may go ahead.
type gate struct {
	reason string
	op     *schemas.Operation
	sqlArg string // the SQL argument of a SQL tool, "" otherwise
}

// check returns nil when the call may go ahead, or the result to answer
// instead: a refusal with a preview, a declined call, or a request for the
// user's answer. The preview (which may look names up) is made only when
// it is shown.
func (g *gate) check(ctx context.Context, d *Deps, t *Tool, args map[string]any) *Result {
	reason := g.reason
	if g.sqlArg != "" {
		q, _ := args[g.sqlArg].(string)
		v := sqlast.Classify(q)
		if v.ReadOnly {
			return nil
		}
		reason += " (" + v.Reason + ")"
	}
	what := sync.OnceValue(func() string { return g.preview(ctx, d, t, args) })
	req := RequestFrom(ctx)
	switch req.Route {
	case ViaRoundTrip:
		state := argsState(t.Name, args)
		if req.Answered != nil {
			if answer := req.Answered(confirmID, state); answer != nil {
				if accepted(answer) {
					d.logger().Info("action confirmed", "tool", t.Name, "via", "input_required")
					return nil
				}
				return declined(t, answer.Action, what())
			}
		}
		return &Result{Input: &InputRequest{ID: confirmID, State: state, Question: g.question(t, reason, what())}}
	case ViaElicitation:
		var answer *Answer
		err := errors.New("the client gave no answer")
		if req.Elicit != nil {
			answer, err = req.Elicit(ctx, g.question(t, reason, what()))
		}
		if err == nil && answer != nil {
			if accepted(answer) {
				d.logger().Info("action confirmed", "tool", t.Name, "via", "elicitation")
				return nil
			}
			return declined(t, answer.Action, what())
		}
		if ctx.Err() != nil {
			return errorResult("Not done: %s was cancelled while asking the user to confirm. Nothing was changed.", t.Name)
		}
		if err == nil {
			err = errors.New("the client gave no answer")
		}
		// The user can be asked, so only their answer may confirm: a failed
		// question is a refusal, never a fallback to "confirm": true.
		d.logger().Warn("elicitation failed; nothing was done", "tool", t.Name, "err", echo(err.Error()))
		return errorResult("Not done: %s %s, so it needs the user's confirmation, and the server could not ask the user, so nothing was done (the client answered the question with an error). It would %s. Tell the user; \"confirm\": true does not replace their answer.",
			t.Name, reason, what())
	}
	if ok, _ := args[ConfirmArg].(bool); ok {
		d.logger().Info("action confirmed", "tool", t.Name, "via", "confirm argument")
		return nil
	}
	return errorResult("Not done: %s %s, so it needs the user's confirmation. It would %s. Show this to the user; if they agree, call %s again with the same arguments and \"confirm\": true.",
		t.Name, reason, what(), t.Name)
}

// question is the elicitation asking the user to confirm.
func (g *gate) question(t *Tool, reason, what string) Question {
	return Question{
		Message: fmt.Sprintf("Allow %s? It %s: it would %s.", t.Name, reason, what),
		Schema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				ConfirmArg: map[string]any{"type": "boolean", "title": "Go ahead", "description": "Check to let " + t.Name + " act; leave unchecked to stop it.", "default": false},
			},
			"required": []string{ConfirmArg},
		},
	}
}

func accepted(r *Answer) bool {
	if r.Action != ActionAccept {
		return false
	}
	if r.Content == nil {
		return true
	}
	ok, _ := r.Content[ConfirmArg].(bool)
	return ok
}

func declined(t *Tool, action string, what string) *Result {
	how := "declined"
	if action == ActionCancel {
		how = "cancelled"
	}
	return errorResult("Not done: the user %s %s, which would %s. Nothing was changed; do not retry unless the user asks.", how, t.Name, what)
}

// argsState fingerprints a call's arguments (without confirm), so an
// answer given for some arguments does not confirm others.
func argsState(name string, args map[string]any) string {
	rest := make(map[string]any, len(args))
	for k, v := range args {
		if k != ConfirmArg {
			rest[k] = v
		}
	}
	b, _ := json.Marshal(rest) // map keys are sorted: canonical
	sum := sha256.Sum256(append([]byte(name+"\x00"), b...))
	return "confirm:" + hex.EncodeToString(sum[:12])
}

// maxPreviewBody bounds the request body quoted in a preview.
const maxPreviewBody = 1500

// preview says what the call would send and to what: "send DELETE
// /api/v1/… to Lightdash (connection prod), on project "Jaffle shop",
// space "Finance", with body {…}". Every caller's value in it is clipped.
func (g *gate) preview(ctx context.Context, d *Deps, t *Tool, args map[string]any) string {
	provider := ProviderName(t.Provider)
	if c, ok := ctx.Value(connKey{}).(*Connection); ok && c.Provider == t.Provider {
		provider += " (connection " + c.Name + ")"
	}
	on := ""
	if names := objectNames(ctx, d, t, args); len(names) > 0 {
		on = ", on " + strings.Join(names, ", ")
	}
	req, err := bind(g.op, args)
	if err != nil {
		return fmt.Sprintf("send %s %s to %s%s", t.Method, t.Path, provider, on)
	}
	path := req.Path
	for name, v := range req.PathParams {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(echo(v)))
	}
	if q := req.Query.Encode(); q != "" {
		path += "?" + echo(q)
	}
	s := fmt.Sprintf("send %s %s to %s%s", req.Method, path, provider, on)
	if body := bytes.TrimSpace(req.Body); len(body) > 0 && string(body) != "{}" {
		text := string(body)
		if len(text) > maxPreviewBody {
			text = Clip(text, maxPreviewBody) + "…"
		}
		s += " with body " + text
	}
	return s
}

// namedObject says how a preview names an object a call addresses: the
// argument holding its id, what it is, and the read-only tool (and the
// field of its answer) that gives its name.
type namedObject struct {
	provider, arg, kind, tool string
	field                     []string
}

// namedObjects are the objects worth naming in a preview, where a lookup
// is one cheap read.
var namedObjects = []namedObject{
	{"datafold", "data_source_id", "data source", "datafold_get_data_source", []string{"name"}},
	{"datafold", "bi_datasource_id", "BI integration", "datafold_get_bi_integration", []string{"name"}},
	{"lightdash", "projectUuid", "project", "lightdash_get_project", []string{"results", "name"}},
	{"lightdash", "spaceUuid", "space", "lightdash_get_space", []string{"results", "name"}},
}

// Bounds of the lookups of one preview.
const (
	nameLookupTimeout = 3 * time.Second
	maxObjectName     = 100
)

// objectNames looks up the names of the objects a call addresses
// ("project \"Jaffle shop\""), through tools the request and the
// connection allow, within nameLookupTimeout. A lookup that fails is left
// out: a name is a courtesy, never a condition.
func objectNames(ctx context.Context, d *Deps, t *Tool, args map[string]any) []string {
	all, err := All()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, nameLookupTimeout)
	defer cancel()
	var out []string
	for _, o := range namedObjects {
		id, given := args[o.arg]
		lookup := Find(all, o.tool)
		if o.provider != t.Provider || !given || id == nil || lookup == nil || lookup.Name == t.Name || !AllowedIn(ctx, lookup) {
			continue
		}
		if c := ConnectionFrom(ctx); c != nil && c.Provider == lookup.Provider && !c.Policy.Allows(lookup) {
			continue
		}
		largs := map[string]any{}
		for k, v := range args {
			if k != ConfirmArg && lookup.validator.knows(k) {
				largs[k] = v
			}
		}
		answer, err := Fetch(ctx, d, lookup, largs)
		if err != nil {
			continue
		}
		var v any = answer
		for _, f := range o.field {
			m, _ := v.(map[string]any)
			v = m[f]
		}
		if name, _ := v.(string); strings.TrimSpace(name) != "" {
			if len(name) > maxObjectName {
				name = Clip(name, maxObjectName) + "…"
			}
			out = append(out, fmt.Sprintf("%s %q", o.kind, name))
		}
	}
	return out
}
