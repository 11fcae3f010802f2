package sandbox

import (
	"fmt"
	"reflect"
	"testing"
)

// Minimal assertions (the module's go.sum does not carry testify's
// dependencies, and this package must not change go.mod for tests).
type requireT struct{}

var require requireT

func (requireT) NoError(t testing.TB, err error, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v %s", err, msg(args))
	}
}

func (requireT) Error(t testing.TB, err error, args ...any) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error %s", msg(args))
	}
}

func (requireT) True(t testing.TB, v bool, args ...any) {
	t.Helper()
	if !v {
		t.Fatalf("expected true %s", msg(args))
	}
}

func (requireT) Equal(t testing.TB, want, got any, args ...any) {
	t.Helper()
	if !equalish(want, got) {
		t.Fatalf("want %#v, got %#v %s", want, got, msg(args))
	}
}

func (requireT) NotEqual(t testing.TB, a, b any, args ...any) {
	t.Helper()
	if equalish(a, b) {
		t.Fatalf("did not want %#v %s", b, msg(args))
	}
}

func (requireT) NotEmpty(t testing.TB, v any, args ...any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	if v == nil || ((rv.Kind() == reflect.String || rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0) {
		t.Fatalf("expected non-empty value %s", msg(args))
	}
}

func (requireT) Contains(t testing.TB, s, sub string, args ...any) {
	t.Helper()
	if !containsStr(s, sub) {
		t.Fatalf("%q does not contain %q %s", s, sub, msg(args))
	}
}

func equalish(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	// numbers decoded from JSON are float64
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	return oka && okb && fa == fb
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func containsStr(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func msg(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if f, ok := args[0].(string); ok {
		return "— " + fmt.Sprintf(f, args[1:]...)
	}
	return fmt.Sprint(args...)
}
