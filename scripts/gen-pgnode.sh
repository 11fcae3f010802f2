#!/bin/sh
# gen-pgnode.sh regenerates sqlast/pgnode/pg_query.pb.go, the module's own
# Go types for PostgreSQL's parse tree, and copies the WebAssembly parser
# into sqlast/internal/pgwasm (see scripts/gen-pgnode/main.go for why and
# from what). Run it to move to a newer go-pgquery / libpg_query.
set -eu
cd "$(dirname "$0")/.."
go run scripts/gen-pgnode/main.go
gofmt -l sqlast/pgnode
