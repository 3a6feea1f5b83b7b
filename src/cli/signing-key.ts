/** What issue and renew share: the key directory and ledger flags, and loading the signer (with its passphrase). */
import * as Flags from '@oclif/core/flags'
import { join } from 'node:path'
import { DccError } from '../errors.js'
import { nonEmptyPath } from './flags.js'
import type { Signer } from '../keys/signer.js'
import {
  isKeyEncrypted,
  KEY_FILES,
  keyReferenceIn,
  loadDryRunSigner,
  loadSigner,
} from '../services/key-dir.js'
import { LEDGER_ENV } from '../services/ledger-path.js'
import { passphraseFor } from './passphrase.js'
import { pinFor, pinIsTyped } from './pin.js'

export const keyDirFlag = nonEmptyPath(
  'key-dir',
  Flags.directory({
    char: 'k',
    summary: 'Key directory of the signing DSC, from `hcert keys generate` (dsc.key.pem, dsc.crt.pem).',
    env: 'HCERT_KEY_DIR',
  }),
  'HCERT_KEY_DIR',
)

export const ledgerFlag = nonEmptyPath(
  'ledger',
  Flags.string({
    summary: `Ledger: a SQLite file, or a PostgreSQL server as postgres://user@host:port/db (default $${LEDGER_ENV}, else $XDG_DATA_HOME/hcert/ledger.sqlite).`,
  }),
)

export interface LoadedSigner {
  signer: Signer
  keyDir: string
  passphrase: string | undefined
  /** the PKCS#11 user PIN, when the DSC key is in a token */
  pin: string | undefined
}

export async function signerFromFlags(
  command: string,
  keyDir: string | undefined,
  noPrompt: boolean,
  options: { dryRun?: boolean } = {},
): Promise<LoadedSigner> {
  if (!keyDir) {
    throw new DccError(
      'ERR_USAGE',
      `${command} needs a key directory: pass --key-dir <dir> or set HCERT_KEY_DIR (try keys-example/ for tests)`,
    )
  }
  // a dry run signs nothing: the certificate is all it needs, so no PIN, passphrase or token
  if (options.dryRun)
    return { signer: loadDryRunSigner(keyDir), keyDir, passphrase: undefined, pin: undefined }
  const reference = keyReferenceIn(keyDir)
  const pin = reference ? await pinFor(reference.token, { prompt: !noPrompt }) : undefined
  const passphrase = reference
    ? undefined
    : await passphraseFor('existing', {
        required: isKeyEncrypted(join(keyDir, KEY_FILES.dscKey)),
        prompt: !noPrompt,
      })
  return {
    signer: loadSigner(keyDir, passphrase, pin, { pinTyped: pin !== undefined && pinIsTyped() }),
    keyDir,
    passphrase,
    pin,
  }
}
