/**
 * `hcert renew`: certificates that expired or are about to are issued again without the holder asking:
 * the same health content, re-signed with the current DSC, a new iat and exp, and a new UVCI.
 *
 * Why a new UVCI: the UVCI identifies one certificate, and revocation lists carry hashes of it; if
 * the renewal kept it, revoking either certificate would revoke both, and the ledger could not tell
 * them apart. The renewal records which certificate it replaces, and the old one is marked superseded.
 *
 * Only the latest certificate of a holder for the same event is renewed, and a certificate is renewed
 * once: its renewal's idempotency key is `renew:<old UVCI>`, and a superseded certificate is never due.
 */
import { holderEventKey, holderParts } from '../dcc/holder-event.js'
import { certificateTypes } from '../dcc/types.js'
import { checkWhoSchema } from '../gdhcn/check-who-schema.js'
import { holderEventOf, sameHolderOf } from '../issue/icvp-holder-event.js'
import { ISSUE_TYPE_NAMES, issuableTypes, type IssueType } from '../issue/issue-types.js'
import { makeUvci } from '../dcc/uvci.js'
import { DccError } from '../errors.js'
import { signHc1 } from '../hcert/sign-hc1.js'
import { verifyHc1 } from '../hcert/verify-hc1.js'
import type { Signer } from '../keys/signer.js'
import { contentFingerprint } from '../ledger/content-fingerprint.js'
import { contentOf, damagedRow, type IssuedRow, type StoredCertificate } from '../ledger/ledger.js'
import { assignedCountryCode } from '../dcc/country.js'
import { forbiddenCharacter, standardText } from '../issue/clean-text.js'
import { newOwner, releaseRun, reserveKeys, type LedgerStore as Ledger } from '../ledger/store.js'
import { validateSchema } from '../dcc/schema.js'
import { tooDeep } from '../issue/record-depth.js'
import { idOfKey } from '../issue/prepare-chunk.js'
import { qrWriter } from '../qr/load-qr-writer.js'
import type { Duration } from '../time/duration.js'
import type { TrustList } from '../trust/trust-list.js'
import { expiresBeforeReplaced, signingWindow } from '../issue/signing-window.js'

export interface RenewedCertificate {
  /** the `id` of the input record the renewed certificate was first issued for, when it had one */
  id?: string
  uvci: string
  replaces: string
  type: string
  iat: number
  exp: number
  hc1: string
}

export interface RenewOutcome {
  source: string
  uvci: string | null
  reason: string
  code?: string
}

/** A certificate a dry run would renew. */
export interface DueCertificate {
  uvci: string
  type: string
  /** its expiry, seconds since the epoch */
  exp: number
}

export interface RenewReport {
  /** with --dry-run, nothing signed or written: see wouldRenew */
  dryRun: boolean
  renewed: number
  /**
   * certificates of this selection (or given) that an earlier run renewed: their current renewal is
   * written out again (--out, stdout), so that a re-run's, or a resume's, output is complete
   */
  alreadyRenewed: number
  /** with --dry-run: what would be renewed */
  wouldRenew?: DueCertificate[]
  /** set when the run was stopped by this signal: the renewals committed before it are counted and written */
  interrupted?: string
  skipped: RenewOutcome[]
  refused: RenewOutcome[]
  warnings: string[]
  /** every due certificate considered */
  considered: number
}

export interface RenewInput {
  source: string
  text: string
  /** the input could not be read at all */
  error?: DccError
}

