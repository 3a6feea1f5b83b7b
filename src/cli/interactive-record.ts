/** `hcert issue --interactive`: inquirer walks an operator through one certificate. */
import { DccError } from '../errors.js'
import { allVaccines } from '../issue/vaccines.js'
import type { InputRecord } from '../issue/read-records.js'
import { transliterate } from '../dcc/transliterate.js'

export async function promptRecord(defaults: { country?: string; issuer?: string }): Promise<InputRecord> {
  if (!process.stdin.isTTY)
    throw new DccError('ERR_USAGE', '--interactive needs a terminal; give a file of records instead')
  const { input, select, number, confirm } = await import('@inquirer/prompts')
  const required = (v: string): true | string => (v.trim() !== '' ? true : 'required')
  const isoDate = (v: string): true | string => (/^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? true : 'YYYY-MM-DD')
  const fn = await input({ message: 'Surname(s) as written', validate: required })
  const gn = await input({ message: 'Forename(s) as written' })
  const dob = await input({
    message: 'Date of birth (YYYY-MM-DD, YYYY-MM or YYYY)',
    validate: (v) => (/^\d{4}(-\d{2}){0,2}$/.test(v.trim()) ? true : 'YYYY-MM-DD, YYYY-MM or YYYY'),
  })
  const type = await select({
    message: 'Certificate',
    choices: [
      { name: 'Vaccination', value: 'v' },
      { name: 'Test', value: 't' },
      { name: 'Recovery', value: 'r' },
    ],
  })
  const raw: Record<string, unknown> = { fn, gn, dob, type }
  if (type === 'v') {
    raw.vaccine = await select({
      message: 'Vaccine product',
      choices: allVaccines().map((p) => ({ name: `${p.name}  (${p.code})`, value: p.code })),
      pageSize: 12,
    })
    raw.dose = String(await number({ message: 'Dose number', min: 1, max: 9, required: true }))
    raw.doses = String(await number({ message: 'Doses in the series', min: 1, max: 9, required: true }))
    raw.date = await input({ message: 'Date of vaccination (YYYY-MM-DD)', validate: isoDate })
  } else if (type === 't') {
    raw.test_type = await select({
      message: 'Test type',
      choices: [
        { name: 'NAAT (PCR)', value: 'LP6464-4' },
        { name: 'Rapid antigen', value: 'LP217198-3' },
      ],
    })
    if (raw.test_type === 'LP217198-3')
      raw.test_device = await input({ message: 'Device identifier (EU list)', validate: required })
    raw.date = await input({ message: 'Sample collected (YYYY-MM-DDTHH:MM:SSZ)', validate: required })
    raw.result = await select({
      message: 'Result',
      choices: [
        { name: 'Not detected', value: '260415000' },
        { name: 'Detected', value: '260373001' },
      ],
    })
    raw.centre = await input({ message: 'Testing centre' })
  } else {
    raw.date = await input({ message: 'First positive test (YYYY-MM-DD)', validate: isoDate })
  }
  raw.country = await input({
    message: 'Country of vaccination or test',
    default: defaults.country,
    validate: (v) => (/^[A-Z]{2}$/.test(v.trim()) ? true : 'two capital letters, e.g. VN'),
  })
  raw.issuer = await input({ message: 'Issuer', default: defaults.issuer, validate: required })
  process.stderr.write(
    `\n  ${transliterate(fn)}<<${transliterate(gn)}  born ${dob}\n  ${JSON.stringify(raw)}\n\n`,
  )
  if (!(await confirm({ message: 'Sign this certificate?', default: true })))
    throw new DccError('ERR_USAGE', 'cancelled: nothing was signed')
  return { index: 1, line: 1, raw }
}
