#!/usr/bin/env bash
# Reproducible release build of mcp-server for linux, darwin and windows on
# amd64 and arm64, into dist/ with SHA256SUMS beside the binaries.
#
#   scripts/release.sh                 # version from the exact git tag, else a pseudo-version
#   VERSION=v1.2.3 scripts/release.sh  # explicit version
#   TARGETS="linux/amd64" scripts/release.sh   # a subset
#   REF=v1.2.3 scripts/release.sh      # another commit or tag (default HEAD)
#   FROM_WORKTREE=1 scripts/release.sh # the work tree as it is, uncommitted changes included
#
# The sources are those of the commit (exported with git archive into a
# temporary directory), not the work tree, so uncommitted changes never
# reach a release. Determinism: CGO off, -trimpath, -buildvcs=false
# (everything the binary says about its build is stamped below), no build
# id, and the date stamped is the commit's date, never the time of the
# build. Two runs on one commit give byte-identical binaries.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

out="${DIST_DIR:-dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
name="datastack-mcp"
pkg="./cmd/mcp-server"
bi="github.com/datastack-mcp/datastack-mcp/internal/buildinfo"
targets="${TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}"

ref="${REF:-HEAD}"
commit="${COMMIT:-$(git rev-parse --verify "$ref^{commit}" 2>/dev/null || true)}"
date="${DATE:-}"
if [[ -z "$date" && -n "$commit" ]]; then
  # Committer date in UTC, RFC 3339.
  date="$(TZ=UTC git show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ "$commit")"
fi
version="${VERSION:-}"
if [[ -z "$version" ]]; then
  if tag="$(git describe --tags --exact-match --match 'v[0-9]*' "$commit" 2>/dev/null)"; then
    version="$tag"
  elif [[ -n "$commit" ]]; then
    # Go's pseudo-version form: v0.0.0-<commit time>-<12 hex>.
    stamp="$(TZ=UTC git show -s --format=%cd --date=format-local:%Y%m%d%H%M%S "$commit")"
    version="v0.0.0-${stamp}-${commit:0:12}"
  else
    version="dev"
  fi
fi
src="$root"
if [[ -z "${FROM_WORKTREE:-}" && -n "$commit" ]]; then
  src="$(mktemp -d)"
  trap 'rm -rf "$src"' EXIT
  git archive --format=tar "$commit" | tar -x -C "$src"
elif [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null || true)" ]]; then
  echo "release.sh: warning: building the work tree with uncommitted changes; the binaries are not those of commit ${commit:0:12}" >&2
fi

ldflags="-s -w -buildid= -X ${bi}.version=${version} -X ${bi}.commit=${commit} -X ${bi}.date=${date}"

rm -f "$out/$name"-* "$out/SHA256SUMS" "$out/VERSION"
echo "release.sh: $name $version (commit ${commit:0:12}, $date) into ${DIST_DIR:-dist}/"
for t in $targets; do
  goos="${t%/*}" goarch="${t#*/}"
  ext=""
  [[ "$goos" == windows ]] && ext=".exe"
  bin="$name-$goos-$goarch$ext"
  (cd "$src" && GOTOOLCHAIN=local CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" GOFLAGS=-mod=readonly \
    go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out/$bin" "$pkg")
  echo "  ${DIST_DIR:-dist}/$bin"
done
(
  cd "$out"
  # Sorted, relative names: the format `sha256sum -c SHA256SUMS` reads.
  ls "$name"-* | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
)
echo "$version" > "$out/VERSION"
echo "release.sh: wrote ${DIST_DIR:-dist}/SHA256SUMS and VERSION"
