import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
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
