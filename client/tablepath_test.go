package client

import (
	"reflect"
	"testing"
)

func TestTablePath(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "ANALYTICS.MARTS.fct_orders", []string{"ANALYTICS", "MARTS", "fct_orders"}},
		{"quoted dots", `db."my.schema".t`, []string{"db", "my.schema", "t"}},
		{"escaped quote", `db."a""b".t`, []string{"db", `a"b`, "t"}},
		{"empty part", "db..t", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitTablePath(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("SplitTablePath(%q) got %q, want %q", tc.in, got, tc.want)
			}
			if got != nil {
				if back := JoinTablePath(got); back != tc.in {
					t.Errorf("JoinTablePath got %q, want %q", back, tc.in)
				}
			}
		})
	}
}
