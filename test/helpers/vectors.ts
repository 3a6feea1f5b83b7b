import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { decodeBase45 } from '../../src/codec/base45.js'
import { inflate } from '../../src/codec/zlib.js'
import type { TestVector } from '../../src/conformance/vector.js'
import { findFiles } from '../../src/services/find-files.js'

export const VECTOR_DIR = join(import.meta.dirname, '..', 'fixtures', 'dgc-testdata')

export interface NamedVector {
  name: string
  vector: TestVector
}

export function loadVectors(): NamedVector[] {
  return findFiles(VECTOR_DIR, (n) => n.endsWith('.json')).map((path) => ({
    name: relative(VECTOR_DIR, path),
    vector: JSON.parse(readFileSync(path, 'utf8')) as TestVector,
  }))
}

export function vector(name: string): TestVector {
  return JSON.parse(readFileSync(join(VECTOR_DIR, name), 'utf8')) as TestVector
}

/** The COSE message of every vector that has one (its COSE field, else its HC1 text decoded) */
export function vectorCoses(): Array<{ name: string; cose: Buffer }> {
  const out: Array<{ name: string; cose: Buffer }> = []
  for (const { name, vector } of loadVectors()) {
    try {
      const cose = vector.COSE
        ? Buffer.from(vector.COSE, 'hex')
        : inflate(decodeBase45(String(vector.PREFIX).replace(/^HC1:/, '')))
      out.push({ name, cose })
    } catch {
      // a vector broken before the COSE layer
    }
  }
  return out
}
