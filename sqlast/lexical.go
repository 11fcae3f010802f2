package sqlast

import (
	"strings"

	"github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
)

// token is one scanner token with its text.
type token struct {
	kind    pgnode.Token
	keyword pgnode.KeywordKind
	text    string
}

func (t token) is(kind pgnode.Token) bool { return t.kind == kind }

// comment reports whether t is a comment.
func (t token) comment() bool {
	return t.kind == pgnode.Token_SQL_COMMENT || t.kind == pgnode.Token_C_COMMENT
}

// literal reports whether t is quoted text: a string constant or a quoted
// identifier (a string in MySQL and BigQuery).
func (t token) literal() bool {
	switch t.kind {
	case pgnode.Token_SCONST, pgnode.Token_USCONST, pgnode.Token_BCONST, pgnode.Token_XCONST, pgnode.Token_UIDENT:
		return true
	case pgnode.Token_IDENT:
		return strings.HasPrefix(t.text, `"`)
	}
	return false
}

// wordLike reports whether t is an identifier or keyword (quoted or not).
func (t token) wordLike() bool {
	return t.kind == pgnode.Token_IDENT || t.keyword != pgnode.KeywordKind_NO_KEYWORD
}

// tokens pairs the scanner's tokens with their text. It returns a reason
// when the scanner skipped anything but plain whitespace, which would mean
// it read the text differently from what the bytes say (the scanner stops
// at a NUL byte, for one).
func tokens(sql string, scanned []*pgnode.ScanToken) ([]token, string) {
	out := make([]token, 0, len(scanned))
	pos := 0
	for _, st := range scanned {
		start, end := int(st.GetStart()), int(st.GetEnd())
		if start < pos || end < start || end > len(sql) {
			return nil, "the scanner's token offsets do not match the text"
		}
		if !blank(sql[pos:start]) {
			return nil, "text the PostgreSQL scanner skipped"
		}
		out = append(out, token{kind: st.GetToken(), keyword: st.GetKeywordKind(), text: sql[start:end]})
		pos = end
	}
	if !blank(sql[pos:]) {
		return nil, "text the PostgreSQL scanner skipped"
	}
	return out, ""
}

// blank reports whether s is only the whitespace every dialect agrees on.
func blank(s string) bool {
	return strings.Trim(s, " \t\n\r\f") == ""
}

// dialectTrap returns why the text could be read differently by another
// SQL dialect than by PostgreSQL's scanner, or "" when every dialect the
// server forwards to would split it into the same comments, literals and
// code. The rules are the union of the dialects' comment and quoting rules.
func dialectTrap(sql string, toks []token) string {
	if strings.Contains(sql, "${") {
		return "a '${' variable substitution, which Databricks and Hive expand everywhere, literals included"
	}
	if strings.Contains(strings.ReplaceAll(sql, "\r\n", "\n"), "\r") {
		return "a carriage return not followed by a line feed ends a '--' comment in PostgreSQL but not in MySQL"
	}
	for _, t := range toks {
		var reason string
		switch {
		case t.is(pgnode.Token_SQL_COMMENT):
			reason = lineCommentTrap(t.text)
		case t.is(pgnode.Token_C_COMMENT):
			reason = blockCommentTrap(t.text)
		case t.literal():
			reason = literalTrap(t)
		default:
			reason = codeTrap(t)
		}
		if reason != "" {
			return reason
		}
	}
	return ""
}

func lineCommentTrap(text string) string {
	body := strings.TrimPrefix(text, "--")
	if body != "" && body[0] != ' ' && body[0] != '\t' {
		return "a '--' comment not followed by a space: MySQL reads '--' there as two minus signs"
	}
	return commentBodyTrap(body)
}

func blockCommentTrap(text string) string {
	body := strings.TrimSuffix(strings.TrimPrefix(text, "/*"), "*/")
	switch {
	case strings.HasPrefix(body, "!"), strings.HasPrefix(body, "M!"):
		return "a MySQL executable comment ('/*!'): MySQL runs its content"
	case strings.HasPrefix(body, "+"):
		return "an optimizer hint comment ('/*+')"
	case strings.Contains(body, "/*"):
		return "a nested '/*' comment: PostgreSQL nests block comments, other dialects end them at the first '*/'"
	}
	return commentBodyTrap(body)
}

