#!/usr/bin/env bash
# The Quickstart's main job on the embedded defaults: the test-only keys in keys-example/, a SQLite
# ledger in .hcert-demo/, and the example records in examples/. Run by `npm run demo` (after `npm ci`,
# which builds). Safe to run again: the ledger makes every record issue exactly once.
set -uo pipefail
cd "$(dirname "$0")/.."
hcert() { node bin/run.js "$@"; }
step() { printf '\n\033[1m$ hcert %s\033[0m\n' "$*"; }
demo=.hcert-demo
mkdir -p "$demo"
keys=(--key-dir keys-example --ledger "$demo/ledger.sqlite")

step issue examples/batch.csv "${keys[@]}" --out "$demo/issued.jsonl" --qr-dir "$demo/qr" --rejects "$demo/rejects.csv"
hcert issue examples/batch.csv "${keys[@]}" --out "$demo/issued.jsonl" --qr-dir "$demo/qr" --rejects "$demo/rejects.csv"
echo "(exit $?: 4 means some records were rejected, and sent back in $demo/rejects.csv; the rest are signed)"

step issue examples/vaccination.json "${keys[@]}"
hcert issue examples/vaccination.json "${keys[@]}"   # on a terminal, the QR code is drawn under the HC1 text
# the same record again: already in the ledger, so the same certificate comes back, not a new one
hcert issue examples/vaccination.json "${keys[@]}" --json |
  node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).certificates[0].hc1))" > "$demo/one.txt"

step decode "$demo/one.txt"
hcert decode "$(head -n 1 "$demo/one.txt")"

step verify --trust keys-example/trust-list.json "< the batch's certificates"
node -e "for (const l of require('fs').readFileSync('$demo/issued.jsonl','utf8').trim().split('\n')) console.log(JSON.parse(l).hc1)" |
  hcert verify --trust keys-example/trust-list.json

later=$(node -e "const d=new Date(); d.setUTCMonth(d.getUTCMonth()+13); console.log(d.toISOString())")
step renew --expired --at "$later" "${keys[@]}" --out "$demo/renewed.jsonl" "   # 13 months later: every certificate has expired"
hcert renew --expired --at "$later" "${keys[@]}" --out "$demo/renewed.jsonl"
# on a later run everything is already renewed: renewed.jsonl is empty, and there is nothing to verify
if [ -s "$demo/renewed.jsonl" ]; then
  node -e "for (const l of require('fs').readFileSync('$demo/renewed.jsonl','utf8').trim().split('\n')) if (l) console.log(JSON.parse(l).hc1)" |
    hcert verify --trust keys-example/trust-list.json --at "$later" | tail -n 1
fi

step stats "${keys[@]:2}" --at "$later"
hcert stats --ledger "$demo/ledger.sqlite" --at "$later"

step conformance test/fixtures/dgc-testdata
hcert conformance test/fixtures/dgc-testdata | tail -n 1
printf '\nQR images: %s/qr  ·  certificates: %s/issued.jsonl  ·  ledger: %s/ledger.sqlite\n' "$demo" "$demo" "$demo"
