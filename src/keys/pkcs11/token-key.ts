/**
 * Document-signer key pairs inside a PKCS#11 token: generated there (private key sensitive, never
 * extractable, a token object behind the user PIN), found again by label and CKA_ID, and the public
 * half read out as a node KeyObject (for the DSC certificate and for checking each signature).
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto'
import type { SupportedAlg } from '../../cose/algorithms.js'
import { DccError } from '../../errors.js'
import { ckr, type Handle, type TokenSession } from './token.js'

/** DER of the P-256 OID (1.2.840.10045.3.1.7), CKA_EC_PARAMS of an ES256 key */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex')
/** SubjectPublicKeyInfo of a P-256 key up to its 65-byte uncompressed point (RFC 5480) */
const P256_SPKI_HEAD = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex')

export interface TokenKey {
  privateKey: Handle
  publicKey: KeyObject
  /** CKA_LABEL */
  label: string
  /** CKA_ID, hex */
  id: string
}

function find(t: TokenSession, template: Array<{ type: number; value: number | Buffer | string }>): Handle[] {
  t.lib.C_FindObjectsInit(t.session, template)
  try {
    return t.lib.C_FindObjects(t.session, 16)
  } finally {
    t.lib.C_FindObjectsFinal(t.session)
  }
}

/**
 * A new key pair in the token: P-256 for ES256, RSA of `rsaBits` (exponent 65537) for PS256. The
 * private key has CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true and CKA_EXTRACTABLE false: it can sign
 * and do nothing else. ERR_KEYS when the label is taken or the token refuses.
 */
