// Package canon owns the canonical text of a value: the one string that
// two databases must agree on for a data diff to call two values equal.
//
// The diff engine compares databases by text, not by driver values: each
// database renders every compared column as canonical text in SQL (see
// package dialect), hashes the concatenation of a row's texts, and sends
// that text when rows are fetched. PostgreSQL renders it with casts it has
// built in; SQLite has no such casts, so the functions here are registered
// into SQLite (package warehouse) and produce, byte for byte, what
// PostgreSQL produces. Tests use the same functions to compute the truth a
// diff must find.
//
// The canonical forms follow PostgreSQL's own text output, so that
// PostgreSQL needs no extra work:
//
//   - integers: decimal digits;
//   - floats: the shortest text that reads back as the same float64 (or
//     float32 when either side is single precision), in PostgreSQL's layout
//     (1e+15, 0.0001, 1e-05, NaN, Infinity); -0 is 0;
//   - exact decimals: rounded to the lower scale of the two sides (then
//     written with exactly that many decimals), or, when neither side
//     declares a scale, without trailing zeros;
//   - booleans: true or false;
//   - timestamps: UTC, "YYYY-MM-DD HH:MM:SS" and a fraction of at most six
//     digits without trailing zeros, rounded to the lower precision of the
//     two sides as PostgreSQL rounds (half away from 2000-01-01);
//   - dates: "YYYY-MM-DD";
//   - uuids: lowercase; bytes: lowercase hex.
//
// A row's text is PostgreSQL's text of a record of the values (canon.Row),
// so NULL never equals any text and no two rows share a text. Its hash is the last 48 bits of
// its MD5, as data-diff does; a segment's checksum is the row count and the
// exact sum of those hashes.
package canon

import (
	"crypto/md5"
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Float is the canonical text of x at the given precision (32 or 64 bits):
// PostgreSQL's float4out or float8out of x, with -0 written as 0.
func Float(x float64, bitSize int) string {
	if bitSize == 32 {
		x = float64(float32(x))
	}
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	case x == 0:
		return "0"
	}
	digitLimit := 15 // DBL_DIG
	if bitSize == 32 {
		digitLimit = 6 // FLT_DIG
	}
	s := shortest(x, bitSize)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	mant, expText, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if exp < -4 || exp >= digitLimit {
		b.WriteByte(digits[0])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if exp < 0 {
			b.WriteByte('-')
			exp = -exp
		} else {
			b.WriteByte('+')
		}
		if exp < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(exp))
		return b.String()
	}
	if exp < 0 {
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-1))
		b.WriteString(digits)
		return b.String()
	}
	if len(digits) <= exp+1 {
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", exp+1-len(digits)))
		return b.String()
	}
	b.WriteString(digits[:exp+1])
	b.WriteByte('.')
	b.WriteString(digits[exp+1:])
	return b.String()
}

// shortest is the shortest 'e' text of x that reads back as x and lies
// strictly between x's rounding boundaries, as PostgreSQL's Ryu prints it:
// Go's shortest may land exactly on a boundary (a tie that rounds back to
// x's even mantissa), which PostgreSQL never prints. Only magnitudes past
// 2^53 (2^24 for float32) have boundaries short enough to be chosen.
func shortest(x float64, bitSize int) string {
	s := strconv.FormatFloat(x, 'e', -1, bitSize)
	limit := 1 << 53
	if bitSize == 32 {
		limit = 1 << 24
	}
	if math.Abs(x) < float64(limit) || !onBoundary(s, x, bitSize) {
		return s
	}
	mant, _, _ := strings.Cut(s, "e")
	n := len(strings.TrimPrefix(strings.Replace(mant, ".", "", 1), "-"))
	for p := n; p < 17; p++ {
		t := strconv.FormatFloat(x, 'e', p, bitSize)
		if !onBoundary(t, x, bitSize) {
			return trimMantissa(t)
		}
	}
	return strconv.FormatFloat(x, 'e', 16, bitSize)
}

// onBoundary reports whether the decimal s is exactly halfway between x
// and a neighbouring float.
func onBoundary(s string, x float64, bitSize int) bool {
	d, ok := new(big.Rat).SetString(s)
	if !ok {
		return false
	}
	var up, down float64
	if bitSize == 32 {
		f := float32(x)
		up, down = float64(math.Nextafter32(f, float32(math.Inf(1)))), float64(math.Nextafter32(f, float32(math.Inf(-1))))
	} else {
		up, down = math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1))
	}
	xr := new(big.Rat).SetFloat64(x)
	for _, n := range []float64{up, down} {
		if math.IsInf(n, 0) {
			continue
		}
		mid := new(big.Rat).Add(xr, new(big.Rat).SetFloat64(n))
		mid.Quo(mid, big.NewRat(2, 1))
		if d.Cmp(mid) == 0 {
			return true
		}
	}
	return false
}

// trimMantissa removes trailing zeros of an 'e' text's mantissa.
func trimMantissa(s string) string {
	mant, exp, _ := strings.Cut(s, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimSuffix(strings.TrimRight(mant, "0"), ".")
	}
	return mant + "e" + exp
}

