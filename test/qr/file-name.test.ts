import { describe, expect, it } from 'vitest'
import { fileNameFor } from '../../src/qr/write-qr.js'

describe('fileNameFor: QR image names, one per UVCI', () => {
  it('keeps the UVCI readable and maps the characters a file name cannot hold one to one', () => {
    expect(fileNameFor('URN:UVCI:01:VN:MOH/ABC#X')).toBe('URN_UVCI_01_VN_MOH%2FABC%23X')
    expect(fileNameFor('URN:UVCI:01:VN:ABC_123_X')).toBe('URN_UVCI_01_VN_ABC%5F123%5FX')
  })

  it('never gives two UVCIs one name, even on a file system that ignores case', () => {
    const uvcis = [
      'URN:UVCI:01:VN:ABC/123#X',
      'URN:UVCI:01:VN:ABC_123_X',
      'URN:UVCI:01:VN:ABC:123:X',
      'URN:UVCI:01:VN:ABC%2F123%23X',
      'URN:UVCI:01:VN:abc/123#x',
      'URN:UVCI:01:VN:ABC/123#x',
      'URN:UVCI:01:VN:ÁBC/123#X',
      '../../etc/passwd',
      `URN:UVCI:01:VN:${'A'.repeat(300)}1`,
      `URN:UVCI:01:VN:${'A'.repeat(300)}2`,
    ]
    const names = uvcis.map(fileNameFor)
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(uvcis.length)
    for (const name of names) {
      expect(name).toMatch(/^[A-Z0-9_%~a-f-]+$/)
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200)
    }
  })
})
