/** Verification results for a person: VALID or INVALID first, then each failed check in words. */
import type { ChalkInstance } from 'chalk'
import { relativeTime } from '../../dcc/describe.js'
import type { SourcedVerifyResult } from '../../services/verify.js'
import { terminalText as safe } from './terminal-text.js'

export function renderVerifyResult(
  result: SourcedVerifyResult,
  now: Date,
  c: ChalkInstance,
  showSource: boolean,
): string {
  const where = showSource ? `  ${c.dim(safe(result.source))}` : ''
  if (result.valid) {
    const signerTrust = 'signerTrust' in result ? result.signerTrust : undefined
    const exp = result.claims?.exp
    const detail = safe(
      [
        result.alg,
        result.kid && `kid ${result.kid}`,
        result.signer && `signed by ${result.signer}`,
        signerTrust && `GDHCN ${[signerTrust.domain, signerTrust.usage].filter(Boolean).join(' ')}`,
        result.kind && result.kind !== 'dcc' && `kind ${result.kind}`,
        exp !== undefined && `expires ${relativeTime(exp, now)}`,
      ]
        .filter(Boolean)
        .join(', '),
    )
    const lines = [`${c.green.bold('VALID')}${where}`, c.dim(`  ${detail}`)]
    for (const w of result.warnings) lines.push(c.yellow(`  warning (${w.check}): ${safe(w.message)}`))
    return lines.join('\n')
  }
  const lines = [`${c.red.bold('INVALID')}${where}`]
  for (const e of result.errors)
    lines.push(`  ${c.red('✗')} ${e.check} ${c.dim(`[${e.code}]`)} ${safe(e.message)}`)
  const skipped = Object.entries(result.checks)
    .filter(([, s]) => s === 'skipped')
    .map(([name]) => name)
  if (skipped.length > 0 && result.errors.length > 0)
    lines.push(c.dim(`  not checked: ${skipped.join(', ')}`))
  for (const w of result.warnings) lines.push(c.yellow(`  warning (${w.check}): ${safe(w.message)}`))
  return lines.join('\n')
}
