/** A progress line on stderr with rate and ETA, only when stderr is a terminal. */
export class Progress {
  private readonly started = performance.now()
  private last = 0
  private readonly enabled: boolean

  constructor(
    private readonly total: number | undefined,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY) && total !== undefined
  }

  update(done: number): void {
    if (!this.enabled) return
    const now = performance.now()
    if (now - this.last < 100 && done !== this.total) return
    this.last = now
    const seconds = (now - this.started) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    const width = 30
    let bar = ''
    let eta = ''
    if (this.total) {
      const filled = Math.min(width, Math.round((done / this.total) * width))
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.min(100, Math.floor((done / this.total) * 100))}% `
      if (rate > 0) eta = ` ETA ${formatSeconds((this.total - done) / rate)}`
    }
    this.stream.write(
      `\r${bar}${done.toLocaleString('en-US')}${this.total ? `/${this.total.toLocaleString('en-US')}` : ''} records, ${Math.round(rate).toLocaleString('en-US')}/s${eta}   `,
    )
  }

  finish(): void {
    if (this.enabled) this.stream.write('\n')
  }
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`
}
