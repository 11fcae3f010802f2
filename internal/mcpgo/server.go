package mcpgo

import (
	"context"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Catalog is a resource surface: templates, a paged listing, reading and
// completions (resources.Catalog is one).
type Catalog interface {
	Templates() []tools.ResourceTemplate
	// Page returns the resources after cursor and the next cursor.
	Page(ctx context.Context, cursor string) ([]tools.Resource, string, error)
	// Resolve checks, without reading it, that uri names a resource the
	// catalog serves; if not, a *tools.ArgumentError says why (the
	// adapter answers it as resource not found).
	Resolve(uri string) error
	// ReadContents reads the resource at uri.
	ReadContents(ctx context.Context, uri string) ([]tools.ResourceContents, error)
	// CompleteResource and CompletePrompt complete an argument of a
	// template (or URI) or of a prompt; chosen are the arguments already
	// given.
	CompleteResource(ctx context.Context, uri, arg, value string, chosen map[string]string) *tools.Completion
	CompletePrompt(ctx context.Context, prompt, arg, value string, chosen map[string]string) *tools.Completion
	// CacheTTL is the cache hint on resources/list.
	CacheTTL() time.Duration
}

// TemplatesCacheTTL is the cache hint on resources/templates/list: the
// templates change only when the server's configuration does.
const TemplatesCacheTTL = 5 * time.Minute

// Static is a resource with fixed content (an MCP Apps view).
type Static struct {
	Resource tools.Resource
	Text     string
	Meta     map[string]any
}

// Spec is everything a server is made of.
type Spec struct {
	Name, Version, Instructions string
	Tools                       []*tools.Tool
	Deps                        *tools.Deps
	Logger                      *slog.Logger
	Prompts                     []tools.Prompt
	// Catalog, when not nil, serves resources, completions and their
	// capabilities.
	Catalog Catalog
	// Static resources are listed and read as they are.
	Static []Static
	// Visible, when not nil, hides tools per request (tools/list and
	// tools/call): the request headers' narrowing policy.
	Visible func(ctx context.Context, name string) bool
	// Extra adds test-only capabilities after the product's.
	Extra *Extra
}

// Extra adds test-only capabilities to a server (the conformance build).
type Extra struct {
	ServerOptions []server.ServerOption
	Register      func(*server.MCPServer)
}

// Server is a built MCP server.
type Server struct {
	s *server.MCPServer
}

// SDK returns the mcp-go server, for the transports in cmd/.
func (s *Server) SDK() *server.MCPServer { return s.s }

// New builds the mcp-go server of spec.
func New(spec Spec) *Server {
	log := spec.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := []server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithRecovery(),
	}
	if spec.Instructions != "" {
		opts = append(opts, server.WithInstructions(spec.Instructions))
	}
	if spec.Visible != nil {
		opts = append(opts, server.WithToolFilter(func(ctx context.Context, list []mcp.Tool) []mcp.Tool {
			out := list[:0:0]
			for _, mt := range list {
				if spec.Visible(ctx, mt.Name) {
					out = append(out, mt)
				}
			}
			return out
		}))
	}
	hooks := &server.Hooks{}
	errorHooks(hooks, func(ctx context.Context, name string) []string { // errors.go
		var visible []*tools.Tool
		for _, t := range spec.Tools {
			if spec.Visible == nil || spec.Visible(ctx, t.Name) {
				visible = append(visible, t)
			}
		}
		return tools.Suggest(visible, name, 3)
	})
	if spec.Catalog != nil || len(spec.Static) > 0 {
		opts = append(opts, resourceOptions(spec, log, hooks)...)
	}
	opts = append(opts, server.WithHooks(hooks))
	if len(spec.Prompts) > 0 {
		opts = append(opts, server.WithPromptCapabilities(false))
	}
	if spec.Extra != nil {
		opts = append(opts, spec.Extra.ServerOptions...)
	}
	s := server.NewMCPServer(spec.Name, spec.Version, opts...)
	batch := make([]server.ServerTool, 0, len(spec.Tools))
	for _, t := range spec.Tools {
		batch = append(batch, server.ServerTool{Tool: ToolOf(t), Handler: handler(t, spec.Deps, log)})
	}
	s.AddTools(batch...) // one batch: one registry update
	registerResources(s, spec)
	for _, p := range spec.Prompts {
		s.AddPrompt(promptOf(p), promptHandler(p))
	}
	if spec.Extra != nil && spec.Extra.Register != nil {
		spec.Extra.Register(s)
	}
	return &Server{s: s}
}

func promptOf(p tools.Prompt) mcp.Prompt {
	opts := []mcp.PromptOption{mcp.WithPromptTitle(p.Title), mcp.WithPromptDescription(p.Description)}
	for _, a := range p.Arguments {
		aopts := []mcp.ArgumentOption{mcp.ArgumentDescription(a.Description)}
		if a.Required {
			aopts = append(aopts, mcp.RequiredArgument())
		}
		opts = append(opts, mcp.WithArgument(a.Name, aopts...))
	}
	return mcp.NewPrompt(p.Name, opts...)
}

func promptHandler(p tools.Prompt) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		r, err := p.Get(ctx, req.Params.Arguments)
		if err != nil {
			return nil, err
		}
		msgs := make([]mcp.PromptMessage, len(r.Messages))
		for i, m := range r.Messages {
			msgs[i] = mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(m))
		}
		return mcp.NewGetPromptResult(r.Description, msgs), nil
	}
}
