/**
 * What renew must never sign: a renewal whose UVCI cannot be formed or breaks the DCC schema, a
 * certificate issue would refuse, another certificate's renewal; and the given certificates follow
 * the "only the latest for a holder and event" rule as the ledger's do.
 */
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { loadTrustList } from '../../src/services/load-trust.js'
import { renewCertificates, type RenewInput, type RenewOptions } from '../../src/services/renew.js'
import { runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'
import { flatVaccination, issueHarness } from '../helpers/issue.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'

const folder = freshFolders('hcert-renew-unfit-')
const signer = exampleSigner('ES256')
const trust = loadTrustList([join(KEYS_EXAMPLE, 'trust-list.json')])
const ISSUED = new Date('2021-06-15T00:00:00Z')
const RENEW_AT = new Date('2022-06-20T00:00:00Z')
const issueWith = issueHarness('hcert-renew-unfit-issue-', { now: ISSUED })

/** A ledger in a fresh folder holding two certificates issued on 2021-06-15 (expired by RENEW_AT). */
async function issuedLedger(): Promise<{ dir: string; path: string; ledger: Ledger }> {
  const dir = folder()
  const path = join(dir, 'L.sqlite')
  const ledger = new Ledger(path)
  await issueWith(
    [
      flatVaccination({ id: 'R1', fn: 'Nguyen', gn: 'Duc' }),
      flatVaccination({ id: 'R2', fn: 'Tran', gn: 'Mai' }),
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
    'b.jsonl',
    { ledger },
  )
  return { dir, path, ledger }
}

const renew = (ledger: Ledger, extra: Partial<RenewOptions> = {}) =>
  renewCertificates({
    ledger,
    signer,
    now: RENEW_AT,
    validity: { amount: 12, unit: 'm' },
    dueBy: Math.floor(RENEW_AT.getTime() / 1000),
    batch: 'renew',
    ...extra,
  })

async function* given(texts: string[]): AsyncIterable<RenewInput> {
  let n = 0
  for (const text of texts) yield { source: `input ${++n}`, text }
}

/** A certificate signed with the example DSC: the payload of R1 changed by `change`. */
function signed(
  ledger: Ledger,
  change: (dcc: { nam: Record<string, string>; v: Array<Record<string, unknown>> }) => void,
  iat = ISSUED,
): string {
  const row = ledger.database
    .prepare("select payload from certificates where idempotency_key like '%R1%'")
    .get() as {
    payload: string
  }
  const dcc = JSON.parse(row.payload)
  change(dcc)
  const t = Math.floor(iat.getTime() / 1000)
  return signHc1(dcc, { iss: 'VN', iat: t, exp: t + 365 * 86400 }, signer).hc1
}

/** an earlier run's --out (an output replaces only a file of certificates hcert wrote) */
const OLD_OUT = '{"uvci":"URN:UVCI:01:VN:OLD","hc1":"HC1:old"}\n'

describe('renew --uvci-issuer', () => {
  it('is checked as issue checks it, before any file is read or written', async () => {
    const { dir, path } = await issuedLedger()
    const out = join(dir, 'out.jsonl')
    for (const value of ['A B', 'A//B', 'X'.repeat(60)]) {
      writeFileSync(out, OLD_OUT)
      const r = runCli(
        ['renew', '--expired', '--at', RENEW_AT.toISOString(), '-k', KEYS_EXAMPLE, '--ledger', path].concat([
          '--uvci-issuer',
          value,
          '--out',
          out,
        ]),
      )
      expect(r.code, `${value}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toContain('--uvci-issuer must be')
      expect(r.stderr).not.toContain('ERR_INTERNAL')
      expect(readFileSync(out, 'utf8')).toBe(OLD_OUT)
    }
  })
  it('a renewal over the schema is refused per certificate, never signed (the last guard)', async () => {
    const { ledger } = await issuedLedger()
    const report = await renew(ledger, { uvciIssuer: 'X'.repeat(60) })
    expect(report.renewed).toBe(0)
    expect(report.refused).toHaveLength(2)
    expect(report.refused[0]?.reason).toContain('would not pass the DCC schema (/v/0/ci)')
    const superseded = ledger.database
      .prepare('select count(*) as n from certificates where superseded_by is not null')
      .get() as { n: number }
    expect(superseded.n).toBe(0)
  })
})

describe('renew and given certificates', () => {
  it('refuses, without recording it, a certificate whose country no UVCI can hold; the run goes on', async () => {
    const { ledger } = await issuedLedger()
    const bad = signed(ledger, (d) => {
      d.v[0]!.co = 'V N'
      d.v[0]!.ci = 'URN:UVCI:01:VN:IMPORTED1#A'
    })
    const report = await renew(ledger, { inputs: given([bad]), trust })
    expect(report.refused).toHaveLength(1)
    expect(report.refused[0]?.reason).toContain('its country (co) is not an ISO 3166')
    expect(ledger.findByUvci('URN:UVCI:01:VN:IMPORTED1#A')).toBeUndefined()
    // the ledger's own certificates still renew
    expect((await renew(ledger)).renewed).toBe(2)
  })
  it('refuses a certificate whose issuer holds an escape sequence, and never quotes it', async () => {
    const { ledger } = await issuedLedger()
    const bad = signed(ledger, (d) => {
      d.v[0]!.is = 'Ministry\u001b[31m'
      d.v[0]!.ci = 'URN:UVCI:01:VN:IMPORTED2#A'
    })
    const report = await renew(ledger, { inputs: given([bad]), trust })
    expect(report.renewed).toBe(0)
    expect(report.refused[0]?.reason).toContain('its field /v/0/is holds a control')
    expect(JSON.stringify(report)).not.toContain('Ministry')
    expect(ledger.findByUvci('URN:UVCI:01:VN:IMPORTED2#A')).toBeUndefined()
  })
  it('refuses one stored with a country no UVCI can hold, per certificate, not the whole run', async () => {
    const { ledger } = await issuedLedger()
    const row = ledger.database
      .prepare("select id, payload from certificates where idempotency_key like '%R1%'")
      .get() as {
      id: number
      payload: string
    }
    const dcc = JSON.parse(row.payload)
    dcc.v[0].co = 'V N'
    ledger.database
      .prepare('update certificates set payload = ? where id = ?')
      .run(JSON.stringify(dcc), row.id)
    const report = await renew(ledger)
    expect(report.renewed).toBe(1)
    expect(report.refused).toHaveLength(1)
    expect(report.refused[0]?.reason).toContain('its country (co)')
  })
  it("refuses another holder's certificate under a UVCI the ledger has, not giving it that renewal", async () => {
    const { ledger } = await issuedLedger()
    const uvci = (
      ledger.database.prepare("select uvci from certificates where idempotency_key like '%R1%'").get() as {
        uvci: string
      }
    ).uvci
    const intruder = signed(ledger, (d) => {
      d.nam.fn = 'Intruder'
      d.nam.fnt = 'INTRUDER'
    })
    const renewed: string[] = []
    const report = await renew(ledger, {
      inputs: given([intruder]),
      trust,
      onCertificate: (c) => renewed.push(c.uvci),
    })
    expect(report.renewed).toBe(0)
    expect(renewed).toEqual([])
    expect(report.refused).toHaveLength(1)
    expect(report.refused[0]?.uvci).toBe(uvci)
    expect(report.refused[0]?.reason).toContain('belongs to another certificate in the ledger')
    expect(JSON.stringify(report)).not.toContain('Intruder')
    // the same certificate, signed again (other bytes, same content), is the ledger's: renewed
    const again = signed(ledger, () => undefined)
    expect((await renew(ledger, { inputs: given([again]), trust })).renewed).toBe(1)
  })
  for (const dryRun of [false, true])
    it(`renews only the later of two given for the same holder and event${dryRun ? ' (dry run)' : ''}`, async () => {
      const { ledger } = await issuedLedger()
      const first = signed(
        ledger,
        (d) => {
          d.nam.fn = 'Pham'
          d.nam.fnt = 'PHAM'
          d.v[0]!.ci = 'URN:UVCI:01:VN:DUPFIRST#A'
        },
        new Date('2021-06-01T00:00:00Z'),
      )
      const later = signed(
        ledger,
        (d) => {
          d.nam.fn = 'Pham'
          d.nam.fnt = 'PHAM'
          d.v[0]!.ci = 'URN:UVCI:01:VN:DUPLATER#A'
        },
        new Date('2021-06-10T00:00:00Z'),
      )
      const report = await renew(ledger, { inputs: given([first, later]), trust, dryRun })
      const renewedOld = dryRun ? (report.wouldRenew ?? []).map((w) => w.uvci) : []
      if (!dryRun) expect(report.renewed).toBe(1)
      else expect(renewedOld).toEqual(['URN:UVCI:01:VN:DUPLATER#A'])
      expect(report.skipped).toEqual([
        expect.objectContaining({
          uvci: 'URN:UVCI:01:VN:DUPFIRST#A',
          reason: expect.stringContaining('a later certificate for the same holder and event exists'),
        }),
      ])
    })
})

describe('renew --out', () => {
  it('is left as it was by a run that fails before writing a renewal (not replaced by an empty file)', async () => {
    const { dir, path } = await issuedLedger()
    const out = join(dir, 'out.jsonl')
    writeFileSync(out, OLD_OUT)
    // a clock before the DSC's validity: the run fails once it has started, with --out created
    const r = runCli([
      'renew',
      '--expired',
      '--at',
      '2000-01-01',
      '-k',
      KEYS_EXAMPLE,
      '--ledger',
      path,
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain('ERR_KEYS')
    expect(readFileSync(out, 'utf8')).toBe(OLD_OUT)
  })
  it('may not be a --trust file (it would be emptied)', async () => {
    const { dir, path } = await issuedLedger()
    const t = join(dir, 'T.json')
    copyFileSync(join(KEYS_EXAMPLE, 'trust-list.json'), t)
    const size = statSync(t).size
    const r = runCli(['renew', '--expired', '-k', KEYS_EXAMPLE, '--ledger', path, '--trust', t, '--out', t])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain('is the input')
    expect(statSync(t).size).toBe(size)
  })
})

describe('an issuer an older run stored unnormalised', () => {
  it('is renewed in NFC, in the payload and in the ledger row (older runs took `is` from the DSC as typed)', async () => {
    const { ledger } = await issuedLedger()
    const nfd = 'Bộ Y tế'.normalize('NFD')
    expect(nfd).not.toBe(nfd.normalize('NFC'))
    // as an older run wrote it: the DSC's organisation, decomposed
    const db = ledger.database
    for (const row of db.prepare('SELECT id, payload FROM certificates').all() as Array<{
      id: number
      payload: string
    }>) {
      const payload = JSON.parse(row.payload) as { v: Array<{ is: string }> }
      for (const entry of payload.v) entry.is = nfd
      db.prepare('UPDATE certificates SET payload = ?, issuer = ? WHERE id = ?').run(
        JSON.stringify(payload),
        nfd,
        row.id,
      )
    }
    const uvcis: string[] = []
    const report = await renew(ledger, { onCertificate: (c) => uvcis.push(c.uvci) })
    expect(report.renewed).toBe(2)
    expect(uvcis).toHaveLength(2)
    for (const uvci of uvcis) {
      const row = db.prepare('SELECT payload, issuer FROM certificates WHERE uvci = ?').get(uvci) as {
        payload: string
        issuer: string
      }
      expect(row.issuer).toBe('Bộ Y tế'.normalize('NFC'))
      expect((JSON.parse(row.payload) as { v: Array<{ is: string }> }).v[0]?.is).toBe(
        'Bộ Y tế'.normalize('NFC'),
      )
    }
  })
})
