#!/usr/bin/env bash
# Builds the fuzzers' seed corpus from the test fixtures.
set -euo pipefail
cd "$(dirname "$0")"
for target in scan fix_pipeline; do
  mkdir -p "corpus/$target"
  find ../tests/fixtures ../examples -name '*.sql' -exec cp {} "corpus/$target/" \;
done
mkdir -p corpus/annotation
grep -rhoE -- '--\s*@(access|maxcompute|allow)[^\r\n]*' ../tests/fixtures ../examples | sed -E 's/^--\s*@(access|maxcompute|allow) ?//' | sort -u | split -l 1 - corpus/annotation/seed-
