#!/usr/bin/env bash
# Builds ccr (release) and installs it as $PREFIX/bin/ccr (PREFIX default: ~/.local).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${PREFIX:-$HOME/.local}"
# The usage store (GRDB) links the system SQLite: its headers are needed to build.
if [ ! -e /usr/include/sqlite3.h ] && [ "$(uname)" = Linux ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev
  else
    echo "ccr needs the SQLite headers to build: sudo apt-get install libsqlite3-dev (or your distribution's sqlite-devel)" >&2
    exit 1
  fi
fi
swift build -c release --product ccr
mkdir -p "$prefix/bin"
install -m 755 .build/release/ccr "$prefix/bin/ccr"
command -v strip >/dev/null && strip "$prefix/bin/ccr" || true   # 79 MB → about 20 MB
# Resources (the tokenizer vocabulary) live in SwiftPM's bundle directory, which ccr looks for next
# to its executable: ccr_CCRCore.resources on Linux, ccr_CCRCore.bundle on macOS.
for bundle in .build/release/ccr_CCRCore.resources .build/release/ccr_CCRCore.bundle; do
    [ -e "$bundle" ] || continue
    rm -rf "$prefix/bin/$(basename "$bundle")"
    cp -R "$bundle" "$prefix/bin/"
done
echo "installed $prefix/bin/ccr"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "add $prefix/bin to PATH";; esac
