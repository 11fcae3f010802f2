package client

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxMessage  = 300 // bound on Error.Message
	maxTextBody = 200 // characters kept from a non-JSON error body
)

// extractMessage reduces an error body to one short line: the upstream's
// own message from a JSON body, else the readable text of the body, else
// the status text. scrub runs before truncation so that no half secret
// survives a cut.
func extractMessage(status int, body []byte, scrub func(string) string) string {
	text := strings.TrimSpace(strings.ToValidUTF8(string(body), "\uFFFD"))
	if text == "" {
		return fallbackMessage(status)
	}
	if text[0] == '{' || text[0] == '[' {
		var v any
		if json.Unmarshal([]byte(text), &v) == nil {
			if msg := oneLine(jsonMessage(v)); msg != "" {
				return bound(scrub(msg), maxMessage)
			}
		}
	}
	if text[0] == '<' {
		text = htmlText(text)
	}
	if text = oneLine(text); text == "" {
		return fallbackMessage(status)
	}
	return bound(scrub(text), maxTextBody)
}

func fallbackMessage(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "HTTP " + strconv.Itoa(status)
}

// jsonMessage finds the message in the error shapes the four providers
// (and the proxies in front of them) use.
func jsonMessage(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return listMessage(v)
	}
	if d, ok := m["detail"]; ok {
		switch d := d.(type) {
		case string:
			if attr, _ := m["attr"].(string); attr != "" && d != "" { // PostHog validation errors
				return attr + ": " + d
			}
			return d
		case []any:
			if s := listMessage(d); s != "" {
				return s
			}
		case map[string]any:
			if s := jsonMessage(d); s != "" {
				return s
			}
		}
	}
	switch msg := m["message"].(type) { // PDC: string, list or object
	case map[string]any:
		if s := jsonMessage(msg); s != "" {
			return s
		}
	default:
		if s := listMessage(msg); s != "" {
			return s
		}
	}
	switch e := m["error"].(type) {
	case map[string]any:
		if s, _ := e["message"].(string); s != "" {
			return s
		}
	case string:
		if d, _ := m["error_description"].(string); d != "" { // OAuth (PDC login)
			return e + ": " + d
		}
		if e != "" {
			return e
		}
	}
	for _, k := range []string{"msg", "title"} {
		if s, _ := m[k].(string); s != "" {
			return s
		}
	}
	return listMessage(m["errors"])
}

// listMessage renders a string, or a list of strings, FastAPI validation
// items ({loc, msg}) or {message} objects, as "a; b; c".
func listMessage(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, item := range v {
			if s := itemMessage(item); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

func itemMessage(item any) string {
	switch it := item.(type) {
	case string:
		return it
	case map[string]any:
		msg, _ := it["msg"].(string)
		if msg == "" {
			msg, _ = it["message"].(string)
		}
		if msg == "" {
			return ""
		}
		if loc, ok := it["loc"].([]any); ok && len(loc) > 0 {
			parts := make([]string, 0, len(loc))
			for _, p := range loc {
				switch p := p.(type) {
				case string:
					parts = append(parts, p)
				case float64:
					parts = append(parts, strconv.FormatFloat(p, 'f', -1, 64))
				}
			}
			return strings.Join(parts, ".") + ": " + msg
		}
		return msg
	}
	return ""
}

var (
	htmlDropped = regexp.MustCompile(`(?is)<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>|<head\b.*?</head\s*>`)
	htmlTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlTitle   = regexp.MustCompile(`(?is)<title\b[^>]*>(.*?)</title\s*>`)
)

// htmlText turns an HTML error page into its visible text. The <head> is
// dropped except for the title, which leads when the body does not repeat it.
func htmlText(s string) string {
	var title string
	if m := htmlTitle.FindStringSubmatch(s); m != nil {
		title = oneLine(html.UnescapeString(htmlTag.ReplaceAllString(m[1], " ")))
	}
	s = htmlDropped.ReplaceAllString(s, " ")
	s = oneLine(html.UnescapeString(htmlTag.ReplaceAllString(s, " ")))
	if title != "" && !strings.Contains(s, title) {
		s = strings.TrimSpace(title + " " + s)
	}
	return s
}

// oneLine collapses whitespace and drops control characters.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// bound cuts s to at most n characters, marking the cut with an ellipsis.
func bound(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
