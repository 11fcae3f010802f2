package testdb

import (
	"strconv"
	"strings"
)

// Insert writes rows into table (columns cols), a few hundred at a time.
func (db *DB) Insert(table string, cols []string, rows [][]any) {
	per := max(1, 2000/max(1, len(cols)))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		var args []any
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				if db.Engine == "postgres" {
					b.WriteString("$" + strconv.Itoa(len(args)))
				} else {
					b.WriteByte('?')
				}
			}
			b.WriteByte(')')
		}
		db.Exec(b.String(), args...)
	}
}
