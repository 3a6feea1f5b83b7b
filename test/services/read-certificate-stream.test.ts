/** stdin read as lines ends in bounded time, even when a line never ends (/dev/zero, a binary stream). */
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readCertificateStream } from '../../src/services/read-certificate-stream.js'
import { MAX_INPUT_BYTES } from '../../src/services/read-input.js'

describe('reading certificates from stdin', () => {
  it('an endless stream of NULs with no line end is ERR_INPUT once past the input cap, and reading stops', async () => {
    let sent = 0
    const zeros = new Readable({
      read() {
        sent += 1 << 20
        // endless, as /dev/zero; a guard ends the stream far past the cap so a regression fails, not hangs
        this.push(sent > 4 * MAX_INPUT_BYTES ? null : Buffer.alloc(1 << 20))
      },
    })
    const items = []
    for await (const item of readCertificateStream(zeros)) items.push(item)
    expect(items.map((i) => [i.source, i.error?.code])).toEqual([['stdin:1', 'ERR_INPUT']])
    expect(items[0]?.error?.message).toContain('without a line end')
    expect(sent).toBeLessThan(2 * MAX_INPUT_BYTES)
  })
})
