/**
 * The frame of a fast path: a reader for the common shapes of some input that gives up (returns
 * undefined) on anything else, so that the general path, which words every error, takes it.
 */

/** thrown by a fast reader, and caught by attempt(), only: the input needs the general path */
const FALLBACK = Symbol('fallback')

export function fallback(): never {
  throw FALLBACK
}

/** The reader's result, or undefined when it fell back; any other exception is a bug and goes on. */
export function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch (err) {
    if (err === FALLBACK) return undefined
    throw err
  }
}
