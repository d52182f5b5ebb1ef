import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { roll, weakSum } from '../../../../protocols/rsync/algorithm/rolling.js'

describe('rsync rolling checksum', () => {
  it('rolling one byte equals summing the shifted window afresh, for every offset', () => {
    const data = randomBytes(5000)
    for (const L of [1, 7, 64, 1024]) {
      let w = weakSum(data, 0, L)
      for (let p = 0; p + L < data.length; p++) {
        w = roll(w, data[p]!, data[p + L]!, L)
        assert.equal(w, weakSum(data, p + 1, p + 1 + L), `L=${L} p=${p + 1}`)
      }
    }
  })

  it('is rsync\'s a + b<<16 sum (known value)', () => {
    // a = 1+2+3 = 6, b = 3·1 + 2·2 + 1·3 = 10
    assert.equal(weakSum(Uint8Array.of(1, 2, 3), 0, 3), 6 | (10 << 16))
    assert.equal(weakSum(new Uint8Array(0), 0, 0), 0)
  })

  it('stays exact for windows of 128 KiB of 0xff (no overflow)', () => {
    const L = 128 * 1024
    const data = new Uint8Array(L + 1000).fill(0xff)
    data[L + 10] = 3
    let w = weakSum(data, 0, L)
    for (let p = 0; p < 1000 - 1; p++) w = roll(w, data[p]!, data[p + L]!, L)
    assert.equal(w, weakSum(data, 999, 999 + L))
  })
})