export interface RenewOptions {
  ledger: Ledger
  signer: Signer
  /** the clock (--at, else now): iat of the renewals */
  now: Date
  /**
   * the real time now (default: the system clock), whatever `now` says: a renewal that would be
   * expired by then is never signed in place of a certificate still valid then
   */
  realNow?: Date
  validity: Duration
  /** renew what expires at or before this instant (seconds) */
  dueBy: number
  /** renewals and corrections recorded at or after this instant (seconds) are not due (DueFilter) */
  replacedSince?: number
  filter?: { country?: string; type?: string; batch?: string; kid?: string }
  /** renew these certificates (verified against `trust` first) instead of selecting from the ledger */
  inputs?: AsyncIterable<RenewInput>
  trust?: TrustList
  uvciIssuer?: string
  batch: string
  qrDir?: string
  onCertificate?: (certificate: RenewedCertificate) => void
  onProgress?: (considered: number) => void
  /** select and check, but sign, record and write nothing */
  dryRun?: boolean
  /** stops the run between certificates: what is signed is committed and written, then it returns */
  signal?: AbortSignal
}

const CHUNK = 500

export async function renewCertificates(options: RenewOptions): Promise<RenewReport> {
  const { ledger, signer, now } = options
  const { iat, exp, warning } = signingWindow(signer, now, options.validity)
  const dryRun = options.dryRun ?? false
  const realNow = Math.floor((options.realNow ?? new Date()).getTime() / 1000)
  const report: RenewReport = {
    dryRun,
    ...(dryRun ? { wouldRenew: [] } : {}),
    renewed: 0,
    alreadyRenewed: 0,
    skipped: [],
    refused: [],
    warnings: warning ? [warning] : [],
    considered: 0,
  }
  const kid = Buffer.from(signer.kid).toString('base64')
  /** what the DSC's Extended Key Usage lets it sign (HCERT App. A.4): renew refuses the rest, as issue does */
  const mayRenew = issuableTypes(signer.certificate.eku)

  /** this run's name in the ledger's reservations */
  const owner = newOwner()
  /**
   * Reserves the renewal of `old` (its key, `renew:<UVCI>`) before it is signed, so that runs at
   * once, on one machine or several, sign it once between them; then reads it again, since the
   * run that held it may have committed its renewal since it was selected. False: skipped.
   */
  const reserveRenewal = (old: StoredCertificate, source: string): boolean => {
    const { reserved } = reserveKeys(ledger, [`renew:${old.uvci}`], owner)
    if (reserved.size === 0) {
      report.skipped.push({ source, uvci: old.uvci, reason: 'being renewed by another run at the same time' })
      return false
    }
    const current = ledger.findById(old.id)
    if (current && current.supersededBy === null) return true
    report.skipped.push({
      source,
      uvci: old.uvci,
      reason: current ? replacedReason(chainFrom(ledger, current)) : 'already renewed',
    })
    return false
  }
  let pending: Array<{ row: IssuedRow; renewed: RenewedCertificate; source: string }> = []
  const pendingKeys = new Set<string>()
  const commit = async (): Promise<void> => {
    if (pending.length === 0) return
    const batch = pending
    pending = []
    pendingKeys.clear()
    const outcomes = ledger.record(
      batch.map((p) => p.row),
      [],
      now,
      { owner, keys: batch.map((p) => p.row.idempotencyKey) },
    )
    // a certificate another run renewed (or corrected) between this run's selection and its commit
    // is not renewed twice: the other run's renewal stands
    const landed = batch.filter((p, i) => {
      if (!('conflict' in (outcomes[i] ?? {}))) return true
      report.skipped.push({
        source: p.source,
        uvci: p.renewed.replaces,
        reason: 'renewed or corrected by another run at the same time',
      })
      return false
    })
    report.renewed += landed.length
    for (const { renewed } of landed) {
      options.onCertificate?.(renewed)
      if (options.qrDir) await (await qrWriter()).writeQrFiles(options.qrDir, renewed.uvci, renewed.hc1)
    }
    // a turn of the event loop per chunk: a signal (Ctrl-C) is only seen between turns
    await new Promise((resolve) => setImmediate(resolve))
  }

  /** the certificates in force written out again in this run (by id): each once */
  const writtenAgain = new Set<number>()
  /** writes `inForce` out again, as the current certificate of `old`, renewed by an earlier run */
  const writeAgain = async (old: StoredCertificate, inForce: StoredCertificate): Promise<void> => {
    writtenAgain.add(inForce.id)
    const id = idOfKey(ledger.recordKeyOf(old))
    report.alreadyRenewed++
    options.onCertificate?.({
      ...(id !== undefined ? { id } : {}),
      uvci: inForce.uvci,
      replaces: old.uvci,
      type: inForce.type,
      iat: inForce.iat,
      exp: inForce.exp,
      hc1: inForce.hc1,
    })
    if (options.qrDir) await (await qrWriter()).writeQrFiles(options.qrDir, inForce.uvci, inForce.hc1)
  }

  /**
   * `old`, selected from the ledger, was renewed by an earlier run as `renewal`: when that renewal
   * is still current, it is written out again (as issue writes already-issued records again).
   */
  const writeEarlier = async (
    old: StoredCertificate,
    renewal: StoredCertificate | undefined,
  ): Promise<void> => {
    if (dryRun || !renewal || renewal.origin !== 'renew' || renewal.replaces !== old.id) return
    if (renewal.supersededBy !== null || writtenAgain.has(renewal.id)) return
    await writeAgain(old, renewal)
  }

  /**
   * `old` is superseded (given, or selected while another run renewed it). When its chain holds a
   * renewal, it is already renewed: the certificate in force at the end of the chain (that renewal,
   * or what replaced it since: a renewal again, a correction) is written out again, once a run, and
   * counted as already renewed; otherwise (a dry run, a chain of corrections only) it is skipped,
   * naming the certificate in force. Either way one bucket.
   */
  const alreadyReplaced = async (old: StoredCertificate, source: string): Promise<void> => {
    const chain = chainFrom(ledger, old)
    const inForce = chain[chain.length - 1]
    const renewed = chain.some((c) => c.origin === 'renew')
    if (dryRun || !inForce || inForce.supersededBy !== null || !renewed) {
      report.skipped.push({ source, uvci: old.uvci, reason: replacedReason(chain) })
      return
    }
    if (writtenAgain.has(inForce.id)) {
      report.skipped.push({
        source,
        uvci: old.uvci,
        reason:
          givenUvcis.get(old.uvci) === inForce.id
            ? 'given twice: written out once'
            : `${replacedReason(chain)} (written out once, for another certificate given)`,
      })
      return
    }
    givenUvcis.set(old.uvci, inForce.id)
    await writeAgain(old, inForce)
  }
  /** given certificates already renewed, by UVCI: the id of their certificate in force written out */
  const givenUvcis = new Map<string, number>()

  const renewRow = async (old: StoredCertificate, source: string): Promise<void> => {
    report.considered++
    if (pendingKeys.has(old.uvci)) {
      report.skipped.push({ source, uvci: old.uvci, reason: 'given twice: renewed once' })
      return
    }
    if (old.supersededBy !== null) {
      await alreadyReplaced(old, source)
      return
    }
    const latest = laterForSameHolder(ledger, old)
    if (latest) {
      report.skipped.push({
        source,
        uvci: old.uvci,
        reason: `a later certificate for the same holder and event exists (${latest.uvci})`,
      })
      return
    }
    if (old.exp > options.dueBy) {
      report.skipped.push({
        source,
        uvci: old.uvci,
        reason: `not yet due: it expires at ${new Date(old.exp * 1000).toISOString()}`,
      })
      return
    }
    // a backdated clock (--at in the past) makes renewals that expired before they were signed:
    // one never takes the place of a certificate still valid (it would leave the holder with none)
    if (expiresBeforeReplaced(exp, old.exp, realNow)) {
      report.refused.push({
        source,
        uvci: old.uvci,
        code: 'ERR_EXPIRED',
        reason: `its renewal would expire at ${new Date(exp * 1000).toISOString()}, before now (the clock is in the past), while it is still valid: nothing signed`,
      })
      return
    }
    const dcc = storedPayload(old)
    if (dcc instanceof DccError) {
      // a row damaged by hand: refused, named by its row; the other certificates are still renewed
      // (the reason without the error's own "ledger: " prefix: the line already says where it is from)
      report.refused.push({
        source,
        uvci: old.uvci,
        code: dcc.code,
        reason: dcc.message.replace(/^ledger: /, ''),
      })
      return
    }
    // an ICVP has no DCC entry: its country is the ledger's (the CWT iss), its UVCI the ledger's alone
    const icvp = old.type === 'icvp'
    const type: IssueType | undefined = icvp ? 'icvp' : certificateTypes(dcc)[0]
    const entry: Record<string, unknown> | undefined = icvp
      ? { co: old.country }
      : type
        ? (dcc[type] as Array<Record<string, unknown>>)[0]
        : undefined
    if (!type || !entry) {
      report.refused.push({
        source,
        uvci: old.uvci,
        reason: 'the stored payload has no vaccination, test or recovery entry',
      })
      return
    }
    // a clock before the certificate it replaces, or before the event it certifies, would date the
    // renewal before either: it would expire sooner than what it replaces and certify an event yet to come
    const early = datedTooEarly(iat, old, icvp ? undefined : eventDateOf(type, entry))
    if (early) {
      report.refused.push({ source, uvci: old.uvci, code: 'ERR_NOT_YET_VALID', reason: early })
      return
    }
    if (!mayRenew.includes(type)) {
      // signing it would make a certificate verify refuses (ERR_KEY_USAGE), and supersede a valid one
      report.refused.push({
        source,
        uvci: old.uvci,
        code: 'ERR_KEY_USAGE',
        reason: `the signing certificate may not sign ${ISSUE_TYPE_NAMES[type]} certificates (its Extended Key Usage allows ${mayRenew.map((t) => ISSUE_TYPE_NAMES[t]).join(', ')})`,
      })
      return
    }
    // a certificate issue would refuse (a country no UVCI can hold, control characters) is never re-signed
    const unfit = unrenewable(dcc, entry, old.country)
    if (unfit) {
      report.refused.push({ source, uvci: old.uvci, code: 'ERR_SCHEMA', reason: unfit })
      return
    }
    // the issuer as issue now fills it in (NFC, trimmed, runs of spaces one): older runs took it as
    // it was from the DSC's organisation (NFD, `  Mo  H  `)
    if (typeof entry.is === 'string') entry.is = standardText(entry.is)
    const country = assignedCountryCode(String(entry.co ?? old.country)) as string
    // the new UVCI, then the DCC schema as a last guard: a valid certificate is never superseded
    // by one verify would refuse (a UVCI over the schema's 80 characters, say)
    entry.ci = makeUvci(country, options.uvciIssuer)
    const issues = icvp ? [] : validateSchema(dcc)
    if (issues.length > 0) {
      report.refused.push({
        source,
        uvci: old.uvci,
        code: 'ERR_SCHEMA',
        reason: `its renewal would not pass the DCC schema (${issues.map((i) => i.path || '/').join(', ')}); nothing signed`,
      })
      return
    }
    if (dryRun) {
      report.wouldRenew?.push({ uvci: old.uvci, type: old.type, exp: old.exp })
      pendingKeys.add(old.uvci)
      return
    }
    if (!reserveRenewal(old, source)) return
    const id = idOfKey(ledger.recordKeyOf(old))
    const { hc1 } = signHc1(dcc, { iss: country, iat, exp, ...(icvp ? { key: -6 as const } : {}) }, signer)
    pending.push({
      row: {
        idempotencyKey: `renew:${old.uvci}`,
        uvci: String(entry.ci),
        type: old.type,
        country: old.country,
        issuer: standardText(old.issuer),
        kid,
        iat,
        exp,
        product: old.product,
        dose: old.dose,
        doses: old.doses,
        payload: JSON.stringify(dcc),
        hc1,
        batch: options.batch,
        line: old.line,
        holderEvent: old.holderEvent,
        origin: 'renew',
        replaces: old.id,
        content: contentFingerprint(dcc),
      },
      renewed: {
        ...(id !== undefined ? { id } : {}),
        uvci: String(entry.ci),
        replaces: old.uvci,
        type: old.type,
        iat,
        exp,
        hc1,
      },
      source,
    })
    pendingKeys.add(old.uvci)
    if (pending.length >= CHUNK) await commit()
  }

  try {
    await renewAll()
  } finally {
    // what this run reserved and did not commit, and what runs of this machine that died left
    if (!dryRun) releaseRun(ledger, owner)
  }
  if (options.signal?.aborted) report.interrupted = String(options.signal.reason ?? 'interrupted')
  return report

  async function renewAll(): Promise<void> {
    if (options.inputs) {
      if (!options.trust)
        throw new DccError('ERR_USAGE', 'renewing given certificates needs --trust, to verify them first')
      // all given certificates are admitted first, then renewed: of two given for the same holder
      // and event, only the later is renewed, as from the ledger (and in a dry run, which records none)
      const admitted: Array<{ old: StoredCertificate; source: string }> = []
      for await (const input of options.inputs) {
        if (options.signal?.aborted) break
        const old = admit(input, options.trust, ledger, now, report, dryRun)
        if (old) admitted.push({ old, source: input.source })
        options.onProgress?.(report.considered)
      }
      // (current ones only, and per person: certificates of records with different ids are two people)
      // (and of the same names as written: the key's standardised names merge Müller and Mueller)
      const personKey = (old: StoredCertificate): string =>
        `${old.holderEvent}\u0000${personOf(ledger, old)}\u0000${writtenHolderOf(old)}`
      const latestGiven = new Map<string, StoredCertificate>()
      for (const { old } of admitted) {
        if (old.supersededBy !== null) continue
        const key = personKey(old)
        const seen = latestGiven.get(key)
        if (!seen || old.iat > seen.iat) latestGiven.set(key, old)
      }
      for (const { old, source } of admitted) {
        if (options.signal?.aborted) break
        const later = old.supersededBy === null ? latestGiven.get(personKey(old)) : undefined
        if (later && later.uvci !== old.uvci && later.iat > old.iat) {
          report.considered++
          report.skipped.push({
            source,
            uvci: old.uvci,
            reason: `a later certificate for the same holder and event exists (${later.uvci})`,
          })
          continue
        }
        await renewRow(old, source)
      }
    } else {
      const filter = {
        dueBy: options.dueBy,
        ...(options.replacedSince === undefined ? {} : { replacedSince: options.replacedSince }),
        ...options.filter,
      }
      // what an earlier run of this selection renewed (one stopped by Ctrl-C, say) is written again first
      if (!dryRun)
        for (const id of ledger.renewedIds(filter)) {
          if (options.signal?.aborted) break
          const old = ledger.findById(id)
          if (old?.supersededBy != null) await writeEarlier(old, ledger.findById(old.supersededBy))
        }
      const ids = ledger.dueIds(filter)
      // a --kid no certificate has (a typing mistake, a kid in another spelling) selects nothing:
      // said, rather than "0 renewed" as if nothing were due (the kid is not quoted: it is input)
      if (ids.length === 0 && options.filter?.kid && !ledger.hasKid(options.filter.kid))
        report.warnings.push(
          'no certificate in the ledger was signed by the kid given with --kid: nothing to renew. Give the kid in base64 as `hcert keys show` prints it (kzlQn+5disA=)',
        )
      // the same for a --batch name no certificate was recorded under
      if (
        ids.length === 0 &&
        options.filter?.batch !== undefined &&
        ledger.batchIds(options.filter.batch).length === 0
      )
        report.warnings.push(
          'no certificate in the ledger was recorded under the batch given with --batch: nothing to renew. Give the name issue recorded (its --batch, else the input file name)',
        )
      for (const id of ids) {
        if (options.signal?.aborted) break
        const old = ledger.findById(id)
        if (old) await renewRow(old, 'ledger')
        if (report.considered % 1000 === 0) options.onProgress?.(report.considered)
      }
    }
    await commit()
  }
}

