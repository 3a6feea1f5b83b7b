/**
 * Every command over a table of wrong inputs: a mistake a user can make is a usage error (exit 2)
 * or an unreadable certificate (exit 3), never a bug (exit 1, ERR_INTERNAL, "this is a bug", a
 * stack trace); with --json, stdout is one JSON document. The processes run in parallel batches.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateKeys } from '../../src/services/generate-keys.js'
import { runCli } from '../helpers/cli.js'
import { runMany, type Run } from '../helpers/run-many.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-wrong-'))
const at = (name: string): string => join(tmp, name)
const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples')
const RECORD = join(EXAMPLES, 'vaccination.json')
const HC1 = join(EXAMPLES, 'vaccination.hc1.txt')
const BATCH = join(EXAMPLES, 'batch.csv') // with records that are rejected
const TRUST = join(KEYS_EXAMPLE, 'trust-list.json')
const root = process.getuid?.() === 0

const MISSING = at('nosuch')
const EMPTY = at('empty.txt')
const GARBAGE = at('garbage.bin')
const TEXT = at('plain.txt')
const FOLDER = at('folder')
const EMPTY_FOLDER = at('empty-folder')
const UNDER_FILE = join(TEXT, 'below')
const GARBAGE_KEYS = at('garbage-keys')
const ENCRYPTED_KEYS = at('encrypted-keys')
const UNREADABLE_TRUST = at('unreadable-trust.json')
const LEDGER_DIR = at('ledger-folder')
const LEDGER_GARBAGE = at('garbage.sqlite')
const KNOWN_ISSUES_GARBAGE = at('known_issues.csv')
const BAD_VECTORS = at('bad-vectors')
const BROKEN_TRUST_LIST_DIR = at('broken-trust-list')

// SMART Health Cards: texts wrong at each layer, and JWK Sets that give no key
const SHC_JWKS = join(import.meta.dirname, '..', 'fixtures', 'shc', 'example-issuer-jwks.json')
const JWKS_EMPTY = at('empty-jwks.json')
const JWKS_PRIVATE = at('private-jwks.json')
const b64url = (text: string | Buffer): string => Buffer.from(text).toString('base64url')
const numeric = (jws: string): string =>
  [...jws].map((ch) => String(ch.charCodeAt(0) - 45).padStart(2, '0')).join('')
const SHC_HEADER = b64url('{"zip":"DEF","alg":"ES256","kid":"x"}')
const SHC_WRONG: Record<string, string> = {
  'odd digits': 'shc:/567',
  'a pair above 77': 'shc:/5699',
  'a letter among the digits': 'shc:/56a6',
  'no digits': 'shc:/',
  'chunk 3 of 2': 'shc:/3/2/5676',
  'a bad chunk header': 'shc:/1/5676',
  'an upper-case prefix': 'SHC:/5676',
  'a JWS of two parts': `shc:/${numeric(`${SHC_HEADER}.${SHC_HEADER}`)}`,
  'a header that is not JSON': `shc:/${numeric(`${b64url('nope')}.AAAA.AAAA`)}`,
  'a payload that is not DEFLATE': `shc:/${numeric(`${SHC_HEADER}.${b64url('{"iss":1}')}.AAAA`)}`,
  'an inflate bomb': `shc:/${numeric(`${SHC_HEADER}.${b64url(deflateRawSync(Buffer.alloc(1024 * 1024, 0x61)))}.AAAA`)}`,
}

/** A ledger holding one certificate that expired in 2022, copied for each case that would change it. */
let ledgers = 0
const ISSUED_LEDGER = at('issued.sqlite')
const issuedLedger = (): string => {
  const copy = at(`issued-${++ledgers}.sqlite`)
  copyFileSync(ISSUED_LEDGER, copy)
  return copy
}

/** A new ledger path per call: the text and --json runs of a case run at the same time. */
let fresh = 0
const freshLedger = (name: string): string => at(`${name}-${++fresh}.sqlite`)

const sign = ['--key-dir', KEYS_EXAMPLE, '--at', '2021-06-01']

interface Case {
  /** the command line after `hcert` (without --json) */
  args: () => string[]
  /** exit codes a correct hcert may give; never 1 */
  exit: number[]
  /** a failure another part of hcert owns: the case stays red here until it is fixed there */
  knownFailure?: string
  /** help and unknown commands: --json is not one of their flags */
  noJson?: boolean
  skip?: boolean
}

const USAGE = [2]
const UNREADABLE = [3]

