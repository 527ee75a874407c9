#!/usr/bin/env bash
# Builds the sd-bus side of the side-by-side benchmark into $1 (default: /tmp/dbusgen-sdbus-bench).
# Installs libsystemd-dev and a C compiler with apt-get where they are missing (Debian).
set -euo pipefail
out=${1:-/tmp/dbusgen-sdbus-bench}
here=$(cd "$(dirname "$0")" && pwd)
if ! pkg-config --exists libsystemd 2>/dev/null || ! command -v cc >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends libsystemd-dev gcc pkg-config >/dev/null
fi
cc -O2 -Wall -Werror -o "$out" "$here/sdbus-bench.c" $(pkg-config --cflags --libs libsystemd)
echo "$out"
