package budget

import (
	"encoding/json"
	"testing"
)

// FuzzFit: any valid JSON value, wrapped or not, is fitted without a
// panic into valid JSON whose size the tree reads as its decoded value's.
func FuzzFit(f *testing.F) {
	for _, seed := range []string{
		`{"a":1}`, `[]`, `{}`, `""`, `null`, `[1,"two",{"three":[3]}]`,
		"{ \"a\" :\n [ 1 , 2 ] , \"a\" : { } }",
		`{"s":"\ud83d\ude00 \ud83d \u00e9 \" \\ \/ \b\f\n\r\t","k\u0000":-1.5e-300}`,
		`[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]`,
		`{"items":[{"id":1,"name":"x"},{"id":2,"name":"y"}],"count":2,"next":"n"}`,
	} {
		f.Add([]byte(seed), uint16(500))
	}
	f.Fuzz(func(t *testing.T, doc []byte, budget uint16) {
		if !json.Valid(doc) {
			return
		}
		var v any
		if json.Unmarshal(doc, &v) != nil {
			return
		}
		wrap := ""
		if _, ok := v.(map[string]any); !ok {
			wrap = "items"
		}
		exact := exactTokens
		exactTokens = nil // estimates only: the fuzzer runs many
		defer func() { exactTokens = exact }()
		fitted, err := Fit(Doc{JSON: doc, Wrap: wrap}, Options{Budget: max(int(budget), Min), Pager: noPager})
		if err != nil {
			t.Fatalf("Fit(%q): %v", doc, err)
		}
		text, err := EncodeJSON(fitted.Value)
		if err != nil || !json.Valid([]byte(text)) {
			t.Fatalf("Fit(%q) gave a value that is not JSON: %v", doc, err)
		}
	})
}
