/** Durations as people write them for certificate validity: `12m` (months), `365d`, `4y`, `36h`. */
export interface Duration {
  amount: number
  unit: 'y' | 'm' | 'd' | 'h'
}

const DURATION = /^(\d{1,5})\s*(y|m|d|h)$/i

export function parseDuration(text: string): Duration | undefined {
  const m = DURATION.exec(text.trim())
  if (!m) return undefined
  const amount = Number(m[1])
  if (amount <= 0) return undefined
  return { amount, unit: (m[2] as string).toLowerCase() as Duration['unit'] }
}

/** Calendar arithmetic in UTC: 12 months after 31 January is the last day of the next January, not a fixed number of days. */
export function addDuration(date: Date, duration: Duration): Date {
  const d = new Date(date.getTime())
  switch (duration.unit) {
    case 'h':
      return new Date(d.getTime() + duration.amount * 3_600_000)
    case 'd':
      return new Date(d.getTime() + duration.amount * 86_400_000)
    case 'm':
    case 'y': {
      const months = duration.unit === 'y' ? duration.amount * 12 : duration.amount
      const day = d.getUTCDate()
      d.setUTCDate(1)
      d.setUTCMonth(d.getUTCMonth() + months)
      const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
      d.setUTCDate(Math.min(day, lastDay))
      return d
    }
  }
}

export function formatDuration(duration: Duration): string {
  const names = { y: 'year', m: 'month', d: 'day', h: 'hour' } as const
  return `${duration.amount} ${names[duration.unit]}${duration.amount === 1 ? '' : 's'}`
}
