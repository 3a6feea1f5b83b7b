/** One test vector in the public EU dgc-testdata format (README of eu-digital-green-certificates/dgc-testdata). */
export interface TestVector {
  JSON?: unknown
  CBOR?: string
  COSE?: string
  COMPRESSED?: string
  BASE45?: string
  PREFIX?: string
  '2DCODE'?: string
  TESTCTX?: {
    VERSION?: number
    SCHEMA?: string
    CERTIFICATE?: string
    VALIDATIONCLOCK?: string
    DESCRIPTION?: string
  }
  EXPECTEDRESULTS?: Partial<Record<Expectation, boolean>>
}

/** The expectations this runner evaluates, and the check or layer each one exercises. */
export const EXPECTATIONS = [
  'EXPECTEDPICTUREDECODE',
  'EXPECTEDUNPREFIX',
  'EXPECTEDB45DECODE',
  'EXPECTEDCOMPRESSION',
  'EXPECTEDDECODE',
  'EXPECTEDVALIDJSON',
  'EXPECTEDVERIFY',
  'EXPECTEDEXPIRATIONCHECK',
  'EXPECTEDKEYUSAGE',
  'EXPECTEDSCHEMAVALIDATION',
  'EXPECTEDVALIDOBJECT',
  'EXPECTEDENCODE',
] as const
export type Expectation = (typeof EXPECTATIONS)[number]

/** Names of the upstream reference harness's tests (known_issues.csv), mapped to expectations. */
export const HARNESS_TEST_NAMES: Readonly<Record<string, Expectation[]>> = {
  test_picture_decode: ['EXPECTEDPICTUREDECODE'],
  test_unprefix: ['EXPECTEDUNPREFIX'],
  test_b45decode: ['EXPECTEDB45DECODE'],
  test_compression: ['EXPECTEDCOMPRESSION'],
  test_cbor_json: ['EXPECTEDDECODE'],
  test_cose_json: ['EXPECTEDVALIDJSON'],
  test_verification_check: ['EXPECTEDVERIFY'],
  test_expiration_check: ['EXPECTEDEXPIRATIONCHECK'],
  test_expected_key_usage: ['EXPECTEDKEYUSAGE'],
  test_cose_schema: ['EXPECTEDSCHEMAVALIDATION'],
  test_json_schema: ['EXPECTEDVALIDOBJECT'],
  test_encode: ['EXPECTEDENCODE'],
}
