/**
 * The shape of a SMART Health Card's payload (SMART Health Cards 1.4 "Health Cards are Compact",
 * credential-modeling.md; the checks health-cards-dev-tools makes on a card): `iss` a URL, `vc.type`
 * with `https://smarthealth.cards#health-card`, `vc.credentialSubject.fhirBundle` a FHIR Bundle of
 * type collection whose entries each hold a resource and a `fullUrl` `resource:N`. Findings name JSON
 * paths, never values (the bundle holds the holder's data).
 */

export const HEALTH_CARD_TYPE = 'https://smarthealth.cards#health-card'

export interface CardFindings {
  /** what the spec requires and the card does not do (the `schema` check fails) */
  errors: string[]
  /** what the spec asks and the card does otherwise, though it can be read */
  warnings: string[]
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The FHIR bundle of a payload, when it has one where the spec puts it. */
export function fhirBundleOf(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  const vc = payload.vc
  const subject = isObject(vc) ? vc.credentialSubject : undefined
  const bundle = isObject(subject) ? subject.fhirBundle : undefined
  return isObject(bundle) ? bundle : undefined
}

/** Properties a QR-bound bundle SHALL omit (SMART Health Cards 1.4 "Health Cards are Small"). */
const OMITTED_IN_RESOURCES = ['id', 'text'] as const

export function checkCardShape(payload: Record<string, unknown>): CardFindings {
  const errors: string[] = []
  const warnings: string[] = []
  const { iss, vc } = payload
  if (typeof iss !== 'string' || iss.length === 0) errors.push('/iss is missing or not a string')
  else {
    if (!/^https:\/\//.test(iss)) warnings.push('/iss is not an https URL')
    if (iss.endsWith('/')) warnings.push('/iss ends with a /; the spec asks for none')
  }
  if (!isObject(vc)) {
    errors.push('/vc is missing or not an object')
    return { errors, warnings }
  }
  if (!Array.isArray(vc.type)) errors.push('/vc/type is missing or not a list')
  else if (!vc.type.includes(HEALTH_CARD_TYPE)) errors.push(`/vc/type does not contain ${HEALTH_CARD_TYPE}`)
  const subject = vc.credentialSubject
  if (!isObject(subject)) {
    errors.push('/vc/credentialSubject is missing or not an object')
    return { errors, warnings }
  }
  if (subject.fhirVersion === undefined) warnings.push('/vc/credentialSubject/fhirVersion is missing')
  else if (typeof subject.fhirVersion !== 'string' || !/^\d+\.\d+\.\d+$/.test(subject.fhirVersion))
    errors.push('/vc/credentialSubject/fhirVersion is not a version like 4.0.1')
  checkBundle(subject.fhirBundle, '/vc/credentialSubject/fhirBundle', errors, warnings)
  return { errors, warnings }
}

function checkBundle(bundle: unknown, at: string, errors: string[], warnings: string[]): void {
  if (!isObject(bundle)) {
    errors.push(`${at} is missing or not an object`)
    return
  }
  if (bundle.resourceType !== 'Bundle') errors.push(`${at}/resourceType is not Bundle`)
  if (typeof bundle.type !== 'string') errors.push(`${at}/type is missing`)
  else if (bundle.type !== 'collection') warnings.push(`${at}/type is not collection`)
  const entries = bundle.entry
  if (!Array.isArray(entries) || entries.length === 0) {
    errors.push(`${at}/entry is missing or empty`)
    return
  }
  entries.forEach((entry: unknown, i) => {
    const where = `${at}/entry/${i}`
    if (!isObject(entry)) return errors.push(`${where} is not an object`)
    if (entry.fullUrl !== `resource:${i}`) {
      if (typeof entry.fullUrl !== 'string' || !/^resource:\d+$/.test(entry.fullUrl))
        errors.push(`${where}/fullUrl is not resource:N`)
      else warnings.push(`${where}/fullUrl is not resource:${i} (entries are numbered from 0)`)
    }
    const resource = entry.resource
    if (!isObject(resource)) return errors.push(`${where}/resource is missing or not an object`)
    if (typeof resource.resourceType !== 'string' || resource.resourceType.length === 0)
      errors.push(`${where}/resource/resourceType is missing`)
    for (const name of OMITTED_IN_RESOURCES)
      if (resource[name] !== undefined)
        warnings.push(`${where}/resource/${name} is present; a QR-bound card omits it`)
    if (isObject(resource.meta) && Object.keys(resource.meta).some((k) => k !== 'security'))
      warnings.push(`${where}/resource/meta holds more than security; a QR-bound card omits it`)
    return undefined
  })
}
