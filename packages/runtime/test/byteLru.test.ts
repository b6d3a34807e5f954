/** The embedding cache's eviction: least recently used first, bounded by bytes, not entries. */
import { describe, expect, it } from 'vitest'
import { ByteLru } from '../src/byteLru.ts'

const lru = (max: number) => new ByteLru<Float32Array>(max, (v) => v.byteLength)

describe('ByteLru', () => {
  it('evicts the least recently used entries until the byte budget holds', () => {
    const c = lru(100)
    c.set('a', new Float32Array(10)) // 40 bytes
    c.set('b', new Float32Array(10)) // 80
    expect(c.get('a')).toBeDefined() // a is now the most recent
    c.set('c', new Float32Array(10)) // 120 > 100: b goes
    expect(c.has('b')).toBe(false)
    expect(c.has('a')).toBe(true)
    expect(c.has('c')).toBe(true)
    expect(c.bytes).toBe(80)
    c.set('d', new Float32Array(20)) // 160: a then c go
    expect([c.has('a'), c.has('c'), c.has('d')]).toEqual([false, false, true])
    expect(c.bytes).toBe(80)
  })

  it('replacing a key updates its size; an entry larger than the budget is not kept', () => {
    const c = lru(100)
    c.set('a', new Float32Array(5))
    c.set('a', new Float32Array(20))
    expect(c.bytes).toBe(80)
    expect(c.size).toBe(1)
    c.set('huge', new Float32Array(30))
    expect(c.has('huge')).toBe(false)
    expect(c.has('a')).toBe(true)
    expect(lru(0).maxBytes).toBe(0)
    expect(() => lru(-1)).toThrow(RangeError)
    c.clear()
    expect([c.size, c.bytes]).toEqual([0, 0])
  })
})