// commentBodyTrap rejects comment text that other dialects could end
// earlier or read as quoting.
func commentBodyTrap(body string) string {
	if strings.ContainsAny(body, "'\"`\\") {
		return "a comment containing a quote or backslash, which could pair with quotes outside it in a dialect that ends the comment elsewhere"
	}
	for _, r := range body {
		if (r < ' ' && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return "a control or line-separator character in a comment"
		}
	}
	return ""
}

func literalTrap(t token) string {
	text := t.text
	switch {
	case t.is(pgnode.Token_USCONST) || t.is(pgnode.Token_UIDENT):
		return "a Unicode-escape (U&) literal, which other dialects read differently"
	case strings.HasPrefix(text, "$"):
		return "a dollar-quoted string, which other dialects do not read as one literal"
	case text[0] == 'e' || text[0] == 'E':
		return "an E'' escape string, whose backslash escapes other dialects read differently"
	case strings.Contains(text, `\`):
		return "a backslash in a literal: an escape in MySQL and BigQuery, a plain character in PostgreSQL"
	case strings.Contains(text, "'''") || strings.Contains(text, `"""`):
		return "a tripled quote, which opens a triple-quoted string in BigQuery"
	}
	return ""
}

// codeTrap rejects code tokens that some dialect reads as a comment,
// a quote or a string.
func codeTrap(t token) string {
	text := t.text
	switch {
	case strings.Contains(text, "#"):
		return "a '#' outside a literal reads as a comment in MySQL/BigQuery but not in PostgreSQL"
	case strings.Contains(text, "//"):
		return "a '//' outside a literal reads as a comment in Snowflake but not in PostgreSQL"
	case strings.Contains(text, "`"):
		return "a backtick outside a literal quotes an identifier in MySQL/BigQuery/Databricks but not in PostgreSQL"
	case strings.Contains(text, "$") && !t.is(pgnode.Token_PARAM):
		return "a '$' outside a literal, which can open a dollar-quoted string in other dialects"
	case strings.Contains(text, `\`):
		return "a backslash outside a literal"
	}
	return ""
}

// codeTokens drops the comments.
func codeTokens(toks []token) []token {
	var out []token
	for _, t := range toks {
		if !t.comment() {
			out = append(out, t)
		}
	}
	return out
}

// oneStatement strips one trailing semicolon from code and rejects any
// other semicolon.
func oneStatement(code []token) ([]token, string) {
	if n := len(code); n > 0 && code[n-1].is(pgnode.Token_ASCII_59) {
		code = code[:n-1]
	}
	for _, t := range code {
		if t.is(pgnode.Token_ASCII_59) {
			return nil, "two statements"
		}
	}
	if len(code) == 0 {
		return nil, "no statement"
	}
	return code, ""
}

// isDescribe matches DESCRIBE|DESC [TABLE|VIEW] name[.name[.name]]: a
// statement PostgreSQL lacks but most warehouses read as "list the columns".
func isDescribe(code []token) bool {
	if len(code) < 2 || !word(code[0], "describe", "desc") {
		return false
	}
	rest := code[1:]
	if len(rest) > 1 && word(rest[0], "table", "view") {
		rest = rest[1:]
	}
	return qualifiedName(rest, 3)
}

// qualifiedName matches name(.name)* with at most max parts.
func qualifiedName(code []token, max int) bool {
	if len(code)%2 == 0 || len(code) > 2*max-1 {
		return false
	}
	for i, t := range code {
		if i%2 == 1 {
			if !t.is(pgnode.Token_ASCII_46) {
				return false
			}
		} else if !t.wordLike() {
			return false
		}
	}
	return true
}

// isShowWords matches SHOW followed only by identifiers, keywords and dots
// (SHOW TABLES, SHOW COLUMNS FROM db.t): the metadata listings of MySQL,
// Snowflake, Databricks and Trino that PostgreSQL's grammar lacks.
func isShowWords(code []token) bool {
	if len(code) < 2 || !word(code[0], "show") {
		return false
	}
	for _, t := range code[1:] {
		if !t.wordLike() && !t.is(pgnode.Token_ASCII_46) {
			return false
		}
	}
	return true
}

// word reports whether t is an unquoted word equal to one of words.
func word(t token, words ...string) bool {
	if !t.wordLike() || strings.HasPrefix(t.text, `"`) {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}
