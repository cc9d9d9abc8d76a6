#!/usr/bin/env bash
# Builds ccr (release) and installs it as $PREFIX/bin/ccr (PREFIX default: ~/.local).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${PREFIX:-$HOME/.local}"
swift build -c release --product ccr
mkdir -p "$prefix/bin"
install -m 755 .build/release/ccr "$prefix/bin/ccr"
command -v strip >/dev/null && strip "$prefix/bin/ccr" || true   # 79 MB → about 20 MB
echo "installed $prefix/bin/ccr"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "add $prefix/bin to PATH";; esac