const CASES: Record<string, Case> = {
  // keys generate
  'keys generate --out <a file>': { args: () => ['keys', 'generate', '--out', TEXT], exit: USAGE },
  'keys generate --out <below a file>': {
    args: () => ['keys', 'generate', '--out', UNDER_FILE],
    exit: USAGE,
  },
  'keys generate --csca <missing>': {
    args: () => ['keys', 'generate', '--out', at('k1'), '--csca', MISSING],
    exit: USAGE,
  },
  'keys generate --csca <folder without keys>': {
    args: () => ['keys', 'generate', '--out', at('k2'), '--csca', EMPTY_FOLDER],
    exit: USAGE,
  },
  'keys generate --csca <a file>': {
    args: () => ['keys', 'generate', '--out', at('k3'), '--csca', TEXT],
    exit: USAGE,
  },
  'keys generate --csca <garbage keys>': {
    args: () => ['keys', 'generate', '--out', at('k4'), '--csca', GARBAGE_KEYS],
    exit: USAGE,
  },
  'keys generate --import-key <missing>': {
    args: () => ['keys', 'generate', '--out', at('k5'), '--import-key', MISSING],
    exit: USAGE,
  },
  'keys generate --import-key <empty file>': {
    args: () => ['keys', 'generate', '--out', at('k6'), '--import-key', EMPTY],
    exit: USAGE,
  },
  'keys generate --import-key <binary garbage>': {
    args: () => ['keys', 'generate', '--out', at('k7'), '--import-key', GARBAGE],
    exit: USAGE,
  },
  'keys generate --import-key <a folder>': {
    args: () => ['keys', 'generate', '--out', at('k8'), '--import-key', FOLDER],
    exit: USAGE,
  },
  'keys generate --valid-from 9999-12-31': {
    args: () => ['keys', 'generate', '--out', at('k-9999'), '--valid-from', '9999-12-31'],
    exit: USAGE,
  },
  'keys generate --out <a folder with a trust-list.json that is not one>': {
    args: () => ['keys', 'generate', '--out', BROKEN_TRUST_LIST_DIR],
    exit: USAGE,
  },
  'keys generate --valid-from garbage': {
    args: () => ['keys', 'generate', '--out', at('k9'), '--valid-from', 'garbage'],
    exit: USAGE,
  },
  'keys generate --dsc-validity garbage': {
    args: () => ['keys', 'generate', '--out', at('k10'), '--dsc-validity', 'garbage'],
    exit: USAGE,
  },
  'keys generate --csca-validity 0d': {
    args: () => ['keys', 'generate', '--out', at('k11'), '--csca-validity', '0d'],
    exit: USAGE,
  },
  'keys generate --alg RS999': { args: () => ['keys', 'generate', '--alg', 'RS999'], exit: USAGE },
  'keys generate --usage x': { args: () => ['keys', 'generate', '--usage', 'x'], exit: USAGE },
  'keys generate --encrypt --no-prompt without a passphrase': {
    args: () => ['keys', 'generate', '--out', at('k12'), '--encrypt', '--no-prompt'],
    exit: USAGE,
  },
  'keys generate --nosuch': { args: () => ['keys', 'generate', '--nosuch'], exit: USAGE },

  // keys show
  'keys show <missing>': { args: () => ['keys', 'show', MISSING], exit: USAGE },
  'keys show <empty file>': { args: () => ['keys', 'show', EMPTY], exit: USAGE },
  'keys show <binary garbage>': { args: () => ['keys', 'show', GARBAGE], exit: USAGE },
  'keys show <text file>': { args: () => ['keys', 'show', TEXT], exit: USAGE },
  'keys show <folder without keys>': { args: () => ['keys', 'show', EMPTY_FOLDER], exit: USAGE },
  'keys show <garbage keys>': { args: () => ['keys', 'show', GARBAGE_KEYS], exit: USAGE },
  'keys show (no argument)': { args: () => ['keys', 'show'], exit: USAGE },

  // issue
  // records that cannot be read are ERR_INPUT (exit 3); so is an empty file (it holds no record)
  'issue <missing>': { args: () => ['issue', MISSING, ...sign, '--ledger', freshLedger('i1')], exit: [2, 3] },
  'issue <a folder>': { args: () => ['issue', FOLDER, ...sign, '--ledger', freshLedger('i2')], exit: [2, 3] },
  'issue <binary garbage>': {
    args: () => ['issue', GARBAGE, ...sign, '--ledger', freshLedger('i3')],
    exit: [2, 3, 4],
  },
  'issue <empty file>': {
    args: () => ['issue', EMPTY, ...sign, '--ledger', freshLedger('i4')],
    exit: [3],
  },
  'issue without --key-dir': { args: () => ['issue', RECORD, '--ledger', freshLedger('i5')], exit: USAGE },
  'issue --restore without --correct': {
    args: () => ['issue', RECORD, ...sign, '--restore', '--ledger', freshLedger('i5r')],
    exit: USAGE,
  },
  'issue --key-dir <missing>': {
    args: () => ['issue', RECORD, '--key-dir', MISSING, '--ledger', freshLedger('i6')],
    exit: USAGE,
  },
  'issue --key-dir <folder without keys>': {
    args: () => ['issue', RECORD, '--key-dir', EMPTY_FOLDER, '--ledger', freshLedger('i7')],
    exit: USAGE,
  },
  'issue --key-dir <a file>': {
    args: () => ['issue', RECORD, '--key-dir', TEXT, '--ledger', freshLedger('i8')],
    exit: USAGE,
  },
  'issue --key-dir <garbage keys>': {
    args: () => ['issue', RECORD, '--key-dir', GARBAGE_KEYS, '--ledger', freshLedger('i9')],
    exit: USAGE,
  },
  'issue --key-dir <encrypted keys> --no-prompt, no passphrase': {
    args: () => ['issue', RECORD, '--key-dir', ENCRYPTED_KEYS, '--no-prompt', '--ledger', freshLedger('i10')],
    exit: USAGE,
  },
  'issue --ledger <a folder>': {
    args: () => ['issue', RECORD, ...sign, '--ledger', LEDGER_DIR],
    exit: USAGE,
  },
  'issue --ledger <garbage file>': {
    args: () => ['issue', RECORD, ...sign, '--ledger', LEDGER_GARBAGE],
    exit: USAGE,
  },
  'issue --ledger <below a file>': {
    args: () => ['issue', RECORD, ...sign, '--ledger', join(UNDER_FILE, 'l.sqlite')],
    exit: USAGE,
  },
  'issue --qr-dir <a file>': {
    args: () => ['issue', RECORD, ...sign, '--ledger', freshLedger('i11'), '--qr-dir', TEXT],
    exit: USAGE,
  },
  'issue --out <a folder>': {
    args: () => ['issue', RECORD, ...sign, '--ledger', freshLedger('i12'), '--out', FOLDER],
    exit: USAGE,
  },
  'issue --rejects <a folder>': {
    args: () => ['issue', BATCH, ...sign, '--ledger', freshLedger('i13'), '--rejects', FOLDER],
    exit: USAGE,
  },
  'issue --out <below a file>': {
    args: () => ['issue', RECORD, ...sign, '--ledger', freshLedger('i14'), '--out', join(UNDER_FILE, 'o')],
    exit: USAGE,
  },
  'issue --validity garbage': {
    args: () => ['issue', RECORD, ...sign, '--validity', 'garbage'],
    exit: USAGE,
  },
  'issue --validity 0m': { args: () => ['issue', RECORD, ...sign, '--validity', '0m'], exit: USAGE },
  'issue --at garbage': { args: () => ['issue', RECORD, '--at', 'garbage'], exit: USAGE },
  'issue --workers -1': { args: () => ['issue', RECORD, ...sign, '--workers', '-1'], exit: USAGE },
  'issue --workers 99999999999': {
    args: () => ['issue', RECORD, ...sign, '--workers', '99999999999'],
    exit: USAGE,
  },
  'issue --workers many': { args: () => ['issue', RECORD, ...sign, '--workers', 'many'], exit: USAGE },
  'issue --format xml': { args: () => ['issue', RECORD, ...sign, '--format', 'xml'], exit: USAGE },
  'issue --interactive without a terminal': {
    args: () => ['issue', '--interactive', ...sign, '--ledger', freshLedger('i15')],
    exit: USAGE,
  },
  'issue --nosuch': { args: () => ['issue', RECORD, '--nosuch'], exit: USAGE },

  // decode
  'decode <missing>': { args: () => ['decode', MISSING], exit: [2, 3] },
  'decode <empty file>': { args: () => ['decode', EMPTY], exit: UNREADABLE },
  'decode <binary garbage>': { args: () => ['decode', GARBAGE], exit: UNREADABLE },
  'decode <a folder>': { args: () => ['decode', FOLDER], exit: [2, 3] },
  'decode <text file>': { args: () => ['decode', TEXT], exit: UNREADABLE },
  'decode (empty stdin)': { args: () => ['decode', '-'], exit: UNREADABLE },
  'decode --at garbage': { args: () => ['decode', HC1, '--at', 'garbage'], exit: USAGE },
  'decode --nosuch': { args: () => ['decode', HC1, '--nosuch'], exit: USAGE },

  ...Object.fromEntries(
    Object.entries(SHC_WRONG).flatMap(([name, text]) => [
      [`decode <shc: ${name}>`, { args: () => ['decode', text], exit: UNREADABLE }],
      [`verify <shc: ${name}>`, { args: () => ['verify', text, '--trust', SHC_JWKS], exit: UNREADABLE }],
    ]),
  ),
  'decode <shc: a chunk missing>': {
    args: () => ['decode', 'shc:/1/3/5676', 'shc:/3/3/5676'],
    exit: UNREADABLE,
  },
  'verify <shc: a chunk missing>': {
    args: () => ['verify', 'shc:/1/3/5676', 'shc:/3/3/5676', '--trust', SHC_JWKS],
    exit: UNREADABLE,
  },
  'decode <shc chunk> <HC1>': { args: () => ['decode', 'shc:/1/2/5676', HC1], exit: USAGE },
  'verify --trust <a JWK Set with no key>': {
    args: () => ['verify', HC1, '--trust', JWKS_EMPTY],
    exit: USAGE,
  },
  'verify --trust <a JWK Set of a private key>': {
    args: () => ['verify', HC1, '--trust', JWKS_PRIVATE],
    exit: USAGE,
  },

  // verify
  'verify without --trust': { args: () => ['verify', HC1], exit: USAGE },
  'verify --trust <missing>': { args: () => ['verify', HC1, '--trust', MISSING], exit: USAGE },
  'verify --trust <empty file>': { args: () => ['verify', HC1, '--trust', EMPTY], exit: USAGE },
  'verify --trust <binary garbage>': { args: () => ['verify', HC1, '--trust', GARBAGE], exit: USAGE },
  'verify --trust <text file>': { args: () => ['verify', HC1, '--trust', TEXT], exit: USAGE },
  'verify --trust <empty folder>': { args: () => ['verify', HC1, '--trust', EMPTY_FOLDER], exit: USAGE },
  'verify --trust <unreadable file>': {
    args: () => ['verify', HC1, '--trust', UNREADABLE_TRUST],
    exit: USAGE,
    skip: root, // root reads a file of mode 000
  },
  'verify <missing> --trust': { args: () => ['verify', MISSING, '--trust', TRUST], exit: UNREADABLE },
  'verify <a folder> --trust': { args: () => ['verify', FOLDER, '--trust', TRUST], exit: [2, 3] },
  'verify <empty file> --trust': { args: () => ['verify', EMPTY, '--trust', TRUST], exit: UNREADABLE },
  'verify <binary garbage> --trust': { args: () => ['verify', GARBAGE, '--trust', TRUST], exit: UNREADABLE },
  'verify --at garbage': { args: () => ['verify', HC1, '--trust', TRUST, '--at', 'garbage'], exit: USAGE },
  'verify - mixed with a file': { args: () => ['verify', HC1, '-', '--trust', TRUST], exit: USAGE },
  'verify --nosuch': { args: () => ['verify', HC1, '--trust', TRUST, '--nosuch'], exit: USAGE },

  // renew
  'renew without --key-dir': { args: () => ['renew', '--expired', '--ledger', issuedLedger()], exit: USAGE },
  'renew --key-dir <folder without keys>': {
    args: () => ['renew', '--expired', '--key-dir', EMPTY_FOLDER, '--ledger', issuedLedger()],
    exit: USAGE,
  },
  'renew --ledger <a folder>': {
    args: () => ['renew', '--expired', ...sign, '--ledger', LEDGER_DIR],
    exit: USAGE,
  },
  'renew --ledger <garbage file>': {
    args: () => ['renew', '--expired', ...sign, '--ledger', LEDGER_GARBAGE],
    exit: USAGE,
  },
  'renew --expiring-within garbage': {
    args: () => ['renew', ...sign, '--ledger', issuedLedger(), '--expiring-within', 'garbage'],
    exit: USAGE,
  },
  'renew --expired --expiring-within 3d': {
    args: () => ['renew', ...sign, '--ledger', issuedLedger(), '--expired', '--expiring-within', '3d'],
    exit: USAGE,
  },
  'renew --validity garbage': {
    args: () => ['renew', '--expired', ...sign, '--ledger', issuedLedger(), '--validity', 'garbage'],
    exit: USAGE,
  },
  'renew --type x': { args: () => ['renew', '--expired', ...sign, '--type', 'x'], exit: USAGE },
  'renew --qr-dir <a file>': {
    args: () => [
      'renew',
      '--expired',
      '--key-dir',
      KEYS_EXAMPLE,
      '--at',
      '2030-01-01',
      '--ledger',
      issuedLedger(),
      '--qr-dir',
      TEXT,
    ],
    exit: USAGE,
  },
  'renew --out <a folder>': {
    args: () => [
      'renew',
      '--expired',
      '--key-dir',
      KEYS_EXAMPLE,
      '--at',
      '2030-01-01',
      '--ledger',
      issuedLedger(),
      '--out',
      FOLDER,
    ],
    exit: USAGE,
  },
  'renew <input> without --trust': {
    args: () => ['renew', HC1, '--expired', ...sign, '--ledger', issuedLedger()],
    exit: USAGE,
  },
  'renew <input> --trust <binary garbage>': {
    args: () => ['renew', HC1, '--trust', GARBAGE, '--expired', ...sign, '--ledger', issuedLedger()],
    exit: USAGE,
  },
  'renew <missing> --trust': {
    args: () => ['renew', MISSING, '--trust', TRUST, '--expired', ...sign, '--ledger', issuedLedger()],
    exit: [2, 3, 4],
  },

  // stats
  'stats --ledger <missing>': { args: () => ['stats', '--ledger', MISSING], exit: USAGE },
  'stats --ledger <a folder>': { args: () => ['stats', '--ledger', LEDGER_DIR], exit: USAGE },
  'stats --ledger <garbage file>': { args: () => ['stats', '--ledger', LEDGER_GARBAGE], exit: USAGE },
  'stats --since garbage': {
    args: () => ['stats', '--ledger', ISSUED_LEDGER, '--since', 'garbage'],
    exit: USAGE,
  },
  'stats --until garbage': {
    args: () => ['stats', '--ledger', ISSUED_LEDGER, '--until', 'garbage'],
    exit: USAGE,
  },
  'stats --by year': { args: () => ['stats', '--ledger', ISSUED_LEDGER, '--by', 'year'], exit: USAGE },

  // conformance
  'conformance (no argument)': { args: () => ['conformance'], exit: USAGE },
  'conformance <missing>': { args: () => ['conformance', MISSING], exit: USAGE },
  'conformance <a file>': { args: () => ['conformance', TEXT], exit: USAGE },
  'conformance <empty folder>': { args: () => ['conformance', EMPTY_FOLDER], exit: USAGE },
  'conformance --known-issues <missing>': {
    args: () => ['conformance', BAD_VECTORS, '--known-issues', MISSING],
    exit: USAGE,
  },
  'conformance --known-issues <a folder>': {
    args: () => ['conformance', BAD_VECTORS, '--known-issues', FOLDER],
    exit: USAGE,
  },
  'conformance --known-issues <binary garbage>': {
    args: () => ['conformance', BAD_VECTORS, '--known-issues', GARBAGE],
    exit: USAGE,
  },
  'conformance <folder with a garbage known_issues.csv>': {
    args: () => ['conformance', tmp],
    exit: USAGE,
  },
  'conformance <folder of broken vectors>': { args: () => ['conformance', BAD_VECTORS], exit: [4] },

  // help and mistyped commands
  'help nosuch': { args: () => ['help', 'nosuch'], exit: USAGE, noJson: true },
  'help keys nosuch': { args: () => ['help', 'keys', 'nosuch'], exit: USAGE, noJson: true },
  'isue (a mistyped command)': { args: () => ['isue', RECORD], exit: USAGE },
  'keys generat (a mistyped subcommand)': { args: () => ['keys', 'generat'], exit: USAGE },
}

