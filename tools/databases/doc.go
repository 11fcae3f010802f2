// Package databases gives the tools the user's own databases (warehouse
// connections configured by WAREHOUSE_DSN or the config file): a [Registry]
// that opens each connection on first use, and the read-only tools to look
// around (list tables, describe a table, run a capped query). The engine
// (package warehouse) enforces read-only access; queries are also
// classified with sqlast first, so a write is refused before it reaches a
// database, with a reason. The diff engine reaches the same connections
// through the Registry.
package databases
