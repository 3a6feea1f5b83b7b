#!/usr/bin/env bash
# The Quickstart's main job on the embedded defaults: the test-only keys in keys-example/ and the
# example certificate in examples/. Run by `npm run demo` (after `npm ci`, which builds).
set -euo pipefail
cd "$(dirname "$0")/.."
hcert() { node bin/run.js "$@"; }
step() { printf '\n\033[1m$ hcert %s\033[0m\n' "$*"; }

step decode examples/vaccination.png
hcert decode examples/vaccination.png --at 2021-12-01T00:00:00Z

step verify examples/vaccination.hc1.txt --trust keys-example/trust-list.json --at 2021-12-01T00:00:00Z
hcert verify examples/vaccination.hc1.txt --trust keys-example/trust-list.json --at 2021-12-01T00:00:00Z

step conformance test/fixtures/dgc-testdata
hcert conformance test/fixtures/dgc-testdata | tail -n 1
