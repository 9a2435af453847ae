#!/usr/bin/env bash
# Fuzz every harness for longer (default 10 minutes each, 2 at a time) and merge new
# coverage into fuzz/corpus, minimised. Usage: fuzz/run_long.sh [SECONDS] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
python3 -m fuzz.run --seconds "$seconds" --jobs "${FUZZ_JOBS:-2}" --merge "$@"
