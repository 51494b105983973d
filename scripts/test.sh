#!/usr/bin/env bash
# The whole test suite: installs what is missing, runs every Swift test, then scores the parser
# on the shared real-world corpus (when ../shared is there) against the reference parser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
# One test at a time: the fault tests bound how long a call may take (twice a 200 ms command
# timeout), and on a 2-core machine the parallel run's other servers (nginx, python, redis)
# can starve them past it. Serial, the whole suite takes about 25 s.
swift test --skip-build --no-parallel
shared=../shared
if [ -d "$shared/corpus/realworld" ]; then
  swift build -c release --product hubdiffer
  python3 "$shared/tools/conformance.py" --bin .build/release/hubdiffer \
    --corpus "$shared/corpus/realworld/feeds" --oracle "$shared/corpus/realworld/expected.jsonl" \
    --min 99.5 --show 5
else
  echo "note: $shared not found; the real-world conformance check was skipped" >&2
fi