export function generateTokenKey(
  t: TokenSession,
  alg: SupportedAlg,
  rsaBits: number,
  label: string,
): TokenKey {
  const { p } = t
  if (find(t, [{ type: p.CKA_LABEL, value: label }]).length > 0)
    throw new DccError(
      'ERR_KEYS',
      `keys: token '${t.token}' already holds a key labelled '${label}'; choose another --key-label (an existing key is never replaced)`,
    )
  const id = randomBytes(8)
  const common = [
    { type: p.CKA_TOKEN, value: true },
    { type: p.CKA_LABEL, value: label },
    { type: p.CKA_ID, value: id },
  ]
  const publicTemplate =
    alg === 'ES256'
      ? [...common, { type: p.CKA_VERIFY, value: true }, { type: p.CKA_EC_PARAMS, value: P256_PARAMS }]
      : [
          ...common,
          { type: p.CKA_VERIFY, value: true },
          { type: p.CKA_MODULUS_BITS, value: rsaBits },
          { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ]
  const privateTemplate = [
    ...common,
    { type: p.CKA_PRIVATE, value: true },
    { type: p.CKA_SENSITIVE, value: true },
    { type: p.CKA_EXTRACTABLE, value: false },
    { type: p.CKA_SIGN, value: true },
  ]
  let pair: { privateKey: Handle; publicKey: Handle }
  try {
    pair = t.lib.C_GenerateKeyPair(
      t.session,
      { mechanism: alg === 'ES256' ? p.CKM_EC_KEY_PAIR_GEN : p.CKM_RSA_PKCS_KEY_PAIR_GEN },
      publicTemplate,
      privateTemplate,
    )
  } catch (cause) {
    throw new DccError(
      'ERR_KEYS',
      `keys: token '${t.token}' could not generate a ${alg} key pair (${ckr(cause) ?? 'error'})`,
      { cause },
    )
  }
  // two runs given the same label at once both passed the check above: whoever finds an object of
  // another CKA_ID under the label now undoes its own pair (at most one run keeps the label, maybe none)
  const others = guarded(t, `looking up the keys labelled '${label}'`, () =>
    find(t, [{ type: p.CKA_LABEL, value: label }]).filter((h) => {
      const [attribute] = t.lib.C_GetAttributeValue(t.session, h, [{ type: p.CKA_ID }])
      return !attribute?.value?.equals(id)
    }),
  )
  if (others.length > 0) {
    for (const handle of [pair.privateKey, pair.publicKey]) {
      try {
        t.lib.C_DestroyObject(t.session, handle)
      } catch {
        // the refusal below is what matters; a leftover is named there by its CKA_ID
      }
    }
    throw new DccError(
      'ERR_KEYS',
      `keys: token '${t.token}' got another key labelled '${label}' while this one was made (another keys generate at the same time?); the new key pair (CKA_ID ${id.toString('hex')}) was removed again. Choose another --key-label, or run again once the other run has finished`,
    )
  }
  return {
    privateKey: pair.privateKey,
    publicKey: publicKeyOf(t, pair.publicKey, alg),
    label,
    id: id.toString('hex'),
  }
}

/**
 * The private key labelled `label` with CKA_ID `id`, and its public key read as the token stores it
 * (CKA_KEY_TYPE CKK_EC on P-256, or CKK_RSA), whatever `alg` the certificate has: the caller compares
 * it with the certificate's key, so a key of the other algorithm is "does not belong". ERR_KEYS when
 * the key is not there, is of a type hcert does not sign with, or the token refuses to show it.
 */
export function findTokenKey(t: TokenSession, label: string, id: string): TokenKey {
  const { p } = t
  const byLabel = (cls: number): Handle[] =>
    guarded(t, `looking up the key labelled '${label}'`, () =>
      find(t, [
        { type: p.CKA_CLASS, value: cls },
        { type: p.CKA_LABEL, value: label },
        { type: p.CKA_ID, value: Buffer.from(id, 'hex') },
      ]),
    )
  const [privateKey] = byLabel(p.CKO_PRIVATE_KEY)
  const [publicKey] = byLabel(p.CKO_PUBLIC_KEY)
  if (!privateKey || !publicKey)
    throw new DccError(
      'ERR_KEYS',
      `keys: token '${t.token}' holds no ${privateKey ? 'public' : 'private'} key labelled '${label}' (CKA_ID ${id}); was it deleted, or is this key directory for another token?`,
    )
  const privateType = keyTypeOf(t, privateKey, label)
  const publicType = keyTypeOf(t, publicKey, label)
  if (privateType !== publicType)
    throw new DccError(
      'ERR_KEYS',
      `keys: token '${t.token}' holds a private and a public key labelled '${label}' (CKA_ID ${id}) of different types; they are not one key pair`,
    )
  return { privateKey, publicKey: publicKeyOf(t, publicKey, keyAlg(t, publicType, label)), label, id }
}

/** A token call's PKCS#11 failure (a CKR_ code) as ERR_KEYS naming `what` was being done. */
function guarded<T>(t: TokenSession, what: string, run: () => T): T {
  try {
    return run()
  } catch (cause) {
    if (cause instanceof DccError) throw cause
    throw new DccError(
      'ERR_KEYS',
      `keys: token '${t.token}': ${what} failed (${ckr(cause) ?? 'error'}); is it a key pair made by hcert keys generate?`,
      { cause },
    )
  }
}

function keyTypeOf(t: TokenSession, handle: Handle, label: string): number {
  const [attribute] = guarded(t, `reading the type of the key labelled '${label}'`, () =>
    t.lib.C_GetAttributeValue(t.session, handle, [{ type: t.p.CKA_KEY_TYPE }]),
  )
  const value = attribute?.value
  return value && value.length > 0 ? value.readUIntLE(0, Math.min(value.length, 6)) : -1
}

/** the algorithm a key of CKA_KEY_TYPE `type` signs with; ERR_KEYS for any other type */
function keyAlg(t: TokenSession, type: number, label: string): SupportedAlg {
  if (type === t.p.CKK_EC) return 'ES256'
  if (type === t.p.CKK_RSA) return 'PS256'
  throw new DccError(
    'ERR_KEYS',
    `keys: the key labelled '${label}' in token '${t.token}' is neither an EC nor an RSA key (CKA_KEY_TYPE 0x${type.toString(16)}); hcert signs with ES256 (P-256) or PS256 (RSA) keys only`,
  )
}

function publicKeyOf(t: TokenSession, handle: Handle, alg: SupportedAlg): KeyObject {
  const { p } = t
  const value = (type: number): Buffer => {
    const [attribute] = guarded(t, 'reading the public key', () =>
      t.lib.C_GetAttributeValue(t.session, handle, [{ type }]),
    )
    return attribute?.value ?? Buffer.alloc(0)
  }
  if (alg === 'ES256') {
    // CKA_EC_POINT is the DER OCTET STRING of the point (some modules give the bare point)
    let point = value(p.CKA_EC_POINT)
    if (point.length === 67 && point[0] === 0x04 && point[1] === 0x41) point = point.subarray(2)
    if (point.length !== 65 || point[0] !== 0x04)
      throw new DccError('ERR_KEYS', `keys: token '${t.token}' gave a public key that is not a P-256 point`)
    return createPublicKey({ key: Buffer.concat([P256_SPKI_HEAD, point]), format: 'der', type: 'spki' })
  }
  const b64 = (b: Buffer): string => b.toString('base64url')
  try {
    return createPublicKey({
      key: { kty: 'RSA', n: b64(value(p.CKA_MODULUS)), e: b64(value(p.CKA_PUBLIC_EXPONENT)) },
      format: 'jwk',
    })
  } catch (cause) {
    if (cause instanceof DccError) throw cause
    throw new DccError('ERR_KEYS', `keys: token '${t.token}' gave an RSA public key that cannot be read`, {
      cause,
    })
  }
}
