package tools

import (
	"strings"
	"unicode"
)

// ReadOnlySQL reports whether query is one plain read-only statement, which
// the SQL tools run without asking for confirmation: SELECT, WITH … SELECT,
// SHOW, DESCRIBE (DESC), EXPLAIN, VALUES or TABLE, possibly in parentheses,
// with comments and one trailing semicolon allowed.
//
// It is deliberately conservative: a second statement, or any word outside
// string literals and quoted identifiers that writes, changes the schema or
// access, or runs code (INSERT, UPDATE, DELETE, MERGE, CREATE, DROP, ALTER,
// TRUNCATE, GRANT, REVOKE, COPY, UNLOAD, INTO, CALL, EXECUTE, …) makes it
// not read-only, even where a dialect would allow it harmlessly (SELECT …
// FOR UPDATE; an unquoted column named "update"). Statements that begin
// with anything else (SET, USE, BEGIN, VACUUM, …) are not read-only either.
// Those queries still run, after confirmation.
func ReadOnlySQL(query string) bool {
	words, statements, ok := sqlWords(query)
	if !ok || statements != 1 || len(words) == 0 {
		return false
	}
	switch words[0] {
	case "select", "with", "show", "describe", "desc", "explain", "values", "table":
	default:
		return false
	}
	for _, w := range words {
		if sqlWriteWords[w] {
			return false
		}
	}
	return true
}

// sqlWriteWords are keywords that make a statement more than a read.
var sqlWriteWords = map[string]bool{
	"insert": true, "update": true, "delete": true, "merge": true, "upsert": true,
	"create": true, "drop": true, "alter": true, "truncate": true, "rename": true, "undrop": true,
	"grant": true, "revoke": true, "copy": true, "unload": true, "into": true,
	"call": true, "exec": true, "execute": true,
}

// sqlWords lowercases the bare words of query (keywords and unquoted
// identifiers), skipping comments, string literals and quoted identifiers.
// statements counts the non-empty statements. ok is false when the query
// cannot be read the same way in every dialect: an unclosed literal or
// comment, a backslash inside a literal (an escape in MySQL, a plain
// character in standard SQL), a dollar-quoted body, or a MySQL executable
// comment (/*! … */). "--" starts a comment only when followed by a space
// or the end of a line, as in MySQL; elsewhere its text stays visible.
func sqlWords(query string) (words []string, statements int, ok bool) {
	s := query
	inStatement := false
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '-' && strings.HasPrefix(s[i:], "--") && (i+2 == len(s) || s[i+2] == ' ' || s[i+2] == '\t' || s[i+2] == '\n' || s[i+2] == '\r'):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				i = len(s)
			} else {
				i += j + 1
			}
			continue
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			if strings.HasPrefix(s[i:], "/*!") {
				return nil, 0, false
			}
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return nil, 0, false
			}
			i += 2 + j + 2
			continue
		case c == '\'' || c == '"' || c == '`':
			j := closing(s, i+1, c)
			if j < 0 || strings.IndexByte(s[i:j], '\\') >= 0 {
				return nil, 0, false
			}
			inStatement = true
			i = j + 1
			continue
		case c == '$':
			// $tag$ … $tag$ or $$ … $$; $1 placeholders are fine.
			if i+1 < len(s) && !(s[i+1] >= '0' && s[i+1] <= '9') {
				return nil, 0, false
			}
		case c == ';':
			if inStatement {
				statements++
				inStatement = false
			}
			i++
			continue
		}
		if isWordByte(c) {
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			words = append(words, strings.ToLower(s[i:j]))
			inStatement = true
			i = j
			continue
		}
		if !unicode.IsSpace(rune(c)) {
			inStatement = true
		}
		i++
	}
	if inStatement {
		statements++
	}
	return words, statements, true
}

// closing returns the index of the quote that closes a literal opened
// before from, a doubled quote being an escaped one; -1 if none.
func closing(s string, from int, q byte) int {
	for i := from; i < len(s); i++ {
		if s[i] != q {
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			i++
			continue
		}
		return i
	}
	return -1
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
