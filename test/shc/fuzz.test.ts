/**
 * Seeded mutation fuzzing of the SMART Health Card read path: the `shc:/` text, the JWS, the
 * compressed payload, and the payload's structure (signed anew, so that the claim and bundle checks
 * and the renderer meet it). Every input must give a result or a coded DccError, never another
 * exception.
 */
import { deflateRawSync } from 'node:zlib'
import { Chalk } from 'chalk'
import { beforeAll, describe, expect, it } from 'vitest'
import { renderShc, renderShcLayers } from '../../src/cli/render/shc-text.js'
import { renderVerifyResult } from '../../src/cli/render/verify-text.js'
import { DccError } from '../../src/errors.js'
import { decodeShc } from '../../src/shc/decode-shc.js'
import { ShcKeySet } from '../../src/shc/jwks.js'
import { verifyShc } from '../../src/shc/verify-shc.js'
import { mutate, seeded } from '../helpers/random.js'
import { cardPayload, chunksOf, makeIssuer, NBF, shcOf, signCard, type Issuer } from '../helpers/shc.js'

const c = new Chalk({ level: 0 })
const NOW = new Date((NBF + 86400) * 1000)
let issuer: Issuer
let keys: ShcKeySet
let jws: string

beforeAll(async () => {
  issuer = await makeIssuer()
  keys = new ShcKeySet()
  const { importJWK } = await import('jose')
  keys.add({
    kid: issuer.kid,
    thumbprint: issuer.kid,
    key: await importJWK(issuer.jwk, 'ES256'),
    where: 'test',
  })
  jws = await signCard(cardPayload(), issuer)
})

/** decode and verify the texts of one card: a result, or a DccError from decode; never anything else */
async function readAll(texts: string[]): Promise<void> {
  try {
    const decoded = decodeShc(texts, 'fuzz', { layers: true })
    renderShc(decoded, NOW, c)
    if (decoded.layers) renderShcLayers(decoded.layers, c)
  } catch (err) {
    if (!(err instanceof DccError)) throw err
  }
  const verified = await verifyShc(texts, { keys, now: NOW })
  renderVerifyResult({ source: 'fuzz', ...verified }, NOW, c, true)
  expect(verified.valid).toBe(verified.errors.length === 0)
}

const ROUNDS = 250

describe('fuzzing the SMART Health Card read path', () => {
  it('the shc:/ text', async () => {
    const next = seeded(15001)
    const text = Buffer.from(shcOf(jws), 'latin1')
    for (let i = 0; i < ROUNDS; i++) await readAll([mutate(text, next(text.length), next).toString('latin1')])
  })

  it('the chunks of a chunked card', async () => {
    const next = seeded(15002)
    const chunks = chunksOf(jws, 3)
    for (let i = 0; i < ROUNDS; i++) {
      const which = next(3)
      const chunk = Buffer.from(chunks[which] as string, 'latin1')
      const texts = [...chunks]
      texts[which] = mutate(chunk, next(chunk.length), next).toString('latin1')
      if (next(4) === 0) texts.splice(next(3), 1)
      await readAll(texts)
    }
  })

  it('the JWS', async () => {
    const next = seeded(15003)
    const bytes = Buffer.from(jws, 'latin1')
    for (let i = 0; i < ROUNDS; i++) {
      const mutated = mutate(bytes, next(bytes.length), next).toString('latin1')
      // only what numeric mode can carry ('-'..'z'); other characters are the numeric layer's
      if (/^[-.0-9A-Za-z_:;<=>?@[\\\]^`]*$/.test(mutated)) await readAll([shcOf(mutated)])
    }
  })

  it('the compressed payload, signed', async () => {
    const next = seeded(15004)
    const compressed = deflateRawSync(Buffer.from(JSON.stringify(cardPayload())))
    for (let i = 0; i < 60; i++) {
      const payloadBytes = mutate(compressed, next(compressed.length), next)
      await readAll([shcOf(await signCard(null, issuer, { payloadBytes }))])
    }
  })

  it('the payload structure, signed', async () => {
    const next = seeded(15005)
    const odd: unknown[] = [null, 0, -1, 1e300, '', 'x', [], {}, [null], { resourceType: 7 }, true]
    for (let i = 0; i < 80; i++) {
      const payload = cardPayload()
      // walk to a random node and replace it
      let node: Record<string, unknown> = payload
      for (let depth = 0; depth < 1 + next(8); depth++) {
        const keysHere = Object.keys(node)
        const key = keysHere[next(keysHere.length)]
        if (key === undefined) break
        const child = node[key]
        if (typeof child !== 'object' || child === null || next(3) === 0) {
          node[key] = odd[next(odd.length)]
          break
        }
        node = child as Record<string, unknown>
      }
      await readAll([shcOf(await signCard(payload, issuer))])
    }
  })
})
