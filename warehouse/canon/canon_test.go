package canon

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected texts are what PostgreSQL 15 prints for the same values.
func TestFloat(t *testing.T) {
	tests := []struct {
		x    float64
		bits int
		want string
	}{
		{1234567, 64, "1234567"},
		{123456789012345, 64, "123456789012345"},
		{1e15, 64, "1e+15"},
		{1e16, 64, "1e+16"},
		{0.0001, 64, "0.0001"},
		{0.00001, 64, "1e-05"},
		{0.1, 32, "0.1"},
		{1234567, 32, "1.234567e+06"},
		{123456, 32, "123456"},
		{12345678, 32, "1.2345678e+07"},
		{math.NaN(), 64, "NaN"},
		{math.Inf(-1), 64, "-Infinity"},
		{math.Inf(1), 32, "Infinity"},
		{math.Copysign(0, -1), 64, "0"},
		{1.5e300, 64, "1.5e+300"},
		{0.30000000000000004, 64, "0.30000000000000004"},
		{100, 64, "100"},
		{1e-5, 32, "1e-05"},
		{0.001, 32, "0.001"},
		{3.4e38, 32, "3.4e+38"},
		{float64(float32(0.1)), 64, "0.10000000149011612"},
		{1e22, 64, "1e+22"},
		{123456789012345678, 64, "1.2345678901234568e+17"},
		{5e-324, 64, "5e-324"},
		{0.5, 64, "0.5"},
		{12.5, 32, "12.5"},
		{-12.5, 64, "-12.5"},
		{-0.000123, 64, "-0.000123"},
		{76036173317700608, 64, "7.603617331770061e+16"}, // Go's shortest is a tie PostgreSQL never prints
		{1e23, 64, "9.999999999999999e+22"},
		{1 << 60, 64, "1.152921504606847e+18"},
		{9007199254740993, 64, "9.007199254740992e+15"},
	}
	for _, tt := range tests {
		got := Float(tt.x, tt.bits)
		assert.Equal(t, tt.want, got, "Float(%v, %d): got %q, want %q", tt.x, tt.bits, got, tt.want)
	}
}

func TestBucket(t *testing.T) {
	tests := []struct {
		x, tol float64
		want   string
	}{
		{1.024, 0.05, "20"},
		{1.026, 0.05, "20"},
		{-0.01, 0.05, "-1"},
		{0, 0.5, "0"},
		{1e20, 1e-3, "9.999999999999999e+22"}, // PostgreSQL prints the tie 1e+23 so
	}
	for _, tt := range tests {
		got := Bucket(tt.x, tt.tol)
		assert.Equal(t, tt.want, got, "Bucket(%v, %v): got %q, want %q", tt.x, tt.tol, got, tt.want)
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
		ok    bool
	}{
		{"1.500", -1, "1.5", true},
		{"2.345", 2, "2.35", true},
		{"-2.345", 2, "-2.35", true},
		{"5.0", 0, "5", true},
		{"-0.4", 0, "0", true},
		{"-0.001", 2, "0.00", true},
		{"100.00", -1, "100", true},
		{"0.00", -1, "0", true},
		{"12.3", 4, "12.3000", true},
		{"x", 2, "", false},
	}
	for _, tt := range tests {
		got, ok := Decimal(tt.in, tt.scale)
		assert.Equal(t, tt.ok, ok, "Decimal(%q) ok: got %v, want %v", tt.in, ok, tt.ok)
		assert.Equal(t, tt.want, got, "Decimal(%q, %d): got %q, want %q", tt.in, tt.scale, got, tt.want)
	}
}

func TestRowIsInjective(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name string
		a, b []*string
	}{
		{"null vs text <null>", []*string{nil}, []*string{s("<null>")}},
		{"null vs empty", []*string{nil}, []*string{s("")}},
		{"shifted separator", []*string{s("a|b"), s("c")}, []*string{s("a"), s("b|c")}},
		{"shifted comma", []*string{s("a,b"), s("c")}, []*string{s("a"), s("b,c")}},
		{"quote inside", []*string{s(`"`)}, []*string{s(`""`)}},
		{"null position", []*string{nil, s("x")}, []*string{s("x"), nil}},
	}
	for _, tt := range tests {
		assert.NotEqual(t, Row(tt.a), Row(tt.b), "%s: rows must differ, got the same text %q", tt.name, Row(tt.a))
	}
	got := Row([]*string{s("äbc"), nil, s(""), s(`a "b"`), s(`x\y`), s("(,)")})
	want := `(äbc,,"","a ""b""","x\\y","(,)")`
	assert.Equal(t, want, got, "Row is PostgreSQL's record text: got %s, want %s", got, want)
}

