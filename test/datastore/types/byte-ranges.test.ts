import assert from 'node:assert/strict'
import { ByteRanges } from '../../../datastore/types/byte-ranges.js'

const r = (...xs: Array<[number, number]>): ByteRanges => ByteRanges.of(...xs)

describe('ByteRanges', () => {
  it('normalizes: sorts, merges overlapping and adjacent, drops empty', () => {
    assert.deepEqual(r([10, 20], [0, 5], [5, 8], [15, 30], [40, 40]).toJSON(), [[0, 8], [10, 30]])
  })

  it('union', () => {
    assert.deepEqual(r([0, 10]).union(r([20, 30], [5, 21])).toJSON(), [[0, 30]])
    assert.deepEqual(ByteRanges.EMPTY.union(r([1, 2])).toJSON(), [[1, 2]])
  })

  it('intersection', () => {
    assert.deepEqual(r([0, 10], [20, 30]).intersection(r([5, 25])).toJSON(), [[5, 10], [20, 25]])
    assert.ok(r([0, 10]).intersection(r([10, 20])).isEmpty)
  })

  it('difference', () => {
    assert.deepEqual(r([0, 100]).difference(r([10, 20], [30, 40], [90, 200])).toJSON(), [[0, 10], [20, 30], [40, 90]])
    assert.deepEqual(r([0, 10], [20, 30]).difference(r([5, 25])).toJSON(), [[0, 5], [25, 30]])
    assert.ok(r([5, 6]).difference(r([0, 100])).isEmpty)
  })

  it('containment, availability and size', () => {
    const x = r([0, 10], [20, 30])
    assert.ok(x.contains(2, 8))
    assert.ok(!x.contains(5, 25))
    assert.ok(x.contains(7, 7))
    assert.equal(x.availableFrom(4), 6)
    assert.equal(x.availableFrom(15), 0)
    assert.equal(x.bytes, 20)
  })

  it('rejects invalid ranges', () => {
    assert.throws(() => r([5, 1]), /invalid byte range/)
    assert.throws(() => r([-1, 1]), /invalid byte range/)
  })

  it('agrees with a brute-force bitmap on random inputs', () => {
    let seed = 42
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
    const bits = (x: ByteRanges): boolean[] => Array.from({ length: 64 }, (_, i) => x.contains(i, i + 1))
    for (let t = 0; t < 200; t++) {
      const gen = (): ByteRanges => r(...Array.from({ length: rnd(4) }, (): [number, number] => { const a = rnd(60); return [a, a + rnd(10)] }))
      const a = gen()
      const b = gen()
      const ba = bits(a)
      const bb = bits(b)
      assert.deepEqual(bits(a.union(b)), ba.map((v, i) => v || (bb[i] as boolean)))
      assert.deepEqual(bits(a.intersection(b)), ba.map((v, i) => v && (bb[i] as boolean)))
      assert.deepEqual(bits(a.difference(b)), ba.map((v, i) => v && !(bb[i] as boolean)))
    }
  })
})
