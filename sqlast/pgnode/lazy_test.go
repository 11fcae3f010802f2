package pgnode_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
)

// The types register with the protobuf runtime on first use (see
// scripts/gen-pgnode: lazyRegistration): every way in works from a fresh
// process, from several goroutines at once.
func TestLazyRegistration(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, "JOIN_LEFT", pgnode.JoinType_JOIN_LEFT.String())
		}()
	}
	wg.Wait()
	assert.Equal(t, "pgnode.JoinType", string(pgnode.JoinType_JOIN_LEFT.Descriptor().FullName()))

	in := &pgnode.ParseResult{Version: 170006, Stmts: []*pgnode.RawStmt{{Stmt: &pgnode.Node{
		Node: &pgnode.Node_String_{String_: &pgnode.String{Sval: "x"}}}}}}
	b, err := proto.Marshal(in)
	require.NoError(t, err)
	out := &pgnode.ParseResult{}
	require.NoError(t, proto.Unmarshal(b, out))
	assert.True(t, proto.Equal(in, out), "got %v, want %v", out, in)
	assert.Equal(t, "pgnode.ParseResult", string(out.ProtoReflect().Descriptor().FullName()))
}
