package dialect

import (
	"strconv"
	"strings"
)

// typeName splits "numeric(12, 2) with time zone" into its lowercase base
// name ("numeric with time zone", parameters removed), and its numeric
// parameters ([12 2]).
func typeName(raw string) (string, []int) {
	s := strings.ToLower(strings.TrimSpace(raw))
	var params []int
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '(')
		if open < 0 {
			b.WriteString(s)
			break
		}
		end := strings.IndexByte(s[open:], ')')
		if end < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:open])
		for _, p := range strings.Split(s[open+1:open+end], ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil {
				params = append(params, n)
			}
		}
		s = s[open+end+1:]
	}
	return strings.Join(strings.Fields(b.String()), " "), params
}

// param returns the i-th parameter or def.
func param(params []int, i, def int) int {
	if i < len(params) {
		return params[i]
	}
	return def
}

// commonType reads the type names most engines share; ok is false for a
// name it does not know.
func commonType(raw string) (Type, bool) {
	name, params := typeName(raw)
	t := Type{Raw: raw}
	switch name {
	case "smallint", "integer", "int", "bigint", "int2", "int4", "int8", "tinyint", "mediumint", "int64", "hugeint", "ubigint", "uinteger", "usmallint", "utinyint", "byteint", "serial", "bigserial", "smallserial":
		t.Family = FamilyInt
	case "numeric", "decimal", "number", "bignumeric", "dec":
		t.Family = FamilyDecimal
		t.Scale = -1
		if len(params) > 0 {
			t.Scale = param(params, 1, 0)
		}
	case "real", "float4", "float32":
		t.Family, t.Bits = FamilyFloat, 32
	case "double precision", "double", "float8", "float64", "float", "double unsigned":
		t.Family, t.Bits = FamilyFloat, 64
	case "boolean", "bool", "logical":
		t.Family = FamilyBool
	case "text", "varchar", "character varying", "char", "character", "bpchar", "string", "name", "citext", "nvarchar", "nchar", "longtext", "mediumtext", "tinytext", "clob", "enum", "set":
		t.Family = FamilyText
	case "uuid", "uniqueidentifier":
		t.Family = FamilyUUID
	case "timestamp", "timestamp without time zone", "datetime", "timestamp_ntz", "datetime2":
		t.Family, t.Precision = FamilyTimestamp, min(param(params, 0, 6), 6)
	case "timestamp with time zone", "timestamptz", "timestamp_tz", "timestamp_ltz", "datetimeoffset":
		t.Family, t.Precision = FamilyTimestampTZ, min(param(params, 0, 6), 6)
	case "date":
		t.Family = FamilyDate
	case "bytea", "blob", "bytes", "binary", "varbinary", "longblob", "mediumblob", "tinyblob":
		t.Family = FamilyBytes
	case "json", "jsonb", "variant", "object":
		t.Family = FamilyJSON
	default:
		return t, false
	}
	return t, true
}