const ENV: Record<string, string | undefined> = {
  ...process.env,
  NO_COLOR: '1',
  HOME: tmp,
  XDG_DATA_HOME: at('xdg'),
  HCERT_LEDGER: undefined,
  HCERT_KEY_DIR: undefined,
  HCERT_TRUST: undefined,
  HCERT_KEY_PASSPHRASE: undefined,
  DEBUG: undefined,
}

function makeFixtures(): void {
  writeFileSync(EMPTY, '')
  writeFileSync(JWKS_EMPTY, '{"keys": []}')
  writeFileSync(
    JWKS_PRIVATE,
    JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' }] }),
  )
  // deterministic bytes with NULs, high bytes and line breaks
  writeFileSync(
    GARBAGE,
    Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + (i >> 3)) % 256),
  )
  writeFileSync(TEXT, 'hello\n')
  mkdirSync(FOLDER)
  writeFileSync(join(FOLDER, 'inside.txt'), 'x')
  mkdirSync(EMPTY_FOLDER)
  mkdirSync(GARBAGE_KEYS)
  mkdirSync(BROKEN_TRUST_LIST_DIR)
  writeFileSync(join(BROKEN_TRUST_LIST_DIR, 'trust-list.json'), 'not json\n')
  for (const name of ['csca.key.pem', 'csca.crt.pem', 'dsc.key.pem', 'dsc.crt.pem'])
    copyFileSync(GARBAGE, join(GARBAGE_KEYS, name))
  copyFileSync(TRUST, UNREADABLE_TRUST)
  chmodSync(UNREADABLE_TRUST, 0o000)
  mkdirSync(LEDGER_DIR)
  copyFileSync(GARBAGE, LEDGER_GARBAGE)
  copyFileSync(GARBAGE, KNOWN_ISSUES_GARBAGE)
  mkdirSync(BAD_VECTORS)
  writeFileSync(join(BAD_VECTORS, 'broken.json'), '{"EXPECTEDRESULTS": ')
}

