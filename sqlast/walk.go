package sqlast

import (
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// checker walks a parse tree and returns the first construct that makes it
// more than a read.
type checker struct {
	// query is true when the tree must be a read-only query: no statement
	// other than SELECT anywhere, no locking clause, no SELECT INTO. When
	// false (the statement under a plain EXPLAIN, which is planned and not
	// run) only the calls are checked, since planning evaluates immutable
	// functions of constants.
	query bool
}

// check returns why m is not read-only, or "".
func (c checker) check(m proto.Message) string {
	if m == nil {
		return ""
	}
	if reason := c.node(m); reason != "" {
		return reason
	}
	var reason string
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			list := v.List()
			for i := 0; i < list.Len() && reason == ""; i++ {
				reason = c.check(list.Get(i).Message().Interface())
			}
		} else if !fd.IsMap() {
			reason = c.check(v.Message().Interface())
		}
		return reason == ""
	})
	return reason
}

// node judges one node on its own; check visits its children.
func (c checker) node(m proto.Message) string {
	switch n := m.(type) {
	case *pgnode.Node:
		if c.query {
			if name := stmtName(n); name != "" && name != "SelectStmt" {
				return statementReason(name)
			}
		}
	case *pgnode.SelectStmt:
		if c.query && n.IntoClause != nil {
			return "SELECT INTO, which creates a table"
		}
		if c.query && len(n.LockingClause) > 0 {
			return "a locking clause (" + lockName(n.LockingClause[0].GetLockingClause()) + ")"
		}
	case *pgnode.CommonTableExpr:
		if name := stmtName(n.Ctequery); c.query && name != "SelectStmt" {
			return fmt.Sprintf("a data-modifying CTE (%s)", verb(name))
		}
	case *pgnode.FuncCall:
		name := names(n.Funcname)
		if !allowedName(name, safeFunctions) {
			return fmt.Sprintf("function %s is not on the side-effect-free list", strings.Join(name, "."))
		}
	case *pgnode.TypeName:
		name := names(n.Names)
		if n.PctType || n.Setof || !allowedName(name, safeTypes) {
			return fmt.Sprintf("type %s is not a built-in type a cast can safely reach", strings.Join(name, "."))
		}
	case *pgnode.A_Expr:
		switch n.Kind {
		case pgnode.A_Expr_Kind_AEXPR_BETWEEN, pgnode.A_Expr_Kind_AEXPR_NOT_BETWEEN,
			pgnode.A_Expr_Kind_AEXPR_BETWEEN_SYM, pgnode.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		default:
			name := names(n.Name)
			if !allowedName(name, safeOperators) {
				return fmt.Sprintf("operator %s is not on the built-in list", strings.Join(name, "."))
			}
		}
	case *pgnode.ColumnRef:
		if f := n.Fields; len(f) > 1 && f[len(f)-1].GetString_().GetSval() == "nextval" {
			return "a sequence's NEXTVAL (Snowflake, Oracle), which advances it"
		}
	case *pgnode.SortBy:
		if len(n.UseOp) > 0 && !allowedName(names(n.UseOp), safeOperators) {
			return fmt.Sprintf("ORDER BY … USING operator %s is not on the built-in list", strings.Join(names(n.UseOp), "."))
		}
	case *pgnode.RangeTableSample:
		name := names(n.Method)
		if !allowedName(name, safeSampleMethods) {
			return fmt.Sprintf("TABLESAMPLE method %s is not built in", strings.Join(name, "."))
		}
	}
	return ""
}

// names are the strings of a qualified name.
func names(list []*pgnode.Node) []string {
	out := make([]string, 0, len(list))
	for _, n := range list {
		out = append(out, n.GetString_().GetSval())
	}
	return out
}

// stmtName is the parse-node type of n when it is a statement
// ("SelectStmt", "DeleteStmt", …), or "".
func stmtName(n *pgnode.Node) string {
	if n == nil {
		return ""
	}
	m := n.ProtoReflect()
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("node"))
	if fd == nil || fd.Kind() != protoreflect.MessageKind {
		return ""
	}
	name := string(fd.Message().Name())
	if strings.HasSuffix(name, "Stmt") {
		return name
	}
	return ""
}

// verbs name the statement types people meet; others keep the grammar's
// node name.
var verbs = map[string]string{
	"InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "MergeStmt": "MERGE",
	"SelectStmt": "SELECT", "CreateStmt": "CREATE TABLE", "CreateTableAsStmt": "CREATE TABLE AS",
	"DropStmt": "DROP", "AlterTableStmt": "ALTER TABLE", "TruncateStmt": "TRUNCATE",
	"GrantStmt": "GRANT", "CopyStmt": "COPY", "CallStmt": "CALL", "ExecuteStmt": "EXECUTE",
	"DoStmt": "DO", "VariableSetStmt": "SET", "TransactionStmt": "a transaction control",
	"VacuumStmt": "VACUUM", "LockStmt": "LOCK", "NotifyStmt": "NOTIFY", "ListenStmt": "LISTEN",
	"PrepareStmt": "PREPARE", "DeclareCursorStmt": "DECLARE CURSOR", "IndexStmt": "CREATE INDEX",
	"ViewStmt": "CREATE VIEW", "CreateFunctionStmt": "CREATE FUNCTION",
	"RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW", "ClusterStmt": "CLUSTER",
	"ReindexStmt": "REINDEX", "CheckPointStmt": "CHECKPOINT", "DiscardStmt": "DISCARD",
	"LoadStmt": "LOAD", "FetchStmt": "FETCH", "ClosePortalStmt": "CLOSE",
}

func verb(name string) string {
	if v, ok := verbs[name]; ok {
		return v
	}
	return strings.TrimSuffix(name, "Stmt")
}

func statementReason(name string) string {
	v := verb(name)
	switch {
	case strings.HasPrefix(v, "a "):
		return v + " statement"
	case strings.ContainsRune("AEIOU", rune(v[0])):
		return "an " + v + " statement"
	}
	return "a " + v + " statement"
}

func lockName(lc *pgnode.LockingClause) string {
	switch lc.GetStrength() {
	case pgnode.LockClauseStrength_LCS_FORKEYSHARE:
		return "FOR KEY SHARE"
	case pgnode.LockClauseStrength_LCS_FORSHARE:
		return "FOR SHARE"
	case pgnode.LockClauseStrength_LCS_FORNOKEYUPDATE:
		return "FOR NO KEY UPDATE"
	default:
		return "FOR UPDATE"
	}
}
