package tools

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

var (
	inventoryOnce sync.Once
	inventory     []*Tool
	inventoryErr  error
)

// All returns every tool the server can offer, sorted by name. The values
// are shared: callers must not modify them.
func All() ([]*Tool, error) {
	inventoryOnce.Do(func() {
		inventory, inventoryErr = build()
	})
	return inventory, inventoryErr
}

func build() ([]*Tool, error) {
	ops := schemas.Catalog()
	list := make([]*Tool, 0, len(ops))
	for i := range ops {
		t, err := fromOperation(&ops[i])
		if err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	for i := 1; i < len(list); i++ {
		if list[i].Name == list[i-1].Name {
			return nil, fmt.Errorf("tools: duplicate tool name %s", list[i].Name)
		}
	}
	return list, nil
}

// ForProviders filters tools to the given providers, keeping order.
func ForProviders(list []*Tool, providers map[string]bool) []*Tool {
	var out []*Tool
	for _, t := range list {
		if providers[t.Provider] {
			out = append(out, t)
		}
	}
	return out
}

// fromOperation makes the tool for one generated operation. Arguments are
// validated against the full input schema when the operation has one; the
// tool lists the compact one.
func fromOperation(op *schemas.Operation) (*Tool, error) {
	v, err := newValidator(op.Name, fullSchema(op))
	if err != nil {
		return nil, err
	}
	// confirmable (confirm.go) makes tools that delete, cancel, trigger
	// runs, change access or run SQL ask for confirmation.
	return confirmable(&Tool{
		Name:         op.Name,
		Provider:     op.Provider,
		Toolset:      op.Toolset,
		Operation:    op.OperationID,
		Method:       op.Method,
		Path:         op.Path,
		Title:        op.Title,
		Description:  op.Description,
		Annotations:  annotationsFor(op.Name, op.Method),
		InputSchema:  op.InputSchema,
		OutputSchema: op.OutputSchema,
		validator:    v,
		call:         operationCaller(op),
	}, op)
}

func fullSchema(op *schemas.Operation) json.RawMessage {
	if len(op.FullInputSchema) > 0 {
		return op.FullInputSchema
	}
	return op.InputSchema
}

// FullSchema returns the full input schema of the tool: the shape its
// arguments are validated against, with the optional fields and nested
// shapes that InputSchema (the compact schema tools/list shows) may leave
// out. It is InputSchema itself when nothing was left out. Callers must not
// modify the result.
func (t *Tool) FullSchema() json.RawMessage {
	if t.validator == nil {
		return t.InputSchema
	}
	if raw, err := t.validator.text(); err == nil && len(raw) > 0 {
		return raw
	}
	return t.InputSchema
}
