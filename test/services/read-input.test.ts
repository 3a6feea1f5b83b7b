/**
 * Certificate text as people paste it: a byte order mark or a no-break space in front, `HC1:`
 * mistyped. Such text is read as text (decoded with a warning, or ERR_PREFIX naming the typo),
 * never taken for a missing file and echoed back in the error (before: `input: <the whole
 * certificate> does not exist`).
 */
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { decodeCertificate } from '../../src/services/decode.js'
import { readArgumentItems, readCertificateInput } from '../../src/services/read-input.js'
import { vector } from '../helpers/vectors.js'

const HC1 = vector('AT/2DCode/raw/1.json').PREFIX as string
const BARE = HC1.slice(4)
const noStdin = Readable.from([])

async function errorOf(arg: string): Promise<{ code: string; message: string }> {
  try {
    decodeCertificate(await readCertificateInput(arg, noStdin))
  } catch (err) {
    return err as { code: string; message: string }
  }
  throw new Error('no error')
}

describe('pasted certificate text is text, not a missing file', () => {
  it.each([
    ['a byte order mark', '\ufeff', 'byte order mark'],
    ['a no-break space', '\u00a0', 'no-break space'],
    ['spaces and a tab', '  \t', '2 × space, tab'],
  ])('%s in front: decoded, with a warning naming it', async (_, before, named) => {
    const input = await readCertificateInput(`${before}${HC1}`, noStdin)
    expect(input.text).toBe(HC1)
    expect(input.warnings).toEqual([
      `whitespace around the certificate text was trimmed (before it: ${named}); verifier apps refuse a QR code whose text has it`,
    ])
    expect(decodeCertificate(input).claims.iss).toBe('AT')
  })

  it.each(['HCl:', 'HCI:', '\ufeffHCl:'])(
    '%s…: ERR_PREFIX naming the likely typo; the text is not echoed',
    async (prefix) => {
      const error = await errorOf(`${prefix}${BARE}`)
      expect(error.code).toBe('ERR_PREFIX')
      expect(error.message).toMatch(/likely a typo for 'HC1:'/)
      expect(error.message).not.toContain(BARE.slice(0, 12))
    },
  )

  it('bare base45 with a stray character is read as text (ERR_PREFIX without a hint that cannot work), not echoed', async () => {
    const damaged = `${BARE.slice(0, 30)}a${BARE.slice(30)}`
    const error = await errorOf(damaged)
    expect(error.code).toBe('ERR_PREFIX')
    expect(error.message).toBe("prefix: the text does not start with 'HC1:'")
    // bare base45 that gets through zlib: the hint can succeed, so it is given
    expect((await errorOf(BARE)).message).toMatch(/pass --allow-missing-prefix/)
  })

  it('a path that does not exist is still ERR_INPUT naming it; a long one is not echoed', async () => {
    expect(await errorOf('certs/missing.txt')).toMatchObject({
      code: 'ERR_INPUT',
      message: 'input: certs/missing.txt does not exist (read as a file path)',
    })
    const long = `${'dir/'.repeat(60)}missing.txt`
    const [item] = await readArgumentItems(long)
    expect(item?.error).toMatchObject({
      code: 'ERR_INPUT',
      message: `input: the argument (${long.length} characters, read as a file path) does not exist`,
    })
  })
})
