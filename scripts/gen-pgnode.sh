#!/bin/sh
# gen-pgnode.sh regenerates sqlast/pgnode/pg_query.pb.go, the module's own
# Go types for PostgreSQL's parse tree (see scripts/gen-pgnode/main.go for
# why and from what). Run it when go-pgquery moves to another libpg_query.
set -eu
cd "$(dirname "$0")/.."
go run scripts/gen-pgnode/main.go
gofmt -l sqlast/pgnode
