#!/usr/bin/env bash
# Finds the Toxiproxy server (bench:deploy puts it between the worker and PostgreSQL to add network
# latency without netem, which needs root and a kernel module), building it from source when no
# binary is at hand, as dev/ensure-temporal.sh does. Prints the binary's path on stdout.
# Order: $TOXIPROXY_SERVER, `toxiproxy-server` on PATH, the cache, then `go install` into the cache.
set -euo pipefail

# Pinned: the module proxy's `@latest` for this module resolves to an old v2.5.0.
version="${TOXIPROXY_VERSION:-2.12.0}"
cache_root="${STAGECOACH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stagecoach}"
cache_dir="$cache_root/toxiproxy-$version"

if [ -n "${TOXIPROXY_SERVER:-}" ]; then
  if [ -x "$TOXIPROXY_SERVER" ]; then echo "$TOXIPROXY_SERVER"; exit 0; fi
  echo "TOXIPROXY_SERVER is set to '$TOXIPROXY_SERVER', which is not an executable file." >&2
  exit 1
fi
if command -v toxiproxy-server >/dev/null 2>&1; then command -v toxiproxy-server; exit 0; fi
if [ -x "$cache_dir/toxiproxy-server" ]; then echo "$cache_dir/toxiproxy-server"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [ -x "$candidate" ]; then PATH="$(dirname "$candidate"):$PATH"; break; fi
  done
fi
if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
Toxiproxy was not found and Go is not installed to build it.
Either install Go (https://go.dev/doc/install) and run this again, or install toxiproxy-server
(https://github.com/Shopify/toxiproxy) and put it on PATH or in TOXIPROXY_SERVER.
MSG
  exit 1
fi

echo "Building toxiproxy-server v$version from source into $cache_dir (once; a minute or two)..." >&2
mkdir -p "$cache_dir"
tmp_bin="$(mktemp -d "$cache_root/build.XXXXXX")"
trap 'rm -rf "$tmp_bin"' EXIT
GOBIN="$tmp_bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/Shopify/toxiproxy/v2/cmd/server@v$version" >&2
# `go install` names the binary after its package directory, `server`.
mv "$tmp_bin/server" "$cache_dir/toxiproxy-server"
echo "$cache_dir/toxiproxy-server"
