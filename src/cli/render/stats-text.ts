/** Ledger figures for a person: totals, the issuance curve as a bar chart, breakdowns. */
import type { ChalkInstance } from 'chalk'
import type { Count } from '../../ledger/stats.js'
import type { StatsResult } from '../../services/stats.js'
import { terminalText } from './terminal-text.js'

const fmt = (n: number): string => n.toLocaleString('en-US')

/** Bars of `rows`, each label made safe for the terminal (an issuer or product is ledger text). */
export function barChart(given: ReadonlyArray<{ label: string; count: number }>, width = 40): string[] {
  const rows = given.map((r) => ({ label: terminalText(r.label), count: r.count }))
  const max = Math.max(1, ...rows.map((r) => r.count))
  const labelWidth = Math.max(...rows.map((r) => r.label.length), 1)
  const countWidth = Math.max(...rows.map((r) => fmt(r.count).length), 1)
  return rows.map((r) => {
    const exact = (r.count / max) * width
    const full = Math.floor(exact)
    const bar = '█'.repeat(full) + (exact - full >= 0.5 ? '▌' : '')
    return `  ${r.label.padEnd(labelWidth)}  ${fmt(r.count).padStart(countWidth)}  ${bar}`
  })
}

export function renderStats(stats: StatsResult, periodName: string, c: ChalkInstance): string {
  const t = stats.totals
  const lines = [
    c.bold('Totals'),
    `  issued ${fmt(t.issued)} · renewed ${fmt(t.renewed)} · active ${fmt(t.active)} · expired ${fmt(t.expired)} · expiring within 30 days ${fmt(t.expiringSoon)} · superseded ${fmt(t.superseded)} · rejected records ${fmt(t.rejected)} (not issued since)${t.rejectedSinceIssued ? ` · rejected, then fixed and issued ${fmt(t.rejectedSinceIssued)}` : ''}`,
  ]
  if (stats.topRejections.length > 0) {
    lines.push('', c.bold('Top rejection reasons'))
    for (const r of stats.topRejections)
      lines.push(`  ${fmt(r.count).padStart(7)}  ${terminalText(`${r.field}: ${r.reason}`)}`)
  }
  if (stats.perPeriod.length > 0) {
    lines.push(
      '',
      c.bold(`Certificates signed per ${periodName}`),
      ...barChart(stats.perPeriod.map((p) => ({ label: p.key, count: p.count }))),
    )
  }
  const section = (title: string, rows: ReadonlyArray<Count & { name?: string }>): void => {
    if (rows.length === 0) return
    lines.push(
      '',
      c.bold(title),
      ...barChart(
        rows.slice(0, 15).map((r) => ({
          label: r.key === '' ? 'none' : r.name && r.name !== r.key ? `${r.name} (${r.key})` : r.key,
          count: r.count,
        })),
        30,
      ),
    )
    if (rows.length > 15) lines.push(c.dim(`  … ${rows.length - 15} more (--json lists them all)`))
  }
  section('By type', stats.byType)
  section('By product', stats.byProduct)
  section('By dose number', stats.byDose)
  section('By country', stats.byCountry)
  section('By issuer', stats.byIssuer)
  section('By signing key (kid)', stats.byKid)
  lines.push('', c.dim(`(${(stats.seconds * 1000).toFixed(0)} ms)`))
  return lines.join('\n')
}
