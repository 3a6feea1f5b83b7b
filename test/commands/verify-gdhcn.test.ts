/** The CLI on WHO payloads and GDHCN DID trust lists: decode --unpacked, verify --trust did.json --trust-proof-key. */
import { generateKeyPairSync } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { addPrefix } from '../../src/codec/prefix.js'
import { deflate } from '../../src/codec/zlib.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { runCli } from '../helpers/cli.js'
import { DID_BASE, DID_CONTEXT, didMethod, proveDid, signerDidDocument } from '../helpers/did-trust-list.js'
import { freshKeys } from '../helpers/keys.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'gdhcn')
let dir: string
let hc1: string

beforeAll(async () => {
  const keys = await freshKeys()
  const proofKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  dir = mkdtempSync(join(tmpdir(), 'hcert-gdhcn-cli-'))
  const doc = {
    '@context': DID_CONTEXT,
    id: `${DID_BASE}:ICVP`,
    verificationMethod: [didMethod('ICVP', 'DSC', keys)],
  }
  const signed = proveDid(doc, proofKey.privateKey)
  writeFileSync(join(dir, 'did.json'), JSON.stringify(signed))
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...signed, controller: `${DID_BASE}:-` }))
  writeFileSync(join(dir, 'signer.json'), JSON.stringify(signerDidDocument(proofKey.publicKey)))
  const cwt = new Map<unknown, unknown>([
    [1, 'XXA'],
    [6, 1733011200],
    [
      -260,
      new Map([
        [-6, { n: 'Test', dob: '1990-01-01', v: { vp: 'XM0N24', dt: '2024-12-01', bo: 'B1', cn: 'Dr' } }],
      ]),
    ],
  ])
  hc1 = addPrefix(encodeBase45(deflate(signPayload(encodeCbor(cwt), keys.signer))))
})

describe('hcert and the WHO GDHCN', () => {
  it('decode --unpacked prints the ICVP sample exactly as the gdhcn-validator unpacks it', () => {
    const { code, stdout } = runCli(['decode', join(FIXTURES, 'DVCTestQR.txt'), '--unpacked'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toStrictEqual(
      JSON.parse(readFileSync(join(FIXTURES, 'DVCTestQRUnpacked.json'), 'utf8')),
    )
  })

  it('verify --trust did.json --trust-proof-key: the proof verifies, the ICVP is valid, with its kind and GDHCN domain', () => {
    const args = [
      'verify',
      hc1,
      '--trust',
      join(dir, 'did.json'),
      '--trust-proof-key',
      join(dir, 'signer.json'),
    ]
    const { code, stdout, stderr } = runCli([...args, '--at', '2025-01-01', '--json'])
    expect(stderr).toContain('proof verified')
    expect(stderr).toContain('signers ICVP DSC 1')
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result).toMatchObject({ valid: true, kind: 'icvp', signerTrust: { domain: 'ICVP', usage: 'DSC' } })
  })

  it('without --trust-proof-key it warns that the proof was not checked; a bad proof is ERR_TRUST, exit 2', () => {
    const unchecked = runCli(['verify', hc1, '--trust', join(dir, 'did.json'), '--at', '2025-01-01'])
    expect(unchecked.code).toBe(0)
    expect(unchecked.stderr).toContain('proof not checked')
    const bad = runCli([
      'verify',
      hc1,
      '--trust',
      join(dir, 'bad.json'),
      '--trust-proof-key',
      join(dir, 'signer.json'),
      '--json',
    ])
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout).error.code).toBe('ERR_TRUST')
  })

  it.skipIf(process.platform !== 'linux')(
    'a pipe (FIFO) as --trust-proof-key is ERR_TRUST at once, not a wait for a writer',
    () => {
      const fifo = join(dir, 'proof-key.fifo')
      execFileSync('mkfifo', [fifo])
      const args = ['verify', hc1, '--trust', join(dir, 'did.json'), '--trust-proof-key', fifo]
      const result = runCli([...args, '--json'], { timeout: 20_000 })
      expect(result.code).toBe(2)
      expect(JSON.parse(result.stdout).error).toMatchObject({
        code: 'ERR_TRUST',
        message: expect.stringMatching(/is a pipe \(FIFO\), not a regular file/),
      })
    },
  )
})
