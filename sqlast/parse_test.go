package sqlast

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tree, err := Parse("select a, b from t where c = 1; select 2")
	require.NoError(t, err)
	require.Len(t, tree.GetStmts(), 2)

	_, err = Parse("select from where")
	require.Error(t, err)
}
