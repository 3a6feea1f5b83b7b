/** Flags that several commands share, built once. */
import * as Flags from '@oclif/core/flags'
import { DccError } from '../errors.js'
import { terminalText } from './render/terminal-text.js'
import type { CertificateType } from '../dcc/types.js'
import { parseDuration, type Duration } from '../time/duration.js'
import { instantProblem, parseInstant } from '../time/parse-instant.js'
import { GDHCN_DOMAINS, gdhcnDomain, type GdhcnDomain } from '../gdhcn/trust-domains.js'

/**
 * The longest batch name, in characters: a file name's length (255 on most file systems), and
 * short enough for PostgreSQL's index on the ledger's batch column (a row of at most ~2.7 kB).
 */
export const MAX_BATCH_LENGTH = 255

/**
 * --batch (issue records it; renew and export select by it): a plain name of at most
 * MAX_BATCH_LENGTH characters. ERR_USAGE otherwise, on both ledger engines, the value never quoted
 * back (it may hold escape sequences).
 */
export const batchFlag = Flags.custom<string>({
  helpValue: '<name>',
  parse: async (input) => {
    if (terminalText(input) !== input)
      throw new DccError(
        'ERR_USAGE',
        '--batch holds a control character (an escape, a tab, a line break, a bidi control); give a plain name',
      )
    if ([...input].length > MAX_BATCH_LENGTH)
      throw new DccError(
        'ERR_USAGE',
        `--batch is ${[...input].length} characters long; a batch name has at most ${MAX_BATCH_LENGTH}`,
      )
    return input
  },
})

export const atFlag = Flags.custom<Date>({
  summary: 'The clock to use, as ISO 8601 (e.g. 2021-06-01T12:00:00+02:00); default now.',
  helpValue: '<ISO 8601>',
  parse: async (input) => {
    const date = parseInstant(input)
    if (!date) throw new DccError('ERR_USAGE', instantProblem(input))
    return date
  },
})

/** An instant that ends a range: a date alone means the end of that day (UTC). */
export const untilFlag = Flags.custom<Date>({
  helpValue: '<ISO 8601>',
  parse: async (input) => {
    const date = parseInstant(input)
    if (!date) throw new DccError('ERR_USAGE', instantProblem(input))
    return /^\d{4}-\d{2}-\d{2}$/.test(input.trim()) ? new Date(date.getTime() + 86_399_999) : date
  },
})

export const durationFlag = Flags.custom<Duration>({
  helpValue: '<12m|365d|4y>',
  // help shows the default as typed (12m), not as the object it parses to
  defaultHelp: async ({ options }) => {
    const given = (options as { default?: unknown }).default
    return isDuration(given) ? `${given.amount}${given.unit}` : undefined
  },
  parse: async (input) => {
    const duration = parseDuration(input)
    if (!duration && /^0+\s*[ymdh]$/i.test(input.trim()))
      throw new DccError('ERR_USAGE', 'must be more than zero: give a duration such as 12m, 365d or 4y')
    // a duration of more digits than DURATION takes is one, too large: said, with the limit
    if (!duration && /^\d{6,}\s*[ymdh]$/i.test(input.trim()))
      throw new DccError(
        'ERR_USAGE',
        `'${input}' is too large: a duration has at most 5 digits (99999d, 99999m, 99999y; 4y for four years)`,
      )
    if (!duration) throw new DccError('ERR_USAGE', `'${input}' is not a duration such as 12m, 365d or 4y`)
    return duration
  },
})

function isDuration(value: unknown): value is Duration {
  return typeof value === 'object' && value !== null && 'amount' in value && 'unit' in value
}

export const usageFlag = Flags.custom<CertificateType[]>({
  helpValue: '<v,t,r>',
  parse: async (input) => {
    const parts = input
      .split(',')
      .map((p) => p.trim().toLowerCase())
      .filter(Boolean)
    const bad = parts.filter((p) => p !== 'v' && p !== 't' && p !== 'r')
    if (bad.length > 0)
      throw new DccError(
        'ERR_USAGE',
        `--usage takes v, t and r (vaccination, test, recovery); not ${bad.join(', ')}`,
      )
    return [...new Set(parts)] as CertificateType[]
  },
})

