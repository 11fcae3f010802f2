// Package schemas owns the four OpenAPI descriptions this server is built
// from and the tool catalogue generated from them.
//
// The *.openapi.json files are copies of the providers' published
// descriptions, byte for byte (see README.md in this folder for provenance);
// the few places where this project differs from them are local edits
// (edits.json, see Edits) that Spec applies. They are the single source of
// truth: tool names,
// routes and input schemas are generated from them by `go generate` into
// operations.gen.go, which is checked in and compiled into the server so it
// never parses 1 MB of OpenAPI, nor decodes a catalogue, at start-up. A test fails when the generated file is
// stale.
package schemas

import (
	"embed"
	"fmt"

	"github.com/datastack-mcp/datastack-mcp/providers"
)

//go:generate go run ./gen

// Provider names, used as tool-name prefixes, configuration keys and sandbox
// hosts: those of the provider table (package providers).
const (
	Datafold  = providers.Datafold
	PostHog   = providers.PostHog
	PDC       = providers.PDC
	Lightdash = providers.Lightdash
)

// Providers lists every provider in the provider table's order.
var Providers = providers.Names()

//go:embed *.openapi.json
var specFS embed.FS

// Spec returns the OpenAPI document of a provider as this project uses it:
// the published document with the provider's local edits applied.
func Spec(provider string) ([]byte, error) {
	b, err := Published(provider)
	if err != nil {
		return nil, err
	}
	edits, err := Edits()
	if err != nil {
		return nil, err
	}
	if len(edits[provider]) == 0 {
		return b, nil
	}
	out, err := applyEdits(b, edits[provider])
	if err != nil {
		return nil, fmt.Errorf("schemas: %s: %w", provider, err)
	}
	return out, nil
}
