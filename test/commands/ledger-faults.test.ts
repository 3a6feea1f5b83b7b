/**
 * Ledger faults a tester found, as a user meets them on the command line (on both engines where the
 * fault is about what the ledger holds): a correction across kinds, a ledger renew would create,
 * --ledger given a folder/another file/nothing, a planted -shm link, UVCI case in export, what stats
 * counts as rejected, and the smaller usage messages (--validity 0d, --since after --until, a --kid
 * no certificate has, keys generate --out a file).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-ledger-faults-'))
const ICVP = [
  'id,name,dob,sex,nationality,national_id,national_id_type,guardian,product,date,batch,clinician,issuer,valid_from,valid_until',
  'c1,Nguyen Van An,1980-05-17,male,VN,B1234567,passport,,STAMARIL,2021-06-01,L123,Dr Lan,Pasteur Institute,2021-06-11,',
].join('\n')
const DCC = 'id,type,fn,gn,dob,vaccine,dose,doses,date\nc1,v,Tran,An,1980-01-01,Comirnaty,1,2,2021-06-01\n'

function file(name: string, text: string): string {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}

describe.each(ENGINES)('ledger faults ($name)', (engine) => {
  it('--correct does not let one kind of certificate supersede another (DCC for ICVP, ICVP for DCC)', () => {
    const ledger = engine.spec(tmp, 'kinds')
    const icvp = file(`icvp-${engine.name}.csv`, ICVP)
    const dcc = file(`dcc-${engine.name}.csv`, DCC)
    const first = runCli(['issue', icvp, '--kind', 'icvp', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger])
    expect(first.code, first.stderr).toBe(0)
    const r = runCli(['issue', dcc, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--correct', '--json'])
    expect(r.code).toBe(4)
    const report = JSON.parse(r.stdout)
    expect(report.corrected).toBe(0)
    expect(report.rejections[0].field).toBe('id')
    expect(report.rejections[0].reason).toMatch(/cannot replace a certificate by another kind/)
    expect(r.stdout + r.stderr).not.toMatch(/Tran|Nguyen|1980/)
    const stats = JSON.parse(runCli(['stats', '--ledger', ledger, '--json']).stdout)
    expect(stats.totals.superseded).toBe(0)
    // the other way round: an ICVP does not correct a DCC
    const ledger2 = engine.spec(tmp, 'kinds2')
    expect(runCli(['issue', dcc, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger2]).code).toBe(0)
    const back = runCli([
      'issue',
      icvp,
      '--kind',
      'icvp',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger2,
      '--correct',
    ])
    expect(back.code).toBe(4)
    expect(back.stderr).toMatch(/cannot replace a certificate by another kind/)
    expect(back.stderr).toMatch(/0 issued/)
  })
})
