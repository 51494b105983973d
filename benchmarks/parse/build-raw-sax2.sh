#!/usr/bin/env bash
# Builds the bare libxml2 SAX2 reference (raw_sax2.c with its main) as OUT: the one build
# command of the reference that benchmarks/parse/compare.sh and benchmarks/daemon/fresh.sh run.
# Needs gcc and libxml2's headers (apt-get install gcc libxml2-dev).
#
#   benchmarks/parse/build-raw-sax2.sh OUT
set -euo pipefail
here=$(cd "$(dirname "$0")/RawSAX2" && pwd)
(( $# == 1 )) || { echo "usage: $0 OUT" >&2; exit 64; }
# shellcheck disable=SC2046  # pkg-config's flags are words
gcc -O2 -DRAW_SAX2_MAIN -I"$here/include" -o "$1" "$here/raw_sax2.c" $(pkg-config --cflags --libs libxml-2.0)