const names = Object.keys(CASES)
const results = new Map<string, { text: Run; json?: Run }>()

beforeAll(async () => {
  makeFixtures()
  await generateKeys({
    out: ENCRYPTED_KEYS,
    alg: 'ES256',
    rsaBits: 2048,
    usage: [],
    country: 'VN',
    organisation: 'Test',
    cscaValidity: { amount: 4, unit: 'y' },
    dscValidity: { amount: 2, unit: 'y' },
    now: new Date('2021-01-01T00:00:00Z'),
    passphrase: 'correct horse battery',
    force: false,
  })
  const issued = runCli(['issue', RECORD, ...sign, '--ledger', ISSUED_LEDGER, '--validity', '1m', '--json'], {
    env: { HOME: tmp },
  })
  if (issued.code !== 0) throw new Error(`could not issue the fixture ledger: ${issued.stderr}`)

  const lines: string[][] = []
  const slots: Array<{ name: string; json: boolean }> = []
  for (const name of names) {
    const c = CASES[name] as Case
    if (c.skip) continue
    lines.push(c.args())
    slots.push({ name, json: false })
    if (!c.noJson) {
      lines.push([...c.args(), '--json'])
      slots.push({ name, json: true })
    }
  }
  const runs = await runMany(lines, { env: ENV, cwd: tmp })
  runs.forEach((run, i) => {
    const { name, json } = slots[i] as { name: string; json: boolean }
    const entry = results.get(name) ?? ({} as { text: Run; json?: Run })
    if (json) entry.json = run
    else entry.text = run
    results.set(name, entry)
  })
}, 300_000)

