/**
 * The idempotency keys one `hcert issue` run has read so far, each with the 1-based number of the
 * first record that has it (accepted, held for another run, or rejected: it owns the key), its
 * content and whether it was rejected: so that a key given again anywhere later in the same input
 * is known to be this input's, however far apart the two records are (not only while the first is
 * still being signed, nor mistaken for a key an earlier run issued).
 *
 * Memory is bounded by the number of keys, not their length: each key is kept as a 64-bit hash
 * (cyrb53's two lanes), its content as 32 bits and the UVCI its first record gave (if any) as 32
 * bits, in an open-addressing table of typed arrays (20 bytes a slot, at most 3/4 full): ~40 MB for
 * 1,000,000 records, whatever the ids. Two different keys share 64
 * bits with a probability of about n²/2⁶⁵ (3·10⁻⁸ for a million records): the later record would
 * then be rejected as a repeat of the earlier, never issued twice.
 */
/** What the run holds under a key: the record that has it and (32 bits of) its content fingerprint. */
export interface KeySeen {
  index: number
  /** the first 8 hex digits of the record's content fingerprint */
  content: string
  /** whether that record was rejected (the first record of a key owns it, rejected or not) */
  rejected: boolean
  /** 32 bits of the UVCI that record gave (uvciTag), if it gave one */
  uvci?: string
}

/** the index word's top bit: the record was rejected (record numbers stay below 2^31) */
const REJECTED = 0x80000000

const INITIAL_SLOTS = 1 << 12
/** words a slot: key hash high, key hash low, record index, content, given UVCI (0: none) */
const WORDS = 5

export class RunKeys {
  private slots = new Uint32Array(INITIAL_SLOTS * WORDS)
  private capacity = INITIAL_SLOTS
  private count = 0

  get size(): number {
    return this.count
  }

  /** bytes held by the table */
  get bytes(): number {
    return this.slots.byteLength
  }

  /** The record that has this key in the run so far, if any. */
  get(key: string): KeySeen | undefined {
    const [high, low] = keyHash(key)
    const slot = this.find(high, low)
    const at = slot * WORDS
    const word = this.slots[at + 2] as number
    if (word === 0) return undefined
    const uvci = this.slots[at + 4] as number
    return {
      index: (word & ~REJECTED) >>> 0,
      content: hex8(this.slots[at + 3] as number),
      rejected: (word & REJECTED) !== 0,
      ...(uvci === 0 ? {} : { uvci: hex8(uvci) }),
    }
  }

  /**
   * Records that the record `index` (1-based, below 2^31) has this key, with content fingerprint
   * `content` (hex), and whether it was rejected; the first record stays (only its `rejected` may
   * change, when the same record is looked at again: one another run held); `uvci`: the uvciTag of
   * the UVCI the record gave, if it gave one.
   */
  add(key: string, index: number, content: string, rejected = false, uvci?: string): void {
    const [high, low] = keyHash(key)
    const at = this.find(high, low) * WORDS
    const word = (index | (rejected ? REJECTED : 0)) >>> 0
    const held = this.slots[at + 2] as number
    if (held !== 0) {
      if ((held & ~REJECTED) >>> 0 === index) this.slots[at + 2] = word
      return
    }
    this.slots[at] = high
    this.slots[at + 1] = low
    this.slots[at + 2] = word
    this.slots[at + 3] = Number.parseInt(content.slice(0, 8), 16) >>> 0
    this.slots[at + 4] = uvci === undefined ? 0 : Number.parseInt(uvci, 16) >>> 0
    if (++this.count * 4 > this.capacity * 3) this.grow()
  }

  /** the slot holding this hash, or the empty slot where it goes (index 0 marks an empty slot) */
  private find(high: number, low: number): number {
    const mask = this.capacity - 1
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask
    for (;;) {
      const at = slot * WORDS
      if (this.slots[at + 2] === 0) return slot
      if (this.slots[at] === high && this.slots[at + 1] === low) return slot
      slot = (slot + 1) & mask
    }
  }

  private grow(): void {
    const old = this.slots
    const oldCapacity = this.capacity
    this.capacity *= 2
    this.slots = new Uint32Array(this.capacity * WORDS)
    for (let s = 0; s < oldCapacity; s++) {
      const at = s * WORDS
      if (old[at + 2] === 0) continue
      const to = this.find(old[at] as number, old[at + 1] as number) * WORDS
      this.slots.set(old.subarray(at, at + WORDS), to)
    }
  }
}

/** The content fingerprint's first 32 bits, as RunKeys keeps it, to compare with KeySeen.content. */
export function contentTag(content: string): string {
  return hex8(Number.parseInt(content.slice(0, 8), 16) >>> 0)
}

/**
 * 32 bits of a given UVCI (as buildDcc upper-cases it), never 0 (RunKeys' "none"): two records of
 * one key asking for different UVCIs are told apart but for a chance of 1 in 2^32.
 */
export function uvciTag(uvci: string): string {
  const [high] = keyHash(uvci)
  return hex8(high === 0 ? 1 : high)
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0')
}

function keyHash(key: string): [number, number] {
  // cyrb53's two 32-bit lanes (public domain, bryc), both kept: ~0.2 µs a key, where SHA-256 costs
  // 1 to 4 µs in Node 20; the keys are not secret, and a collision only rejects a record
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return [h1 >>> 0, h2 >>> 0]
}