func TestHash48(t *testing.T) {
	// PostgreSQL: select ('x'||substring(md5('abc'),21))::bit(48)::bigint
	got := Hash48("abc")
	require.Equal(t, uint64(69806789328754), got, "Hash48(abc): got %d, want %d", got, uint64(69806789328754))
}

func TestSum(t *testing.T) {
	var s Sum
	const n, v = 70000, 1<<48 - 1
	for range n {
		s.Add(v)
	}
	want := new(big.Int).Mul(big.NewInt(n), big.NewInt(v)).String()
	got := s.String()
	require.Equal(t, want, got, "sum of %d hashes of 2^48-1: got %s, want %s", n, got, want)
}

func TestParseTimeAndTimestamp(t *testing.T) {
	tests := []struct {
		in        string
		precision int
		want      string
		ok        bool
	}{
		{"2024-01-02 03:04:05.123456+02:00", 6, "2024-01-02 01:04:05.123456", true},
		{"2024-01-02T03:04:05Z", 6, "2024-01-02 03:04:05", true},
		{"2024-01-02 03:04:05.1234565", 6, "2024-01-02 03:04:05.123456", true},
		{"2024-01-02 03:04:05.5", 6, "2024-01-02 03:04:05.5", true},
		{"2024-01-02", 6, "2024-01-02 00:00:00", true},
		{"2024-01-02 03:04", 6, "2024-01-02 03:04:00", true},
		{"1999-12-31 23:59:59.0005", 3, "1999-12-31 23:59:59", true},
		{"1999-12-31 23:59:59.0015", 3, "1999-12-31 23:59:59.001", true},
		{"2000-01-01 00:00:00.0005", 3, "2000-01-01 00:00:00.001", true},
		{"2024-06-30 23:59:59.9999996", 6, "2024-07-01 00:00:00", true},
		{"2024-01-02 03:04:05-0130", 6, "2024-01-02 04:34:05", true},
		{"0099-01-01 00:00:00", 6, "0099-01-01 00:00:00", true},
		{"not a time", 6, "", false},
		{"2024-13-01", 6, "", false},
	}
	for _, tt := range tests {
		ts, ok := ParseTime(tt.in)
		require.Equal(t, tt.ok, ok, "ParseTime(%q) ok: got %v, want %v", tt.in, ok, tt.ok)
		if !ok {
			continue
		}
		got := Timestamp(ts, tt.precision)
		assert.Equal(t, tt.want, got, "Timestamp(%q, %d): got %q, want %q", tt.in, tt.precision, got, tt.want)
	}
}

func TestUnixTimeAndDate(t *testing.T) {
	got := Timestamp(UnixTime(1700000000.25), 6)
	assert.Equal(t, "2023-11-14 22:13:20.25", got, "UnixTime: got %q", got)
	d := Date(time.Date(2024, 2, 29, 23, 0, 0, 0, time.FixedZone("x", -3600)))
	assert.Equal(t, "2024-03-01", d, "Date is the UTC day: got %q", d)
}

func TestParseBool(t *testing.T) {
	tests := []struct {
		in       string
		want, ok bool
	}{{"t", true, true}, {"TRUE", true, true}, {" yes ", true, true}, {"0", false, true}, {"off", false, true}, {"maybe", false, false}}
	for _, tt := range tests {
		got, ok := ParseBool(tt.in)
		assert.Equal(t, tt.ok, ok, "ParseBool(%q) ok: got %v, want %v", tt.in, ok, tt.ok)
		assert.Equal(t, tt.want, got, "ParseBool(%q): got %v, want %v", tt.in, got, tt.want)
	}
}

// TestIsTimestamp: the fast path agrees with parsing and printing.
func TestIsTimestamp(t *testing.T) {
	tests := []string{"2024-01-02 03:04:05", "2024-01-02 03:04:05.5", "2024-01-02 03:04:05.50", "2024-01-02 03:04:05.1234567",
		"2024-01-02T03:04:05", "2024-02-29 00:00:00", "0999-01-01 00:00:00", "2024-01-02 03:04:05Z", "2024-01-02 24:00:00", "2024-01-02 03:04:05.123"}
	for _, s := range tests {
		for _, p := range []int{6, 3, 0} {
			if !IsTimestamp(s, p) {
				continue
			}
			ts, ok := ParseTime(s)
			require.True(t, ok, "%q is canonical but does not parse", s)
			got := Timestamp(ts, p)
			assert.Equal(t, s, got, "IsTimestamp(%q, %d) but Timestamp gives %q", s, p, got)
		}
	}
	assert.True(t, IsTimestamp("2024-01-02 03:04:05.123", 6), "a canonical text: got false")
	assert.False(t, IsTimestamp("2024-01-02 03:04:05.123", 2), "more digits than the precision: got true")
}
