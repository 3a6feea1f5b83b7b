/**
 * A health link decoded, never fetched (HL7 SMART Health Links IG 1.0.0, "SHLink Payload"): given
 * bare or inside a viewer URL (`https://viewer/#shlink:/…`), the viewer is kept and shown.
 */
import { describe, expect, it } from 'vitest'
import { describeWhoPayload } from '../../src/gdhcn/describe-who.js'
import { decodeHealthLink } from '../../src/gdhcn/health-link.js'

const PAYLOAD = Buffer.from(
  JSON.stringify({ url: 'https://example.org/m/abc', key: 'k'.repeat(43), flag: 'L' }),
).toString('base64url')

describe('decodeHealthLink', () => {
  it('a bare link has no viewer', () => {
    const decoded = decodeHealthLink(`shlink:/${PAYLOAD}`)
    expect(decoded).toEqual({
      link: { scheme: 'shlink', url: 'https://example.org/m/abc', key: 'k'.repeat(43), flag: 'L' },
    })
  })
  it('a link inside a viewer URL keeps the viewer, which decode shows as its own field', () => {
    const uri = `https://viewer.example.org/view#vhlink:/${PAYLOAD}`
    const decoded = decodeHealthLink(uri)
    expect(decoded).toMatchObject({ link: { scheme: 'vhlink', viewer: 'https://viewer.example.org/view' } })
    const fields = describeWhoPayload('link', { uri })[0]?.fields ?? []
    expect(fields).toContainEqual(
      expect.objectContaining({ label: 'Viewer URL', value: 'https://viewer.example.org/view' }),
    )
    expect(fields).toContainEqual(
      expect.objectContaining({ label: 'Manifest URL', value: 'https://example.org/m/abc' }),
    )
  })
})
