/**
 * Ids one input gives with different contents, found before a record is signed (README "Correcting
 * a certificate"): with `--correct`, two different records of an id the ledger holds are two
 * contradicting fixes of one person's certificate (one fixing `gn`, one `dob`), and which is right
 * is not hcert's to guess; signing the first would supersede the certificate with what may be the
 * wrong one. The input is signed in chunks committed as they go, so the second may come long after
 * the first was signed: hence one read of the input before, keeping ids and content tags only.
 *
 * Memory: a RunKeys slot (16 bytes) per id read, plus the record numbers of the ids that conflict
 * (at most MAX_KEPT of each). Records that cannot be read or built are left to the main read,
 * which reports them; so are faults of the input as a whole (the scan then finds what it saw).
 */
import { contentFingerprint } from '../ledger/content-fingerprint.js'
import { buildDcc, type IssueDefaults } from './build-dcc.js'
import { buildIcvp } from './build-icvp.js'
import { ICVP_READ_COLUMNS } from './icvp-columns.js'
import type { IssueKind } from './issue-types.js'
import { readRecords, type InputFormat } from './read-records.js'
import { contentTag, RunKeys } from './run-keys.js'

/** the records kept of one conflicting id: its first record of each content, up to this many */
const MAX_KEPT = 10

/** The first record (1-based number) of each content an id has in the input, with its content tag. */
export interface ContentOfId {
  index: number
  content: string
}

/** Idempotency keys (`id:<id>`) given with two contents or more, each with the first record of each content. */
export type ConflictingIds = ReadonlyMap<string, readonly ContentOfId[]>

/**
 * The ids of `source` given with different contents (see the module comment). `signal` stops the
 * scan (what it found so far is returned; the main read stops too).
 */
export async function findConflictingIds(
  source: string,
  format: InputFormat | undefined,
  options: { kind?: IssueKind; defaults: IssueDefaults; signal?: AbortSignal },
): Promise<ConflictingIds> {
  const build = options.kind === 'icvp' ? buildIcvp : buildDcc
  const seen = new RunKeys()
  const conflicts = new Map<string, ContentOfId[]>()
  try {
    for await (const record of readRecords(source, format, {
      kind: options.kind ?? 'dcc',
      ...(options.kind === 'icvp' ? { columns: ICVP_READ_COLUMNS } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      if (record.error) continue
      let key: string
      let content: string
      try {
        const built = build(record.raw, options.defaults)
        key = built.key
        content = contentTag(contentFingerprint(built.dcc))
      } catch {
        continue
      }
      // a record without an id is keyed by its content: no other content can share its key
      if (!key.startsWith('id:')) continue
      const first = seen.get(key)
      if (!first) {
        seen.add(key, record.index, content)
        continue
      }
      if (first.content === content && !conflicts.has(key)) continue
      const kept = conflicts.get(key) ?? [{ index: first.index, content: first.content }]
      if (kept.length < MAX_KEPT && !kept.some((k) => k.content === content))
        kept.push({ index: record.index, content })
      conflicts.set(key, kept)
    }
  } catch {
    // the input as a whole is at fault: the main read reports it
  }
  return conflicts
}

/**
 * The records other than one of content `content` that give its id other contents (their numbers,
 * in input order), or none when the id has one content only.
 */
export function otherContents(conflicts: ConflictingIds | undefined, key: string, content: string): number[] {
  const kept = conflicts?.get(key)
  return kept ? kept.filter((k) => k.content !== content).map((k) => k.index) : []
}
