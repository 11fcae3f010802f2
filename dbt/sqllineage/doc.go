// Package sqllineage owns column-level lineage of one SQL query: for each
// output column of a SELECT, the input columns it is computed from, through
// CTEs, subqueries, joins and their aliases, unions (by position), window
// functions, aggregates, CASE, casts and SELECT * / t.* (expanded from what
// a [Catalog] knows of each table). Each edge says whether the value is
// copied (possibly renamed), transformed by an expression, or aggregated.
//
// The SQL is parsed by package sqlast (PostgreSQL's own grammar). What the
// grammar rejects is a [*ParseError]: the caller degrades that query to
// table level instead of guessing. What the grammar accepts but the
// analysis cannot pin down (a column two tables might hold, a star over a
// table whose columns nobody knows) is reported per output column, never
// guessed either.
//
// It knows one dbt convention: a CTE named __dbt__cte__<model> (an
// ephemeral model dbt inlined) is first offered to the Catalog as a table,
// so lineage names the ephemeral model rather than its insides.
package sqllineage
