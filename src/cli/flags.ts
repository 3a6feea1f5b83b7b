/** Flags that several commands share, built once. */
import { Flags } from '@oclif/core'
import { parseInstant } from '../time/parse-instant.js'
import { DccError } from '../errors.js'

export const atFlag = Flags.custom<Date>({
  summary: 'The clock to use, as ISO 8601 (e.g. 2021-06-01T12:00:00+02:00); default now.',
  helpValue: '<ISO 8601>',
  parse: async (input) => {
    const date = parseInstant(input)
    if (!date) throw new DccError('ERR_USAGE', `--at: '${input}' is not an ISO 8601 date-time`)
    return date
  },
})

export const allowMissingPrefixFlag = Flags.boolean({
  summary: "Read text without the 'HC1:' prefix as bare base45 (the EU test data expects it refused).",
  default: false,
})
