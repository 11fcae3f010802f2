package mcpgo

import (
	"context"
	"log/slog"
	"sort"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// resourceOptions are the options a resource surface needs: capabilities,
// recovery in resource handlers, completions, the resources/list hook
// (paged listing of live resources, added to hooks) and cache hints.
func resourceOptions(spec Spec, log *slog.Logger, hooks *server.Hooks) []server.ServerOption {
	opts := []server.ServerOption{
		server.WithResourceCapabilities(false, false),
		server.WithResourceRecovery(),
	}
	c := spec.Catalog
	if c == nil {
		return opts
	}
	hooks.AddAfterListResources(func(ctx context.Context, _ any, req *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		if res == nil {
			return
		}
		page, next, err := c.Page(ctx, string(req.Params.Cursor))
		if err != nil {
			log.Info("resources/list: bad cursor", "err", err)
		}
		list := make([]mcp.Resource, 0, len(page)+len(spec.Static))
		if req.Params.Cursor == "" {
			for _, st := range spec.Static {
				list = append(list, resourceOf(st.Resource))
			}
		}
		for _, r := range page {
			list = append(list, resourceOf(r))
		}
		res.Resources, res.NextCursor = list, mcp.Cursor(next)
	})
	comp := completer{c}
	return append(opts,
		server.WithPromptCapabilities(false),
		server.WithCompletions(),
		server.WithResourceCompletionProvider(comp),
		server.WithPromptCompletionProvider(comp),
		server.WithMethodCacheHints(mcp.MethodResourcesList, c.CacheTTL().Milliseconds(), mcp.CacheScopePrivate),
		server.WithMethodCacheHints(mcp.MethodResourcesTemplatesList, TemplatesCacheTTL.Milliseconds(), mcp.CacheScopePrivate),
	)
}

func resourceOf(r tools.Resource) mcp.Resource {
	return mcp.NewResource(r.URI, r.Name, mcp.WithResourceTitle(r.Title), mcp.WithResourceDescription(r.Description), mcp.WithMIMEType(r.MIMEType))
}

// registerResources adds the static resources and the catalog's templates.
// Concrete catalog resources are listed by the hook of resourceOptions and
// read through the templates they match.
func registerResources(s *server.MCPServer, spec Spec) {
	for _, st := range spec.Static {
		st := st
		s.AddResource(resourceOf(st.Resource), func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			c := mcp.TextResourceContents{URI: st.Resource.URI, MIMEType: st.Resource.MIMEType, Text: st.Text}
			if len(st.Meta) > 0 {
				c.Meta = st.Meta
			}
			return []mcp.ResourceContents{c}, nil
		})
	}
	c := spec.Catalog
	if c == nil {
		return
	}
	read := func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		// A URI that matches a template may still name nothing (an unknown
		// connection, a bad id): that is "not found", not a failed read.
		if err := c.Resolve(req.Params.URI); err != nil {
			return nil, err
		}
		contents, err := c.ReadContents(ctx, req.Params.URI)
		if err != nil {
			return nil, err
		}
		out := make([]mcp.ResourceContents, len(contents))
		for i, rc := range contents {
			out[i] = mcp.TextResourceContents{URI: rc.URI, MIMEType: rc.MIMEType, Text: rc.Text}
		}
		return out, nil
	}
	templates := c.Templates()
	sort.Slice(templates, func(i, j int) bool { return templates[i].Name < templates[j].Name })
	for _, t := range templates {
		s.AddResourceTemplate(mcp.NewResourceTemplate(t.URITemplate, t.Name,
			mcp.WithTemplateTitle(t.Title), mcp.WithTemplateDescription(t.Description), mcp.WithTemplateMIMEType(t.MIMEType)), read)
	}
}

// completer adapts a Catalog to mcp-go's completion providers.
type completer struct{ c Catalog }

func (p completer) CompleteResourceArgument(ctx context.Context, uri string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	return completionOf(p.c.CompleteResource(ctx, uri, arg.Name, arg.Value, cc.Arguments)), nil
}

func (p completer) CompletePromptArgument(ctx context.Context, prompt string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	return completionOf(p.c.CompletePrompt(ctx, prompt, arg.Name, arg.Value, cc.Arguments)), nil
}

func completionOf(c *tools.Completion) *mcp.Completion {
	if c == nil || c.Values == nil {
		return &mcp.Completion{Values: []string{}}
	}
	return &mcp.Completion{Values: c.Values, Total: c.Total, HasMore: c.HasMore}
}
