package sqlast

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/datastack-mcp/datastack-mcp/sqlast/internal/pgwasm"
	"github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
)

// Verdict is the classification of one SQL text.
type Verdict struct {
	// ReadOnly is true only when the text is positively understood as
	// exactly one read-only statement (see [Classify]).
	ReadOnly bool
	// Kind names the statement when ReadOnly: "select" (SELECT, WITH …
	// SELECT, VALUES, TABLE), "show", "describe" or "explain".
	Kind string
	// Reason, when not ReadOnly, is a short phrase naming the construct that
	// needs confirmation, e.g. "a data-modifying CTE (DELETE)".
	Reason string
}

// Classify decides whether sql may run without asking for confirmation.
// It fails closed: ReadOnly is true only for text that PostgreSQL's own
// scanner and grammar read as exactly one statement of these forms, and
// that no other dialect the server forwards SQL to (Snowflake, BigQuery,
// MySQL, Databricks, Redshift, Trino, …) could read as something else:
//
//   - a query (SELECT, WITH … SELECT, VALUES, TABLE t) with no
//     data-modifying CTE, no locking clause (FOR UPDATE, FOR NO KEY UPDATE,
//     FOR SHARE, FOR KEY SHARE), no SELECT INTO, no sequence NEXTVAL
//     column (Snowflake, Oracle), and only calls to functions on a list of
//     side-effect-free built-ins (aggregates, window, math, string,
//     date/time, conditional, JSON and array functions, read-only catalog
//     helpers; unqualified or qualified by pg_catalog), casts only to
//     built-in types and only built-in operators;
//   - SHOW (PostgreSQL's SHOW name, or SHOW followed only by words and dots,
//     as in SHOW TABLES or SHOW COLUMNS FROM db.t);
//   - DESCRIBE or DESC [TABLE|VIEW] followed by a qualified name;
//   - EXPLAIN of any statement the grammar accepts, since it is planned
//     and not run, with the calls checked as above because planning
//     evaluates immutable functions; EXPLAIN ANALYZE only of a read-only
//     query, since ANALYZE runs it.
//
// The text must also read the same under every dialect's comment and
// quoting rules: no "--" comment without a following space (MySQL), no
// quote, backslash or control character in a comment, no nested or
// executable ("/*!", "/*+") block comment, no '#', "//", backtick, '$' or
// backslash outside a literal, no backslash, tripled quote, E-prefixed
// escape string, U& literal or dollar quote in a literal, no "${"
// anywhere, no lone carriage return, and no semicolon but one at the end.
//
// What it does not see: the objects the query names. A view whose
// definition calls a function with side effects, a row-level security
// policy, a user-defined function that borrows the name of a listed
// built-in (a PostgreSQL function called nvl, say, where nvl is not built
// in, or an overload of lower for a user type), or a column reference t.f
// that PostgreSQL resolves as the call f(t) is judged by its name alone.
// Database permissions remain the real guard; Classify decides only when
// to ask first.
//
// The first call in a process compiles the WebAssembly parser, which takes
// one to a few seconds; call [Warm] at start-up to pay that off the
// critical path. Later calls take microseconds (calls that overlap one
// another each need a parser instance of their own, and the first such
// instance pays the compilation too). Classify is safe for concurrent use
// and never panics.
func Classify(sql string) (v Verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = Verdict{Reason: fmt.Sprintf("the parser failed: %v", r)}
		}
	}()
	return verdict(sql)
}

// verdict is Classify without the recovery, so that the fuzz test sees
// panics.
func verdict(sql string) Verdict {
	kind, reason := classify(sql)
	if reason != "" {
		return Verdict{Reason: reason}
	}
	return Verdict{ReadOnly: true, Kind: kind}
}

// classify returns the kind of sql when it is read-only, or why it is not.
func classify(sql string) (kind, reason string) {
	switch {
	case strings.TrimSpace(sql) == "":
		return "", "no statement"
	case !utf8.ValidString(sql):
		return "", "text that is not valid UTF-8"
	case strings.IndexByte(sql, 0) >= 0:
		return "", "a NUL character, where PostgreSQL's parser stops reading"
	}
	compiled()
	scanned, err := scan(sql)
	if err != nil {
		return "", "the PostgreSQL grammar does not accept it: " + errText(err)
	}
	toks, reason := tokens(sql, scanned.GetTokens())
	if reason != "" {
		return "", reason
	}
	if reason := dialectTrap(sql, toks); reason != "" {
		return "", reason
	}
	code, reason := oneStatement(codeTokens(toks))
	if reason != "" {
		return "", reason
	}
	if word(code[0], "describe", "desc") {
		if isDescribe(code) {
			return "describe", ""
		}
		return "", "DESCRIBE of something other than a table name"
	}
	tree, err := parse(sql)
	if err != nil {
		if isShowWords(code) {
			return "show", ""
		}
		return "", "the PostgreSQL grammar does not accept it: " + errText(err)
	}
	stmts := tree.GetStmts()
	switch {
	case len(stmts) == 0:
		return "", "no statement"
	case len(stmts) > 1:
		return "", "two statements"
	}
	return statement(stmts[0].GetStmt())
}

// statement judges the one statement of the text.
func statement(n *pgnode.Node) (kind, reason string) {
	switch {
	case n.GetSelectStmt() != nil:
		return "select", checker{query: true}.check(n)
	case n.GetVariableShowStmt() != nil:
		return "show", ""
	case n.GetExplainStmt() != nil:
		ex := n.GetExplainStmt()
		if !explainAnalyze(ex) {
			return "explain", checker{query: false}.check(ex.GetQuery())
		}
		if name := stmtName(ex.GetQuery()); name != "SelectStmt" {
			return "", "EXPLAIN ANALYZE runs the statement, and it is " + statementReason(name)
		}
		return "explain", checker{query: true}.check(ex.GetQuery())
	}
	if name := stmtName(n); name != "" {
		return "", statementReason(name)
	}
	return "", "a statement that is not a query"
}

// explainAnalyze reports whether an EXPLAIN carries the ANALYZE option, in
// any form: it then runs the statement.
func explainAnalyze(ex *pgnode.ExplainStmt) bool {
	for _, o := range ex.GetOptions() {
		if strings.EqualFold(o.GetDefElem().GetDefname(), "analyze") {
			return true
		}
	}
	return false
}

// errText is the parser's message without the wrapper's prefixes.
func errText(err error) string {
	return strings.TrimSpace(err.Error())
}

var (
	warm  sync.Once
	ready = make(chan struct{}) // closed once the grammar is compiled
)

// Warm compiles the parser in the background, so that the first [Classify]
// or [Parse] does not pay for it. It returns at once; calling it again does
// nothing.
func Warm() {
	warm.Do(func() {
		go func() {
			defer close(ready)
			_ = pgwasm.Compile() // a failure is reported by the parse that waits
		}()
	})
}

// compiled waits until the grammar is compiled (or loaded from the disk
// cache, see package pgwasm), starting that if nobody has: concurrent
// first calls share the one compile.
func compiled() {
	Warm()
	<-ready
}
