import assert from 'node:assert/strict'
import { RateLimit, rateLimits, throttleOf } from '../../node/net/rate-limit.js'

const MiB = 1024 * 1024

describe('rate limits {#churtenlimit}', () => {
  it('lets a second\'s worth through at once, then holds the rest to the rate', async () => {
    const limit = new RateLimit(MiB)
    const t0 = performance.now()
    for (let i = 0; i < 4; i++) await limit.take(256 * 1024)
    assert.ok(performance.now() - t0 < 100, 'the first second\'s worth passes at once')
    for (let i = 0; i < 2; i++) await limit.take(256 * 1024)
    const ms = performance.now() - t0
    assert.ok(ms >= 480 && ms < 1500, `1.5 MiB at 1 MiB/s took ${ms.toFixed(0)} ms`)
  })

  it('serves takers in order and lets an abort out of the wait', async () => {
    const limit = new RateLimit(100 * 1024)
    await limit.take(100 * 1024)
    const order: number[] = []
    const first = limit.take(50 * 1024).then(() => { order.push(1) })
    const ac = new AbortController()
    const second = limit.take(50 * 1024, ac.signal).then(() => { order.push(2) })
    const third = limit.take(10).then(() => { order.push(3) })
    await first
    ac.abort(new Error('stop'))
    await assert.rejects(second, /stop/)
    await third
    assert.deepEqual(order, [1, 3])
  })

  it('0 is unlimited; a throttle over unlimited limits is none', async () => {
    const limits = rateLimits({ upload: 0, download: 0, churtenDownload: 0 })
    assert.equal(limits.download.unlimited, true)
    assert.equal(throttleOf(limits.download, limits.churtenDownload), undefined)
    const t0 = performance.now()
    await limits.download.take(1024 * MiB)
    assert.ok(performance.now() - t0 < 50)
    assert.notEqual(throttleOf(limits.download, new RateLimit(MiB)), undefined)
  })
})
