#!/usr/bin/env bash
# refresh-spec.sh <provider> <path-or-url-of-published-spec>
#
# Replaces schemas/<provider>.openapi.json with a newly published OpenAPI
# document (JSON), regenerates the tool catalogue (go generate ./schemas/...)
# and prints how the tool surface changed: tools added, removed and renamed,
# and per tool the changes of its description, arguments and output schema.
# When generation fails (the document does not validate, overrides.json names
# an operation it no longer has, a local edit in edits.json no longer applies)
# the previous document is put back. See schemas/README.md, "Refreshing a spec".
set -euo pipefail

usage() {
	echo "usage: $0 <datafold|posthog|pdc|lightdash> <path-or-url-of-published-spec>" >&2
	exit 2
}
[[ $# -eq 2 ]] || usage
provider=$1
src=$2
case $provider in
datafold | posthog | pdc | lightdash) ;;
*) usage ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
spec="schemas/$provider.openapi.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $src in
http://* | https://*) curl -fsSL --max-time 120 -o "$tmp/new.json" "$src" ;;
*) cp -- "$src" "$tmp/new.json" ;;
esac
case $(head -c 1 "$tmp/new.json") in
"{") ;;
*)
	echo "refresh-spec: $src is not a JSON document (convert YAML to JSON first)" >&2
	exit 1
	;;
esac

# The catalogue as it is now, to compare against.
go run ./schemas/gen -dump "$tmp/before.json"
cp -- "$spec" "$tmp/previous.json"
cp -- "$tmp/new.json" "$spec"
chmod 644 "$spec"
if ! go generate ./schemas/...; then
	cp -- "$tmp/previous.json" "$spec"
	echo "refresh-spec: generating tools from the new $provider spec failed (see above); $spec is unchanged" >&2
	exit 1
fi
if cmp -s "$tmp/previous.json" "$spec"; then
	echo "refresh-spec: $spec is unchanged"
else
	echo "refresh-spec: $spec replaced from $src"
fi
echo
go run ./schemas/gen -diff "$tmp/before.json"
echo
echo "Next: review overrides.json for new operations, run go test ./schemas/... ./client/sandbox/..., update schemas/README.md."
