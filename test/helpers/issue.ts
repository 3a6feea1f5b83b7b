/**
 * Issuing at the service, as the issue and renew tests do: the input text written to a fresh file,
 * a fresh SQLite ledger unless one is given, the example ES256 DSC signing on the calling thread.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import { Ledger } from '../../src/ledger/ledger.js'
import type { LedgerStore } from '../../src/ledger/store.js'
import {
  issueCertificates,
  type IssuedCertificate,
  type IssueOptions,
  type IssueReport,
} from '../../src/services/issue.js'
import { exampleSigner } from './keys.js'

/** The issue tests' clock: 2021-12-21T00:00:00Z. */
export const ISSUE_NOW = new Date('2021-12-21T00:00:00Z')

export interface IssueRun {
  report: IssueReport
  /** what onCertificate was given, in order */
  certificates: IssuedCertificate[]
  ledger: Ledger
  /** the input file written */
  file: string
}

export type Issue = (input: string, name: string, extra?: Partial<IssueOptions>) => Promise<IssueRun>

/**
 * An `issue(input, name, extra)` for one test file, its files in a temporary folder named from
 * `prefix`: `input` is written to a file ending in `name`, issued as batch `name` at ISSUE_NOW for 12
 * months (country VN, issuer "Ministry of Health"); `defaults`, then `extra`, override any option.
 */
export function issueHarness(prefix: string, defaults: Partial<IssueOptions> = {}): Issue {
  const tmp = mkdtempSync(join(tmpdir(), prefix))
  let n = 0
  return async (input, name, extra = {}) => {
    const file = join(tmp, `${n++}-${name}`)
    writeFileSync(file, input)
    const options = { ...defaults, ...extra }
    // the tests give SQLite ledgers (their rows read through ledger.database)
    const ledger = (options.ledger as Ledger | undefined) ?? new Ledger(join(tmp, `${n}.sqlite`))
    const { report, certificates } = await issueFile(ledger, file, { batch: name, ...options })
    return { report, certificates, ledger, file }
  }
}

/**
 * A writer of input files for one test file: `file(name, content)` writes `content` to a new file
 * whose name ends in `name`, in a temporary folder named from `prefix` (`file.folder`), and returns
 * its path.
 */
export function fileMaker(
  prefix: string,
): ((name: string, content: string | Uint8Array) => string) & { folder: string } {
  const folder = mkdtempSync(join(tmpdir(), prefix))
  let n = 0
  const write = (name: string, content: string | Uint8Array): string => {
    const path = join(folder, `${++n}-${name}`)
    writeFileSync(path, content)
    return path
  }
  return Object.assign(write, { folder })
}

/**
 * Issues the file `source` into `ledger` as issueHarness does (batch 'b', ISSUE_NOW, 12 months,
 * country VN, issuer "Ministry of Health", the example ES256 DSC on the calling thread); `extra`
 * overrides any option. Returns the report and what onCertificate was given, in order.
 */
export async function issueFile(
  ledger: LedgerStore,
  source: string,
  extra: Partial<IssueOptions> = {},
): Promise<{ report: IssueReport; certificates: IssuedCertificate[] }> {
  const signer = extra.signer ?? exampleSigner('ES256')
  const certificates: IssuedCertificate[] = []
  const report = await issueCertificates({
    source,
    signer,
    jobSigner: inlineSigner(signer),
    ledger,
    batch: 'b',
    now: ISSUE_NOW,
    validity: { amount: 12, unit: 'm' },
    defaults: { country: 'VN', issuer: 'Ministry of Health' },
    dryRun: false,
    onCertificate: (c) => certificates.push(c),
    ...extra,
  })
  return { report, certificates }
}

/** A flat record (the CSV and JSON Lines columns): a first dose of Comirnaty for Le An, with `changes`. */
export const flatVaccination = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'v',
  fn: 'Le',
  gn: 'An',
  dob: '1980-01-01',
  vaccine: 'Comirnaty',
  dose: 1,
  doses: 2,
  date: '2021-06-01',
  ...changes,
})