/**
 * The certificates that replaced `old`, in order: the one that superseded it, then what superseded
 * that, down to the certificate in force (superseded by nothing), or as far as the ledger holds them.
 */
function chainFrom(ledger: Ledger, old: StoredCertificate): StoredCertificate[] {
  const chain: StoredCertificate[] = []
  const seen = new Set<number>([old.id])
  let next = old.supersededBy
  while (next !== null && !seen.has(next)) {
    const row = ledger.findById(next)
    if (!row) break
    seen.add(row.id)
    chain.push(row)
    next = row.supersededBy
  }
  return chain
}

/**
 * Why a superseded certificate is not renewed: "already renewed as <UVCI>" (or "corrected as", when
 * a correction replaced it), with ", since replaced: the certificate in force is <UVCI>" when that is
 * another certificate further down the chain.
 */
function replacedReason(chain: StoredCertificate[]): string {
  const [first] = chain
  const last = chain[chain.length - 1]
  if (!first || !last) return 'already renewed'
  const how = first.origin === 'renew' ? 'already renewed as' : 'corrected as'
  return last.id === first.id
    ? `${how} ${first.uvci}`
    : `${how} ${first.uvci}, since replaced: the certificate in force is ${last.uvci}`
}

/**
 * The instant (ms since the epoch) of the event an entry certifies: a vaccination's date (`dt`), a
 * test's sample collection (`sc`), a recovery's first positive test (`fr`); a date alone is its
 * first instant in UTC. Undefined when the entry has none or it is not a date.
 */
