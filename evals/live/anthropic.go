// Package live runs the eval tasks with a real model: the Anthropic
// Messages API with tool use, against the MCP server on the sandbox
// (in-process), and scores each task. It makes real, billed API calls, so
// it is only run by hand (go run ./evals/cmd/live); its tests replay a
// recorded exchange against a local server.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Messages API constants (https://docs.anthropic.com/en/api/messages).
const (
	DefaultBaseURL = "https://api.anthropic.com"
	APIVersion     = "2023-06-01"
	messagesPath   = "/v1/messages"
)

// Client calls the Messages API.
type Client struct {
	APIKey  string
	BaseURL string // DefaultBaseURL when empty
	HTTP    *http.Client
	// MaxRetries bounds retries of 429, 500, 502, 503, 504 and 529 answers
	// (default 4), waiting as retry-after says or backing off.
	MaxRetries int
	// Sleep waits between retries (time.Sleep when nil; tests replace it).
	Sleep func(time.Duration)
}

// Request is a Messages API request body.
type Request struct {
	Model     string    `json:"model"`
	MaxTokens int       `json:"max_tokens"`
	System    string    `json:"system,omitempty"`
	Messages  []Message `json:"messages"`
	Tools     []Tool    `json:"tools,omitempty"`
}

// Message is one turn of the conversation.
type Message struct {
	Role    string  `json:"role"` // user or assistant
	Content []Block `json:"content"`
}

// Block is a content block: text, tool_use (from the model) or tool_result
// (from us).
type Block struct {
	Type string `json:"type"`
	// text
	Text string `json:"text,omitempty"`
	// tool_use
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result
	ToolUseID string `json:"tool_use_id,omitempty"`
	Content   string `json:"content,omitempty"`
	IsError   bool   `json:"is_error,omitempty"`
}

// Tool is a tool the model may use.
type Tool struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	InputSchema  json.RawMessage `json:"input_schema"`
	CacheControl *CacheControl   `json:"cache_control,omitempty"`
}

// CacheControl marks a prompt-caching breakpoint.
type CacheControl struct {
	Type string `json:"type"` // ephemeral
}

// Response is a Messages API response body.
type Response struct {
	ID         string  `json:"id"`
	Type       string  `json:"type"`
	Role       string  `json:"role"`
	Model      string  `json:"model"`
	Content    []Block `json:"content"`
	StopReason string  `json:"stop_reason"`
	Usage      Usage   `json:"usage"`
}

// Usage counts tokens.
type Usage struct {
	InputTokens              int `json:"input_tokens"`
	OutputTokens             int `json:"output_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens,omitempty"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens,omitempty"`
}

// Add sums usages.
func (u *Usage) Add(v Usage) {
	u.InputTokens += v.InputTokens
	u.OutputTokens += v.OutputTokens
	u.CacheCreationInputTokens += v.CacheCreationInputTokens
	u.CacheReadInputTokens += v.CacheReadInputTokens
}

// APIError is an error answer of the API.
type APIError struct {
	Status  int
	Type    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("anthropic API: %d %s: %s", e.Status, e.Type, e.Message)
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 529:
		return true
	}
	return false
}

// Create sends one Messages request, retrying overload and rate limits.
func (c *Client) Create(ctx context.Context, req *Request) (*Response, error) {
	if c.APIKey == "" {
		return nil, errors.New("anthropic API: no API key (set ANTHROPIC_API_KEY)")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	retries := c.MaxRetries
	if retries == 0 {
		retries = 4
	}
	sleep := c.Sleep
	if sleep == nil {
		sleep = time.Sleep
	}
	for attempt := 0; ; attempt++ {
		hr, err := http.NewRequestWithContext(ctx, http.MethodPost, base+messagesPath, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		hr.Header.Set("x-api-key", c.APIKey)
		hr.Header.Set("anthropic-version", APIVersion)
		hr.Header.Set("content-type", "application/json")
		resp, err := hc.Do(hr)
		if err != nil {
			return nil, fmt.Errorf("anthropic API: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("anthropic API: reading the answer: %w", err)
		}
		if resp.StatusCode == http.StatusOK {
			var out Response
			if err := json.Unmarshal(data, &out); err != nil {
				return nil, fmt.Errorf("anthropic API: decoding the answer: %w", err)
			}
			return &out, nil
		}
		apiErr := &APIError{Status: resp.StatusCode, Message: strings.TrimSpace(string(data))}
		var e struct {
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			apiErr.Type, apiErr.Message = e.Error.Type, e.Error.Message
		}
		if !retryable(resp.StatusCode) || attempt >= retries {
			return nil, apiErr
		}
		wait := time.Duration(1<<attempt) * time.Second
		if s, err := strconv.Atoi(resp.Header.Get("retry-after")); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
		sleep(wait)
	}
}
