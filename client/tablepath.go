package client

import "strings"

// Datafold names tables and columns by dotted paths whose parts may be
// double-quoted when they contain a dot (`db."my.schema".t`; "" inside
// quotes is a literal quote). The tool layer and the sandbox both read and
// write such paths, so the syntax lives here, next to the escaping that
// sends them as one URL segment.

// SplitTablePath splits a dotted path into its parts, honouring quotes. It
// returns nil when a part is empty.
func SplitTablePath(s string) []string {
	var parts []string
	var cur strings.Builder
	inQ := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' && inQ && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case ch == '"':
			inQ = !inQ
		case ch == '.' && !inQ:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		if p == "" {
			return nil
		}
	}
	return parts
}

// QuotePathPart quotes one part when it contains a dot or a quote.
func QuotePathPart(p string) string {
	if strings.ContainsAny(p, `."`) {
		return `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return p
}

// JoinTablePath joins parts with dots, quoting those that need it.
func JoinTablePath(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = QuotePathPart(p)
	}
	return strings.Join(q, ".")
}
