#!/usr/bin/env bash
# Refresh the GraphiQL served at /graphql (kb/web/static/vendor/graphiql/) from the npm registry:
# the pinned builds of graphiql, react and react-dom, their LICENSE files, and
# VERSIONS.txt (each package, its version and npm's integrity of the tarball).
#
#   scripts/vendor-graphiql.sh                  # the pinned versions below
#   GRAPHIQL=3.8.3 REACT=18.2.0 scripts/vendor-graphiql.sh
#
# graphiql 3.x is the last line with a browser build (UMD) that runs from plain <script>
# tags; 4.x and later ship ES modules only. These are the builds (byte for byte, checked
# by their sha384) that Strawberry's own GraphiQL page loads from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."

GRAPHIQL="${GRAPHIQL:-3.8.3}"
REACT="${REACT:-18.2.0}"
target=kb/web/static/vendor/graphiql
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

packages=("graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT")
(cd "$work" && npm pack --silent "${packages[@]}" >/dev/null)
for package in "${packages[@]}"; do
  name="${package%@*}"
  mkdir -p "$work/$name"
  tar -xzf "$work/$name-${package#*@}.tgz" -C "$work/$name"
done

mkdir -p "$target"
cp "$work/graphiql/package/graphiql.min.js" "$work/graphiql/package/graphiql.min.css" "$target/"
cp "$work/react/package/umd/react.production.min.js" "$target/"
cp "$work/react-dom/package/umd/react-dom.production.min.js" "$target/"
for name in graphiql react react-dom; do
  cp "$work/$name/package/LICENSE" "$target/LICENSE.$name"
done

{
  echo "# Vendored by scripts/vendor-graphiql.sh from the npm registry; do not edit."
  for package in "${packages[@]}"; do
    echo "$package $(npm view "$package" dist.integrity)"
  done
} >"$target/VERSIONS.txt"
echo "GraphiQL $GRAPHIQL and React $REACT are in $target:"
ls -l "$target"
