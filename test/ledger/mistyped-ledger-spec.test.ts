/**
 * A --ledger (or $HCERT_LEDGER, or a `ledger copy` argument) that reads as a server address but is
 * not a postgres URL hcert takes is refused before anything is created: ERR_LEDGER (exit 2), no
 * SQLite file or folder named after it, the password masked wherever the value is shown. No server
 * is needed: nothing is reached.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { Ledger } from '../../src/ledger/ledger.js'
import { checkLedgerSpec, redactLedgerSpec } from '../../src/ledger/ledger-spec.js'
import { copyLedger } from '../../src/services/ledger-copy.js'
import { BIN } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { letters } from '../helpers/records.js'

const folder = freshFolders('hcert-mistyped-ledger-')
const SECRET = 'S3cretPw'

/** the CLI run in `cwd` (a fresh folder: whatever it creates there shows) */
function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', PGPASSWORD: 'unused', ...env },
    encoding: 'utf8',
  })
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}

function batchIn(dir: string): string {
  const rows = [0, 1].map(
    (i) => `id-${letters(i)},v,Tester,Ann ${letters(i)},1980-01-01,Comirnaty,1,2,2021-06-01`,
  )
  writeFileSync(join(dir, 'batch.csv'), ['id,type,fn,gn,dob,vaccine,dose,doses,date', ...rows].join('\n'))
  return 'batch.csv'
}

/** the tester's forms: each used to become a SQLite file (and folders) named after the URL */
const MISTYPED = [
  `pg://hcert:${SECRET}@127.0.0.1/db`,
  `postgres:/hcert:${SECRET}@127.0.0.1/db`,
  `postgres:hcert:${SECRET}@127.0.0.1:5432`,
  `postgres//hcert:${SECRET}@127.0.0.1/db`,
  ` postgres://hcert:${SECRET}@127.0.0.1/db`,
  // another scheme without slashes: a SQLite ledger is a path, not a URL
  'sqlite:',
  'sqlite:ledger.db',
  'file:ledger.db',
]

describe('a mistyped PostgreSQL URL as the ledger', () => {
  it.each(MISTYPED)('issue --ledger %j: ERR_LEDGER, nothing created, password masked', (spec) => {
    const dir = folder()
    const input = batchIn(dir)
    for (const json of [false, true]) {
      const r = run(dir, [
        'issue',
        input,
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        spec,
        ...(json ? ['--json'] : []),
      ])
      expect(r.code).toBe(2)
      expect(r.stdout + r.stderr).toContain('ERR_LEDGER')
      expect(r.stdout + r.stderr).toContain('postgres://user@host:port/db')
      expect(r.stdout + r.stderr).not.toContain(SECRET)
      expect(readdirSync(dir)).toEqual([input])
    }
  })

  it('stats, export and renew refuse it too, from --ledger or $HCERT_LEDGER, without the password', () => {
    const dir = folder()
    const spec = `postgres//hcert:${SECRET}@127.0.0.1/db`
    for (const [args, env] of [
      [['stats', '--ledger', spec], {}],
      [['export', '--all'], { HCERT_LEDGER: spec }],
      [['renew', '--expired', '--key-dir', KEYS_EXAMPLE, '--ledger', spec], {}],
    ] as const) {
      const r = run(dir, [...args, '--json'], env)
      expect(r.code).toBe(2)
      const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
      expect(error.code).toBe('ERR_LEDGER')
      expect(error.message).toContain(`"postgres//hcert:***@127.0.0.1/db"`)
      expect(error.message).toContain(
        (args as readonly string[]).includes('--ledger') ? '--ledger' : '$HCERT_LEDGER',
      )
      expect(r.stdout + r.stderr).not.toContain(SECRET)
    }
    expect(readdirSync(dir)).toEqual([])
  })

  it('ledger copy: either argument mistyped is refused, nothing read or created, password masked', () => {
    const dir = folder()
    for (const args of [
      [`postgres//hcert:${SECRET}@127.0.0.1/db`, 'postgres:///db'],
      ['ledger.sqlite', `pg://hcert:${SECRET}@127.0.0.1/db`],
    ]) {
      const r = run(dir, ['ledger', 'copy', ...args])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('ERR_LEDGER')
      expect(r.stderr).toContain(':***@127.0.0.1/db')
      expect(r.stderr).not.toContain(SECRET)
    }
    expect(readdirSync(dir)).toEqual([])
  })

  it('ledger copy "": ERR_USAGE "is empty", as an empty --ledger is', () => {
    for (const args of [
      ['', 'postgres:///db'],
      ['ledger.sqlite', ' '],
    ]) {
      const r = run(folder(), ['ledger', 'copy', ...args])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/ERR_USAGE.*is empty/)
      expect(r.stderr).not.toContain('does not exist')
    }
  })

  it.each([
    `postgres://hcert:${SECRET}@127.0.0.1/db `,
    `mysql://hcert:${SECRET}@127.0.0.1/db`,
    `PostgreSQL:/hcert@127.0.0.1/db`,
    `psql//127.0.0.1/db`,
    `hcert:${SECRET}@127.0.0.1/db`,
    `host=127.0.0.1 user=hcert password=${SECRET} dbname=db`,
  ])('%j is refused too (ERR_LEDGER), without its password', (spec) => {
    let thrown: { code?: string; message?: string } = {}
    try {
      checkLedgerSpec(spec)
    } catch (err) {
      thrown = err as typeof thrown
    }
    expect(thrown.code).toBe('ERR_LEDGER')
    expect(thrown.message).not.toContain(SECRET)
  })

  it('file paths, even odd ones, stay SQLite files; postgres URLs pass the check', () => {
    for (const spec of [
      'ledger.sqlite',
      '/var/lib/hcert/ledger.sqlite',
      'pg/ledger.sqlite',
      'postgres-ledger.sqlite',
      'backup 2024:ledger.sqlite',
      './sqlite:ledger.db',
      `postgres://hcert:${SECRET}@127.0.0.1/db`,
      'postgresql:///db?host=/var/run/postgresql',
    ])
      expect(() => checkLedgerSpec(spec), spec).not.toThrow()
  })

  it('redactLedgerSpec masks every password form and leaves file paths alone', () => {
    expect(redactLedgerSpec(`postgres:hcert:${SECRET}@h:5432`)).toBe('postgres:hcert:***@h:5432')
    expect(redactLedgerSpec(`hcert:${SECRET}@h/db`)).toBe('hcert:***@h/db')
    expect(redactLedgerSpec(`pg://u:${SECRET}@h/db?password=${SECRET}`)).toBe('pg://u:***@h/db?password=***')
    expect(redactLedgerSpec(`postgres://u:${SECRET}@h/db`)).not.toContain(SECRET)
    expect(redactLedgerSpec('/data/ledger.sqlite')).toBe('/data/ledger.sqlite')
  })
})

describe('ledger copy from a damaged SQLite ledger', () => {
  it('is "damaged or not complete" before the server is reached, as every command says on opening', () => {
    const path = join(folder(), 'ledger.sqlite')
    new Ledger(path).close()
    const db = new Database(path)
    db.exec('DROP TABLE rejections')
    db.close()
    let thrown: { code?: string; message?: string } = {}
    try {
      copyLedger(path, 'postgres://hcert@127.0.0.1:1/db')
    } catch (err) {
      thrown = err as typeof thrown
    }
    expect(thrown.code).toBe('ERR_LEDGER')
    expect(thrown.message).toMatch(/is damaged or not complete \(its rejections table is missing\)/)
  })
})
