/**
 * Round 9 of testers: a read-only open (ledger copy, stats, export) that closes last, after the run
 * that made the -wal finished, leaves no -wal or -shm behind: the newest commits are checkpointed
 * into the ledger file, so a backup of the .sqlite alone holds them. With real processes: the
 * writer is another process, as an `issue` finishing while `ledger copy` reads.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { openReadOnly } from '../../src/ledger/ledger-file.js'

const require = createRequire(import.meta.url)
const tmp = mkdtempSync(join(tmpdir(), 'hcert-ro-close-wal-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** a process that opens `file` read-write, commits a write (making the -wal), says "ready", and closes on stdin's end */
const WRITER = `
const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))})
const db = new Database(process.argv[1])
db.exec("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
db.prepare("INSERT INTO probe VALUES (?)").run(42)
process.stdout.write('ready\\n')
process.stdin.on('end', () => { db.close(); process.stdout.write('closed\\n') })
process.stdin.resume()
`

describe('a read-only connection that closes last', () => {
  it("leaves no -wal or -shm, and the writer's commit is in the ledger file", async () => {
    const file = join(tmp, 'ledger.sqlite')
    new Ledger(file).close()
    const writer = spawn(process.execPath, ['-e', WRITER, file], { stdio: ['pipe', 'pipe', 'inherit'] })
    let out = ''
    const said = (word: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (out.includes(word) ? resolve() : undefined)
        writer.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          check()
        })
        writer.on('exit', () => (out.includes(word) ? resolve() : reject(new Error(`writer: ${out}`))))
        check()
      })
    await said('ready')
    expect(existsSync(`${file}-wal`)).toBe(true)
    // the writer's -wal is there: opened SQLITE_OPEN_READONLY
    const reader = openReadOnly(file, 5_000)
    expect(reader.readonly).toBe(true)
    expect(reader.prepare('SELECT n FROM probe').pluck().get()).toBe(42)
    // the writer finishes first: its close is not the last, the -wal stays for now
    writer.stdin.end()
    await said('closed')
    expect(existsSync(`${file}-wal`)).toBe(true)
    reader.close()
    expect(existsSync(`${file}-wal`)).toBe(false)
    expect(existsSync(`${file}-shm`)).toBe(false)
    // the commit lives in the ledger file itself
    const check = new Database(file, { readonly: true })
    try {
      expect(check.prepare('SELECT n FROM probe').pluck().get()).toBe(42)
    } finally {
      check.close()
    }
  }, 30_000)
})
