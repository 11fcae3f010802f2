package canon

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// pgEpoch is PostgreSQL's timestamp epoch: it rounds timestamps to a
// precision half away from this instant.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ParseTime reads the text SQLite keeps timestamps in, as ISO 8601:
// "YYYY-MM-DD", then optionally " " or "T" and "HH:MM", ":SS" and a
// fraction of any length, then optionally "Z" or an offset ("+HH",
// "+HHMM", "+HH:MM"). Text without an offset is UTC. The fraction is
// rounded to microseconds as PostgreSQL's input does. The result is UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	rest := s[10:]
	var hour, minute, sec, micros int
	if rest != "" && (rest[0] == ' ' || rest[0] == 'T' || rest[0] == 't') {
		rest = rest[1:]
		if len(rest) < 5 || rest[2] != ':' {
			return time.Time{}, false
		}
		var ok bool
		if hour, ok = digits(rest[0:2]); !ok || hour > 24 {
			return time.Time{}, false
		}
		if minute, ok = digits(rest[3:5]); !ok || minute > 59 {
			return time.Time{}, false
		}
		rest = rest[5:]
		if len(rest) >= 3 && rest[0] == ':' {
			if sec, ok = digits(rest[1:3]); !ok || sec > 60 {
				return time.Time{}, false
			}
			rest = rest[3:]
			if len(rest) > 1 && rest[0] == '.' {
				end := 1
				for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
					end++
				}
				if end == 1 {
					return time.Time{}, false
				}
				frac, err := strconv.ParseFloat("0"+rest[:end], 64)
				if err != nil {
					return time.Time{}, false
				}
				micros = int(math.RoundToEven(frac * 1e6))
				rest = rest[end:]
			}
		}
	}
	offset := 0
	rest = strings.TrimSpace(rest)
	switch {
	case rest == "":
	case rest == "Z" || rest == "z":
	case rest[0] == '+' || rest[0] == '-':
		sign := 1
		if rest[0] == '-' {
			sign = -1
		}
		tz := strings.ReplaceAll(rest[1:], ":", "")
		if len(tz) != 2 && len(tz) != 4 {
			return time.Time{}, false
		}
		h, ok := digits(tz[:2])
		m := 0
		if len(tz) == 4 {
			var okm bool
			m, okm = digits(tz[2:])
			ok = ok && okm
		}
		if !ok {
			return time.Time{}, false
		}
		offset = sign * (h*3600 + m*60)
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	t = t.Add(time.Duration(micros)*time.Microsecond - time.Duration(offset)*time.Second)
	return t, true
}

// IsTimestamp reports whether s is already the canonical text of a
// timestamp at precision fractional digits ("YYYY-MM-DD HH:MM:SS" and at
// most precision digits without trailing zeros, fields in range): then
// Timestamp(ParseTime(s)) is s, and need not be computed.
func IsTimestamp(s string, precision int) bool {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return false
	}
	for _, f := range [][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		for i := f[0]; i < f[1]; i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
	}
	month, _ := digits(s[5:7])
	day, _ := digits(s[8:10])
	hour, _ := digits(s[11:13])
	minute, _ := digits(s[14:16])
	sec, _ := digits(s[17:19])
	if month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || sec > 59 || s[0] == '0' {
		return false // the days a month may lack, leap seconds and years before 1000 take the long way
	}
	if len(s) == 19 {
		return true
	}
	frac := s[20:]
	if s[19] != '.' || len(frac) == 0 || len(frac) > precision || frac[len(frac)-1] == '0' {
		return false
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return false
		}
	}
	return true
}

// UnixTime is the UTC time of a count of seconds since 1970 (SQLite keeps
// some timestamps as numbers), rounded to microseconds.
func UnixTime(seconds float64) time.Time {
	whole := math.Floor(seconds)
	micros := math.RoundToEven((seconds - whole) * 1e6)
	return time.Unix(int64(whole), 0).UTC().Add(time.Duration(micros) * time.Microsecond)
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// RoundTime rounds t (UTC, microseconds) to precision fractional digits
// (0..6) as PostgreSQL does for timestamp(p): half away from 2000-01-01.
func RoundTime(t time.Time, precision int) time.Time {
	if precision >= 6 || precision < 0 {
		return t
	}
	scale := int64(math.Pow10(6 - precision))
	us := t.Sub(pgEpoch).Microseconds()
	if d := t.Sub(pgEpoch); d == time.Duration(math.MaxInt64) || d == time.Duration(math.MinInt64) {
		// Beyond Duration's range (about 292 years from 2000): whole
		// seconds are already on every grid above microseconds only
		// when the fraction is; round the fraction alone.
		frac := int64(t.Nanosecond() / 1000)
		rounded := (frac + scale/2) / scale * scale
		return t.Truncate(time.Second).Add(time.Duration(rounded) * time.Microsecond)
	}
	if us >= 0 {
		us = (us + scale/2) / scale * scale
	} else {
		us = -((-us + scale/2) / scale * scale)
	}
	return pgEpoch.Add(time.Duration(us) * time.Microsecond)
}

// Timestamp is the canonical text of t at precision fractional digits:
// PostgreSQL's ISO output of (t AT TIME ZONE 'UTC')::timestamp(p).
func Timestamp(t time.Time, precision int) string {
	t = RoundTime(t.UTC(), precision)
	var b strings.Builder
	b.WriteString(Date(t))
	b.WriteByte(' ')
	two(&b, t.Hour())
	b.WriteByte(':')
	two(&b, t.Minute())
	b.WriteByte(':')
	two(&b, t.Second())
	if us := t.Nanosecond() / 1000; us != 0 {
		frac := strconv.Itoa(us + 1000000)[1:]
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(frac, "0"))
	}
	return b.String()
}

// Date is the canonical text of the (UTC) day of t.
func Date(t time.Time) string {
	t = t.UTC()
	var b strings.Builder
	y := t.Year()
	switch {
	case y >= 1000:
		b.WriteString(strconv.Itoa(y))
	case y >= 0:
		b.WriteString(strconv.Itoa(y + 10000)[1:])
	default:
		b.WriteString(strconv.Itoa(y))
	}
	b.WriteByte('-')
	two(&b, int(t.Month()))
	b.WriteByte('-')
	two(&b, t.Day())
	return b.String()
}

func two(b *strings.Builder, n int) {
	if n < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(n))
}
