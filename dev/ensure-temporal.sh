#!/usr/bin/env bash
# Finds the Temporal CLI, building it from source when no binary is at hand (no release
# downloads are possible on our machines). Prints the binary's path on stdout.
# Order: $TEMPORAL_CLI, `temporal` on PATH, the cache, then `go install` into the cache.
set -euo pipefail

version="${TEMPORAL_CLI_VERSION:-1.5.1}"
cache_root="${STAGECOACH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stagecoach}"
cache_dir="$cache_root/temporal-$version"

if [ -n "${TEMPORAL_CLI:-}" ]; then
  if [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
  echo "TEMPORAL_CLI is set to '$TEMPORAL_CLI', which is not an executable file." >&2
  exit 1
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x "$cache_dir/temporal" ]; then echo "$cache_dir/temporal"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [ -x "$candidate" ]; then PATH="$(dirname "$candidate"):$PATH"; break; fi
  done
fi
if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
The Temporal CLI was not found and Go is not installed to build it.
Either install Go (https://go.dev/doc/install) and run this again, or install the
Temporal CLI (https://docs.temporal.io/cli#install) and put it on PATH or in TEMPORAL_CLI.
MSG
  exit 1
fi

# CLI versions from 1.6 on carry a `replace` directive that `go install pkg@version` refuses;
# 1.5.1 is the newest that installs directly.
echo "Building the Temporal CLI v$version from source into $cache_dir (once; a few minutes)..." >&2
mkdir -p "$cache_dir"
tmp_bin="$(mktemp -d "$cache_root/build.XXXXXX")"
trap 'rm -rf "$tmp_bin"' EXIT
GOBIN="$tmp_bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/temporalio/cli/cmd/temporal@v$version" >&2
mv "$tmp_bin/temporal" "$cache_dir/temporal"
echo "$cache_dir/temporal"
