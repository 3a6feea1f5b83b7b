/**
 * After the trust sources are loaded: each GDHCN DID trust list summarised (signers by domain and
 * usage, references not followed, entries left out) and its proof verified when --trust-proof-key
 * gives the signer's key. With a key, a proof that fails, or that cannot be checked, is ERR_TRUST:
 * the user asked for it. Without one the proof is not checked, which a warning says; what loading
 * checked stands (each x5c certificate parses, the JWK key is its certificate's key, the DSC is
 * signed by the SCA listed after it).
 */
import { terminalText } from '../cli/render/terminal-text.js'
import { DccError } from '../errors.js'
import type { TrustList } from '../trust/trust-list.js'

/** Lines for stderr: the summary of each DID list and its proof's state, made safe for a terminal. */
export async function checkDidSources(
  trust: TrustList,
  proofKeyPath: string | undefined,
  domains?: readonly string[],
): Promise<string[]> {
  if (trust.didSources.length === 0) {
    const flag =
      proofKeyPath !== undefined ? '--trust-proof-key' : domains?.length ? '--trust-domain' : undefined
    if (flag)
      throw new DccError(
        'ERR_USAGE',
        `${flag} applies to GDHCN DID trust lists, and no --trust source is one`,
      )
    return []
  }
  // jose (~70 ms to load) only when a DID list is given: every other `hcert verify` starts without it
  const { readProofKey, verifyDidProof } = await import('./did-proof.js')
  const key = proofKeyPath === undefined ? undefined : await readProofKey(proofKeyPath)
  const lines: string[] = []
  for (const { path, document, list } of trust.didSources) {
    const counts = new Map<string, number>()
    for (const entry of list.entries)
      if ('cert' in entry) {
        const label = `${entry.cert.domain ?? 'any domain'} ${entry.cert.usage ?? 'DSC'}`
        counts.set(label, (counts.get(label) ?? 0) + 1)
      }
    const signers = [...counts].map(([label, n]) => `${label} ${n}`).join(', ') || 'none'
    const extra = [
      list.references.length > 0
        ? `${list.references.length} DID reference${list.references.length === 1 ? '' : 's'} not followed (nothing is fetched)`
        : '',
      list.omitted > 0 ? `${list.omitted} left out (SCA keys, or outside --trust-domain)` : '',
    ].filter(Boolean)
    lines.push(
      `trust: ${path}: GDHCN DID trust list ${list.id}: signers ${signers}${extra.length ? `; ${extra.join('; ')}` : ''}`,
    )
    if (key === undefined) {
      lines.push(
        `warning: trust: ${path}: proof not checked (give the signer's key with --trust-proof-key): its keys are trusted as the file holds them`,
      )
      continue
    }
    const outcome = await verifyDidProof(document, key)
    if (outcome.status === 'verified')
      lines.push(
        `trust: ${path}: proof verified (JsonWebSignature2020${outcome.verificationMethod ? `, ${outcome.verificationMethod}` : ''})`,
      )
    else
      throw new DccError(
        'ERR_TRUST',
        terminalText(
          `trust: ${path}: ${outcome.status === 'failed' ? outcome.reason : `its proof cannot be checked: ${outcome.reason}`}`,
        ),
      )
  }
  // the path, the list id, its domains and the proof's verificationMethod are the file's own text
  return lines.map(terminalText)
}
