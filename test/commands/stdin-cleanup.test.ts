/**
 * Round 9, finding 1: a file given on stdin (`< .out.jsonl.<pid>.<hex>.partial`) whose name looks
 * like a temporary file a killed run left is an input the run uses: neither the cleanup beside
 * `--out` nor the `--qr-dir` sweep removes it. Real processes, stdin redirected from the file.
 */
import { spawnSync } from 'node:child_process'
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

vi.setConfig({ testTimeout: 180_000 })

const EXAMPLE_CSV = join(import.meta.dirname, '..', '..', 'examples', 'batch.csv')
/** a pid no process has now: a child that has exited */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid ?? 99999

/** runs the CLI in `cwd` with stdin redirected from `input` (a regular file, as `< input`) */
function runWithStdin(cwd: string, input: string, args: string[]): { code: number | null; stderr: string } {
  const fd = openSync(input, 'r')
  try {
    const result = spawnSync(process.execPath, [BIN, ...args], {
      cwd,
      stdio: [fd, 'pipe', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    })
    return { code: result.status, stderr: result.stderr }
  } finally {
    closeSync(fd)
  }
}

describe('stdin named like a stale temporary file', () => {
  it('issue - --out and issue - --qr-dir keep it; renew - --out keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-stdin-sweep-'))
    const keys = ['--key-dir', KEYS_EXAMPLE, '--ledger', 'l.sqlite']

    const besideOut = join(dir, `.out.jsonl.${deadPid()}.abcdef123456.partial`)
    copyFileSync(EXAMPLE_CSV, besideOut)
    const issued = runWithStdin(dir, besideOut, [
      'issue',
      '-',
      '--format',
      'csv',
      ...keys,
      '--out',
      'out.jsonl',
    ])
    expect([0, 4], issued.stderr).toContain(issued.code)
    expect(existsSync(besideOut)).toBe(true)
    expect(readFileSync(besideOut)).toEqual(readFileSync(EXAMPLE_CSV))

    mkdirSync(join(dir, 'q2'))
    const inQrDir = join(dir, 'q2', `.z.png.${deadPid()}.abcdef123456.partial`)
    copyFileSync(EXAMPLE_CSV, inQrDir)
    const images = runWithStdin(dir, inQrDir, [
      'issue',
      '-',
      '--format',
      'csv',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      'l2.sqlite',
      '--qr-dir',
      'q2',
    ])
    expect([0, 4], images.stderr).toContain(images.code)
    expect(existsSync(inQrDir)).toBe(true)

    const renewInput = join(dir, `.r.jsonl.${deadPid()}.abcdef123456.partial`)
    const hc1 = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) =>
        Object.values(JSON.parse(line) as Record<string, unknown>).find((v) => String(v).startsWith('HC1:')),
      )
    expect(hc1.length).toBeGreaterThan(0)
    writeFileSync(renewInput, hc1.join('\n') + '\n')
    const renewed = runWithStdin(dir, renewInput, [
      'renew',
      '-',
      '--trust',
      join(KEYS_EXAMPLE, 'trust-list.json'),
      '--expiring-within',
      '99999d',
      ...keys,
      '--out',
      'r.jsonl',
    ])
    expect(renewed.code, renewed.stderr).toBe(0)
    expect(existsSync(renewInput)).toBe(true)
  })
})