function eventDateOf(type: string, entry: Record<string, unknown>): number | undefined {
  const field = type === 'v' ? entry.dt : type === 't' ? entry.sc : type === 'r' ? entry.fr : undefined
  if (typeof field !== 'string') return undefined
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(field) ? `${field}T00:00:00Z` : field)
  return Number.isFinite(ms) ? ms : undefined
}

/**
 * Why a renewal signed at `iat` (seconds) would be dated too early, or undefined: before the
 * certificate it replaces was issued (`old.iat`: it would expire sooner than it), or before the event
 * it certifies (`event`, ms). The clock (--at) is in the past for this certificate; nothing is
 * signed. Quotes neither date of the holder's event (personal data), only the clock and `old.iat`.
 */
function datedTooEarly(iat: number, old: StoredCertificate, event: number | undefined): string | undefined {
  const at = new Date(iat * 1000).toISOString()
  if (iat < old.iat)
    return `its renewal would be dated ${at}, before the certificate it replaces was issued (${new Date(old.iat * 1000).toISOString()}; the clock is in the past): nothing signed`
  if (event !== undefined && iat * 1000 < event)
    return `its renewal would be dated ${at}, before the event it certifies (the vaccination, test or recovery date; the clock is in the past): nothing signed`
  return undefined
}

