/**
 * How deep a record may nest objects and lists: a DCC payload has 4 levels (payload, entry list,
 * entry, value), a flat record 1. A deeper one is rejected as it is read, before anything walks it:
 * JSON.parse takes a 100,000-deep value, but every recursive walk after it (cloning, hashing, the
 * schema, CBOR) overflows the stack.
 */
export const MAX_RECORD_DEPTH = 8

/** Whether `value` nests objects or lists more than `limit` levels deep (iterative; stops early). */
export function tooDeep(value: object, limit: number = MAX_RECORD_DEPTH): boolean {
  const stack: Array<[object, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [object, number]
    for (const member of Object.values(node)) {
      if (member === null || typeof member !== 'object') continue
      if (depth + 1 > limit) return true
      stack.push([member as object, depth + 1])
    }
  }
  return false
}