// Bucket is the canonical text of floor(x / tolerance), the value a column
// with an absolute tolerance contributes to a checksum: two values that
// differ by the tolerance or more never share a bucket, and two that share
// one are compared again, row by row, with the tolerance.
func Bucket(x, tolerance float64) string {
	return Float(math.Floor(x/tolerance), 64)
}

// FloatText is the float text of a tolerance literal in SQL: the shortest
// decimal that reads back as the same float64.
func FloatText(x float64) string {
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// Bool is the canonical text of a boolean.
func Bool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// ParseBool reads a boolean as PostgreSQL's boolean input does (t, true,
// yes, on, 1 and their opposites, any case, spaces trimmed).
func ParseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "y", "yes", "on", "1":
		return true, true
	case "f", "false", "n", "no", "off", "0":
		return false, true
	}
	return false, false
}

// Decimal is the canonical text of an exact decimal written in text:
// rounded half away from zero to exactly scale digits after the point, as
// PostgreSQL's round(x, scale)::text; with scale < 0 (a decimal of any
// scale), trailing zeros and a trailing point removed, as trim_scale. -0
// is written 0. It returns false when s is not a decimal number.
func Decimal(s string, scale int) (string, bool) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	if scale >= 0 {
		text := r.FloatString(scale) // rounds half away from zero
		if z, _ := new(big.Rat).SetString(text); z.Sign() == 0 {
			text = strings.TrimPrefix(text, "-")
		}
		return text, true
	}
	if r.IsInt() {
		return r.Num().String(), true
	}
	// An exact decimal has a power of ten (times 2 and 5) as denominator:
	// FloatString with enough digits is exact, then trailing zeros go.
	text := r.FloatString(decimalDigits(r.Denom()))
	text = strings.TrimRight(text, "0")
	return strings.TrimSuffix(text, "."), true
}

// decimalDigits is how many digits after the point write 1/d exactly, for d
// of the form 2^a 5^b (else an upper bound of 40 digits).
func decimalDigits(d *big.Int) int {
	p := big.NewInt(1)
	ten := big.NewInt(10)
	rem := new(big.Int)
	for n := 0; n < 40; n++ {
		if rem.Mod(p, d).Sign() == 0 {
			return n
		}
		p.Mul(p, ten)
	}
	return 40
}

// Row is the text a row hashes to: PostgreSQL's text of a record of the
// values, ROW(v1, v2, …)::text. A NULL is nothing, an empty string is "",
// a value holding a double quote, backslash, parenthesis, comma or white
// space is quoted (quotes and backslashes doubled): so NULL never equals
// any text, and no two rows share a text.
func Row(values []*string) string {
	var b strings.Builder
	b.WriteByte('(')
	writeFields(&b, values)
	b.WriteByte(')')
	return b.String()
}

// Fields is Row without its parentheses: the fields of a record, comma
// separated.
func Fields(values []*string) string {
	var b strings.Builder
	writeFields(&b, values)
	return b.String()
}

func writeFields(b *strings.Builder, values []*string) {
	var buf []byte
	for i, v := range values {
		if i > 0 {
			buf = append(buf, ',')
		}
		if v != nil {
			buf = AppendField(buf, *v)
		}
	}
	b.Write(buf)
}

// AppendField appends v as a (non-NULL) field of a record text: quoted
// when record_out quotes it.
func AppendField(buf []byte, v string) []byte {
	if !needsQuotes(v) {
		return append(buf, v...)
	}
	buf = append(buf, '"')
	for j := 0; j < len(v); j++ {
		c := v[j]
		if c == '"' || c == '\\' {
			buf = append(buf, c)
		}
		buf = append(buf, c)
	}
	return append(buf, '"')
}

// needsQuotes is record_out's test: empty, or holding " \ ( ) , or a C
// white space character.
func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '"', '\\', '(', ')', ',', ' ', '\t', '\n', '\v', '\f', '\r':
			return true
		}
	}
	return false
}

// Hash48 is the last 48 bits of the MD5 of s, as an integer: what
// PostgreSQL computes as ('x' || substring(md5(s), 21))::bit(48)::bigint.
func Hash48(s string) uint64 { return Hash48Bytes([]byte(s)) }

// Hash48Bytes is Hash48 of b.
func Hash48Bytes(b []byte) uint64 {
	sum := md5.Sum(b)
	var x [8]byte
	copy(x[2:], sum[10:16])
	return binary.BigEndian.Uint64(x[:])
}

// Sum is an exact sum of 48-bit hashes (128 bits: no overflow below 2^80
// rows).
type Sum struct{ hi, lo uint64 }

// Add adds v to the sum.
func (s *Sum) Add(v uint64) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, v, 0)
	s.hi += carry
}

// String is the sum in decimal digits.
func (s Sum) String() string {
	if s.hi == 0 {
		return strconv.FormatUint(s.lo, 10)
	}
	n := new(big.Int).SetUint64(s.hi)
	n.Lsh(n, 64)
	return n.Add(n, new(big.Int).SetUint64(s.lo)).String()
}