/**
 * Trusted certificates: a file, a folder or a trust list JSON; repeatable. $HCERT_TRUST is read by
 * trustSources, not by oclif: oclif spread an environment value of a `multiple` flag into its
 * characters ("k/trust.json" became "k", "/", …).
 */
export const trustFlag = (summary: string) =>
  nonEmptyPath(
    'trust',
    Flags.string({
      char: 't',
      summary: `${summary} Default: $HCERT_TRUST (one path).`,
      multiple: true,
      // one value per --trust: `verify --trust a.json cert.txt` took cert.txt as a trust source
      multipleNonGreedy: true,
    }),
  )

/**
 * GDHCN DID trust lists: keep one trust domain's keys (repeatable, any case); a closed set, so a
 * typo is a usage error rather than a filter that silently keeps nothing. The value is not echoed:
 * a wrong one may be anything typed there.
 */
export const trustDomainFlag = Flags.custom<GdhcnDomain>({
  summary: `GDHCN DID trust lists: trust the keys of this trust domain only (${GDHCN_DOMAINS.join(', ')}); repeatable.`,
  helpValue: '<domain>',
  multiple: true,
  multipleNonGreedy: true,
  parse: async (input) => {
    const domain = gdhcnDomain(input)
    if (!domain)
      throw new DccError(
        'ERR_USAGE',
        `--trust-domain takes a GDHCN trust domain: ${GDHCN_DOMAINS.join(', ')} (any case); the value given is none of them`,
      )
    return domain
  },
})

/** The --trust values, else $HCERT_TRUST as one path, else none. */
export function trustSources(given: readonly string[] | undefined): string[] {
  if (given && given.length > 0) return [...given]
  const fromEnv = process.env.HCERT_TRUST
  return fromEnv ? [fromEnv] : []
}

export const allowMissingPrefixFlag = Flags.boolean({
  summary: "Read text without the 'HC1:' prefix as bare base45 (the EU test data expects it refused).",
  default: false,
})

export const noPromptFlag = Flags.boolean({
  summary: 'Never prompt (prompts are also skipped when stdin is not a terminal).',
  default: false,
})

export const allowFutureFlag = Flags.boolean({
  summary: 'Allow --at later than now: sign certificates that are not yet valid today.',
  default: false,
})

/** how far ahead of the clock --at may be without --allow-future (clock skew between machines) */
const FUTURE_SLACK_MS = 60_000

/**
 * Signing with --at more than a minute ahead of the clock makes certificates that are not valid
 * today (iat in the future); a preview (--dry-run) is fine, signing needs --allow-future.
 */
export function refuseFutureAt(at: Date | undefined, allowFuture: boolean, now = new Date()): void {
  if (at && at.getTime() > now.getTime() + FUTURE_SLACK_MS && !allowFuture)
    throw new DccError(
      'ERR_USAGE',
      `--at ${at.toISOString()} is later than now: the certificates signed would not be valid until then; use --dry-run to preview, or --allow-future to sign them`,
    )
}

/**
 * A path flag that refuses an empty value (`--out ''`, `--out "$OUT"` with OUT unset): ERR_USAGE
 * (exit 2), the same for every path flag of every command, instead of reading '' as "not given"
 * (stdout, no rejects file, no images) or as the current folder (`keys generate --out ''`). The
 * flag's own parse (an `exists` check) runs after. A value of spaces only is empty too.
 */
export function nonEmptyPath<F extends { parse: (input: string, ...rest: never[]) => Promise<unknown> }>(
  name: string,
  flag: F,
  env?: string,
): F {
  const parse = flag.parse
  return {
    ...flag,
    parse: (async (input: string, ...rest: never[]) => {
      if (input.trim() === '')
        throw new DccError(
          'ERR_USAGE',
          `--${name} is empty (--${name} ''${env ? ` or ${env} set to nothing` : ''}: an unset shell variable?); give a path, or leave --${name} out`,
        )
      return parse(input, ...rest)
    }) as F['parse'],
  }
}