const BUG = /this is a bug|ERR_INTERNAL|^\s+at .+:\d+:\d+\)?$/m

function check(c: Case, run: Run, json: boolean): void {
  const shown = `hcert ${run.args.join(' ')}\nexit ${run.code}\nstdout: ${run.stdout.slice(0, 600)}\nstderr: ${run.stderr.slice(0, 600)}`
  expect(run.stdout + run.stderr, shown).not.toMatch(BUG)
  expect(c.exit, shown).toContain(run.code)
  if (!json) return
  let document: unknown
  expect(() => (document = JSON.parse(run.stdout)), `stdout is one JSON document\n${shown}`).not.toThrow()
  if (run.code === 2) {
    const error = (document as { error?: { code?: unknown } }).error
    expect(error?.code, shown).toMatch(/^ERR_[A-Z_]+$/)
  }
}

describe('no wrong input is a bug', () => {
  for (const name of names) {
    const c = CASES[name] as Case
    const test = c.skip ? it.skip : c.knownFailure ? it.fails : it
    test(`${name}${c.knownFailure ? ` (known failure: ${c.knownFailure})` : ''}`, () => {
      const entry = results.get(name)
      if (!entry) throw new Error('not run')
      check(c, entry.text, false)
      if (entry.json) check(c, entry.json, true)
    })
  }
})
