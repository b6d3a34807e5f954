/**
 * The evaluation's seeded random numbers: xoshiro128** (32-bit state words, exact in JavaScript
 * integer arithmetic), seeded through splitmix32 so that nearby seeds give unrelated streams. The
 * official eval draws with numpy; only determinism for a given seed matters here, not numpy's exact
 * stream (which also depends on the DataLoader's shuffle).
 */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0
  let z = state.s
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

export class Rng {
  private readonly s = new Uint32Array(4)

  /**
   * `stream` names an independent sequence under the same seed (e.g. one per target), so a result
   * does not depend on what else was evaluated before it in the same run.
   */
  constructor(seed: number, stream = '') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer (got ${seed})`)
    // Both 32-bit halves of the seed feed the state, so seeds beyond 2³² differ too.
    const sm = { s: (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x27d4eb2d) }
    for (let q = 0; q < 4; q++) this.s[q] = splitmix32(sm)
    if (stream) {
      const h = { s: fnv1a(stream) }
      for (let q = 0; q < 4; q++) this.s[q] ^= splitmix32(h)
    }
    if (!(this.s[0] | this.s[1] | this.s[2] | this.s[3])) this.s[0] = 1 // the all-zero state is a fixed point
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0
    const t = s[1] << 9
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 11)
    return result
  }

  /** A uniform integer in [0, n), unbiased (rejection of the top partial block). n ≤ 2³². */
  integer(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32)
      throw new RangeError(`integer(n) needs 1 ≤ n ≤ 2³² (got ${n})`)
    const limit = Math.floor(2 ** 32 / n) * n
    for (;;) {
      const x = this.nextUint32()
      if (x < limit) return x % n
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let q = 0; q < text.length; q++) h = Math.imul(h ^ text.charCodeAt(q), 0x01000193)
  return h >>> 0
}