/**
 * Why a certificate cannot be renewed although it passes the schema, or undefined: its country
 * (`co`, else the ledger's) is not an assigned ISO 3166 code (no UVCI can hold it), or one of its
 * text fields holds a character issue refuses (clean-text.ts forbiddenCharacter: control,
 * bidirectional, invisible…). Never quotes them.
 */
function unrenewable(
  payload: Record<string, unknown>,
  entry: Record<string, unknown>,
  fallbackCountry: string,
): string | undefined {
  const co = entry.co ?? fallbackCountry
  if (typeof co !== 'string' || !assignedCountryCode(co) || co !== co.trim().toUpperCase())
    return 'its country (co) is not an ISO 3166 two-letter code in use, so no UVCI can be formed for its renewal'
  const field = fieldWithForbiddenCharacter(payload, '')
  if (field !== undefined)
    return `its field ${field} holds a control, bidirectional or invisible character, which issue refuses`
  return undefined
}

/** The JSON pointer of the first string in `value` that no field may hold (clean-text.ts), or undefined. */
function fieldWithForbiddenCharacter(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return forbiddenCharacter(value) ? path || '/' : undefined
  if (!value || typeof value !== 'object') return undefined
  for (const [key, inner] of Object.entries(value)) {
    const found = fieldWithForbiddenCharacter(inner, `${path}/${key}`)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * The latest current certificate (superseded by nothing), later than `old` (by iat, then id), of the
 * same person for the same holder and event, or undefined. Looked up by the row's stored key and by
 * today's key of its payload (rows stored before the key held the names as written keep their old
 * key), and kept only when its payload names the same holder as written (an old key merged people
 * whose names transliterate alike) and it is the same person's: certificates of records with
 * different ids are two people who share names, date of birth and event (issue issues both), so
 * only a certificate of the same record id, or both of records without an id, counts. A superseded
 * certificate never counts: a backdated renewal or correction (an earlier iat than what it
 * replaced) would otherwise be skipped for ever because of the certificate it replaced.
 */
function laterForSameHolder(ledger: Ledger, old: StoredCertificate): StoredCertificate | undefined {
  const payload = storedPayload(old)
  const keys = new Set([old.holderEvent])
  if (!(payload instanceof DccError)) keys.add(holderEventOf(old.type, payload))
  const candidates = [...new Set([...ledger.currentForHolderEvents([...keys]).values()].flat())].filter(
    (id) => id !== old.id,
  )
  if (candidates.length === 0) return undefined
  const person = personOf(ledger, old)
  let best: StoredCertificate | undefined
  for (const id of candidates) {
    const other = ledger.findById(id)
    if (!other || other.supersededBy !== null || !isLater(other, old)) continue
    if (!(payload instanceof DccError)) {
      const otherPayload = storedPayload(other)
      if (otherPayload instanceof DccError || !sameHolderOf(old.type, payload, otherPayload)) continue
    }
    if (personOf(ledger, other) !== person) continue
    if (!best || isLater(other, best)) best = other
  }
  return best
}

/** Whether `a` is later than `b`: a later iat, or the same iat and recorded after it. */
function isLater(a: StoredCertificate, b: StoredCertificate): boolean {
  return a.iat > b.iat || (a.iat === b.iat && a.id > b.id)
}

/**
 * Whose certificate this is, for the latest-only rule: the `id` of the input record its chain was
 * first issued for, or '' when that record had none (a record without id, an imported certificate).
 */
/** A stored certificate's holder as written (names NFC, date of birth), as one string; '' when unreadable. */
function writtenHolderOf(row: StoredCertificate): string {
  try {
    const payload = JSON.parse(row.payload) as Record<string, unknown>
    return JSON.stringify(
      row.type === 'icvp' ? [String(payload.n ?? '').normalize('NFC'), payload.dob] : holderParts(payload),
    )
  } catch {
    return ''
  }
}

function personOf(ledger: Ledger, row: StoredCertificate): string {
  const id = idOfKey(ledger.recordKeyOf(row))
  return id === undefined ? '' : `id:${id}`
}

/**
 * A stored certificate's payload, to sign again: JSON, an object nested no deeper than a record may
 * be, that passes the DCC schema. Otherwise (a row edited by hand, truncated) ERR_LEDGER naming the
 * row, returned rather than thrown, so that the caller refuses that certificate and goes on.
 */
function storedPayload(row: StoredCertificate): Record<string, unknown> | DccError {
  let dcc: unknown
  try {
    dcc = JSON.parse(row.payload)
  } catch (cause) {
    return damagedRow(row.id, cause)
  }
  if (!dcc || typeof dcc !== 'object' || Array.isArray(dcc) || tooDeep(dcc)) return damagedRow(row.id)
  const object = dcc as Record<string, unknown>
  if (row.type === 'icvp' ? checkWhoSchema('icvp', object).length > 0 : validateSchema(dcc).length > 0)
    return damagedRow(row.id)
  return dcc as Record<string, unknown>
}

/**
 * A certificate given to renew: verified first. An expired one is what renew is for; a bad
 * signature, an unknown signer, a failed schema or a key-usage violation is refused with the reason.
 * One not yet in the ledger (issued elsewhere, or before the ledger) is recorded, so that its
 * renewal can point to it.
 */
function admit(
  input: RenewInput,
  trust: TrustList,
  ledger: Ledger,
  now: Date,
  report: RenewReport,
  dryRun: boolean,
): StoredCertificate | undefined {
  if (input.error) {
    report.considered++
    report.refused.push({
      source: input.source,
      uvci: null,
      code: input.error.code,
      reason: input.error.message,
    })
    return undefined
  }
  const result = verifyHc1(input.text, { trust, now })
  if (result.kind !== null && result.kind !== 'dcc') {
    // a WHO payload (ICVP, DDCC, a link) has no EU DCC entry to re-issue
    report.considered++
    report.refused.push({
      source: input.source,
      uvci: null,
      code: 'ERR_CWT',
      reason: `the certificate carries a WHO ${result.kind} payload; renew re-issues EU DCCs only`,
    })
    return undefined
  }
  const blocking = result.errors.filter((e) => !(e.check === 'expiration' && e.code === 'ERR_EXPIRED'))
  if (blocking.length > 0 || !result.payload || !result.claims) {
    const first = blocking[0] ?? result.errors[0]
    report.considered++
    report.refused.push({
      source: input.source,
      uvci: null,
      code: first?.code ?? 'ERR_INPUT',
      reason: first?.message ?? 'it could not be read',
    })
    return undefined
  }
  const dcc = result.payload
  const type = certificateTypes(dcc)[0] as string
  const entry = (dcc[type] as Array<Record<string, unknown>>)[0] as Record<string, unknown>
  const uvci = String(entry.ci)
  const known = ledger.findByUvci(uvci)
  if (known) {
    // the ledger's certificate only when this is it (the same text or the same content): another
    // certificate under a UVCI the ledger has must not get that certificate's renewal
    let same = known.hc1 === input.text
    if (!same)
      try {
        same = contentOf(known) === contentFingerprint(dcc)
      } catch {
        same = false
      }
    if (same) return known
    report.considered++
    report.refused.push({
      source: input.source,
      uvci,
      code: 'ERR_INPUT',
      reason:
        'its UVCI belongs to another certificate in the ledger (a different holder or content): not renewed',
    })
    return undefined
  }
  const { iat = 0, exp = 0, iss } = result.claims
  const country = String(entry.co ?? iss ?? '')
  // what issue refuses is not recorded, nor renewed
  const unfit = unrenewable(dcc, entry, country)
  if (unfit) {
    report.considered++
    report.refused.push({ source: input.source, uvci, code: 'ERR_SCHEMA', reason: unfit })
    return undefined
  }
  const row: IssuedRow = {
    idempotencyKey: `import:${uvci}`,
    uvci,
    type,
    country,
    issuer: String(entry.is ?? ''),
    kid: result.kid ?? '',
    iat: Math.floor(iat),
    exp: Math.floor(exp),
    product: typeof entry.mp === 'string' ? entry.mp : typeof entry.tt === 'string' ? entry.tt : null,
    dose: typeof entry.dn === 'number' ? entry.dn : null,
    doses: typeof entry.sd === 'number' ? entry.sd : null,
    payload: JSON.stringify(dcc),
    hc1: input.text,
    batch: 'renew-import',
    line: null,
    holderEvent: holderEventKey(dcc),
    origin: 'import',
    replaces: null,
    content: contentFingerprint(dcc),
  }
  // a dry run records nothing: the certificate is considered as it would be once recorded
  if (dryRun) return { ...row, id: -1, supersededBy: null, createdAt: Math.floor(now.getTime() / 1000) }
  const [outcome] = ledger.record([row], [], now)
  // another run may have recorded it first: then its row is the one to renew
  return outcome && 'id' in outcome ? ledger.findById(outcome.id) : ledger.findByUvci(uvci)
}
