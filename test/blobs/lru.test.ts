import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { hashBytes } from '../../node/real/hasher.js'
import { CacheFullError } from '../../node/blobs/errors.js'
import { PROMOTE_GAP_MS } from '../../node/blobs/queues.js'
import { allocatedBytes, resolveCapacity } from '../../node/blobs/capacity.js'
import { tempBlobs, type TestBlobs } from '../helpers/blobs.js'
import type { BlobStore } from '../../node/blobs/blob-store.js'

const KiB = 1024
const BLOB = 256 * KiB

/** A complete blob of BLOB random bytes; returns its id and its allocated size. */
async function fill (blobs: BlobStore, queue: 'working' | 'protected' = 'working'): Promise<number> {
  const data = randomBytes(BLOB)
  const h = await blobs.create(hashBytes(data), BLOB, { queue })
  await h.write(data, 0)
  await h.close()
  return h.id
}

describe('blob cache: LRU queues and eviction {#bloblru}', () => {
  let t: TestBlobs
  let clock: number
  const now = (): number => clock
  beforeEach(() => { clock = 1_000_000 })
  afterEach(async () => { await t.cleanup() })

  /** Capacity for exactly `n` full blobs, measured on this file system. */
  async function open (n: number, arenas?: string[]): Promise<void> {
    t = await tempBlobs({ capacity: 1024 ** 3, now, arenas })
    const id = await fill(t.blobs)
    const per = allocatedBytes(await stat(t.blobs.pathOf(id)))
    await t.blobs.delete(id)
    await t.cleanup()
    t = await tempBlobs({ capacity: per * n, now, arenas })
  }

  it('orders the working queue by last access: a read moves a blob to the end', async () => {
    await open(10)
    const a = await fill(t.blobs); clock++
    const b = await fill(t.blobs); clock++
    const c = await fill(t.blobs); clock++
    assert.deepEqual(await t.blobs.queue('working'), [a, b, c])
    await (await t.blobs.open(a)).close(); clock++
    assert.deepEqual(await t.blobs.queue('working'), [b, c, a])
    await (await t.blobs.open(b)).close()
    assert.deepEqual(await t.blobs.queue('working'), [c, a, b])
    await t.reopen()
    assert.deepEqual(await t.blobs.queue('working'), [c, a, b], 'the order is in the store')
    assert.equal((await t.blobs.get(b))?.lastAccess, clock)
  })

  it('promotes a working blob read in three sessions a minute apart, not three reads in a burst', async () => {
    await open(10)
    const burst = await fill(t.blobs)
    for (let i = 0; i < 5; i++) { await (await t.blobs.open(burst)).close(); clock += 1000 }
    assert.equal((await t.blobs.get(burst))?.queue, 'working')
    const used = await fill(t.blobs)
    for (let i = 0; i < 3; i++) { await (await t.blobs.open(used)).close(); clock += PROMOTE_GAP_MS }
    const info = await t.blobs.get(used)
    assert.equal(info?.queue, 'protected')
    assert.equal(info?.keep, false, 'promoted, not marked keep')
  })

  it('evicts pending removal first, then working, oldest first; never keep-protected or open blobs', async () => {
    await open(6)
    const keep = await fill(t.blobs, 'protected'); clock++
    const w1 = await fill(t.blobs); clock++
    const p1 = await fill(t.blobs); clock++
    const w2 = await fill(t.blobs); clock++
    const openW = await fill(t.blobs); clock++
    const p2 = await fill(t.blobs); clock++
    const arena = t.arenas.get('photos')?.arena
    await arena?.store.write(async (b) => { await t.blobs.retire(b, p1); await t.blobs.retire(b, p2) })
    assert.deepEqual(await t.blobs.queue('pending'), [p1, p2])
    const reader = await t.blobs.open(openW)
    assert.deepEqual(await t.blobs.queue('working'), [w1, w2, openW])

    const evicted: number[] = []
    const gone = async (): Promise<number[]> => {
      const out: number[] = []
      for (const id of [keep, w1, p1, w2, openW, p2]) if (await t.blobs.get(id) == null) out.push(id)
      return out
    }
    for (let i = 0; i < 4; i++) {
      await fill(t.blobs)
      evicted.splice(0, evicted.length, ...await gone())
    }
    assert.deepEqual(evicted.sort(), [p1, p2, w1, w2].sort())
    assert.ok(await t.blobs.get(keep), 'protected (keep) untouched')
    assert.ok(await t.blobs.get(openW), 'open blob untouched')
    await assert.rejects(stat(t.blobs.pathOf(p1)), { code: 'ENOENT' }, 'the file goes with the entry')
    await reader.close()
  })

  it('evicts in that order: pending before working, each oldest first', async () => {
    await open(4)
    const w1 = await fill(t.blobs); clock++
    const p1 = await fill(t.blobs); clock++
    const w2 = await fill(t.blobs); clock++
    const p2 = await fill(t.blobs); clock++
    await t.arenas.get('photos')?.arena.store.write(async (b) => { await t.blobs.retire(b, p2); await t.blobs.retire(b, p1) })
    const order: number[] = []
    for (let i = 0; i < 4; i++) {
      await fill(t.blobs); clock++
      for (const id of [w1, p1, w2, p2]) if (!order.includes(id) && await t.blobs.get(id) == null) order.push(id)
    }
    // p2 was retired first, so it is the oldest in the pending queue
    assert.deepEqual(order, [p2, p1, w1, w2])
  })

  it('evicts the oldest across arenas sharing the cache, and promoted blobs only after working ones', async () => {
    await open(3, ['a', 'b'])
    const a = t.arenas.get('a')?.blobs as BlobStore
    const b = t.arenas.get('b')?.blobs as BlobStore
    const promoted = await fill(a)
    for (let i = 0; i < 3; i++) { await (await a.open(promoted)).close(); clock += PROMOTE_GAP_MS }
    const oldB = await fill(b); clock++
    const newA = await fill(a); clock++
    await fill(b); clock++
    assert.equal(await b.get(oldB), undefined, 'the oldest working blob of either arena')
    assert.ok(await a.get(promoted))
    await fill(b); clock++
    assert.equal(await a.get(newA), undefined)
    // the remaining working blobs are in use: the promoted one goes next
    const inUse = await Promise.all((await b.queue('working')).map(async (id) => await b.open(id)))
    await fill(b); clock++
    assert.equal(await a.get(promoted), undefined, 'promoted blobs go once no working blob can')
    for (const h of inUse) await h.close()
  })

  it('fails a keep download that cannot fit with CACHE_FULL, creating nothing', async () => {
    await open(3)
    const k1 = await fill(t.blobs, 'protected')
    const k2 = await fill(t.blobs, 'protected')
    const w = await fill(t.blobs)
    const big = randomBytes(2 * BLOB)
    await assert.rejects(t.blobs.create(hashBytes(big), big.byteLength, { queue: 'protected' }), (err: unknown) => {
      assert.ok(err instanceof CacheFullError)
      assert.equal(err.code, 'CACHE_FULL')
      assert.match(err.message, /^cache full: need .* more, capacity .*, .* used by blobs that are marked keep or in use$/)
      return true
    })
    assert.equal(await t.blobs.get(w), undefined, 'the working blob was evicted trying')
    assert.deepEqual(await t.blobs.queue('protected'), [k1, k2])
    assert.equal(t.cache.reserved, 0, 'nothing stays reserved')
    // an on-demand write that cannot fit fails the same way
    await t.blobs.keep(k1, true)
    const h = await t.blobs.create(hashBytes(big), big.byteLength)
    await h.write(big.subarray(0, BLOB / 2), 0)
    await assert.rejects(h.write(big.subarray(BLOB, 2 * BLOB), BLOB), { code: 'CACHE_FULL' })
    await h.close()
    await t.blobs.delete(h.id)
    // no longer keep: evictable again
    await t.blobs.keep(k1, false)
    assert.equal((await t.blobs.get(k1))?.queue, 'working')
    await fill(t.blobs, 'protected')
    assert.ok(await t.blobs.get(k1), 'there was room')
    await fill(t.blobs, 'protected')
    assert.equal(await t.blobs.get(k1), undefined)
  })

  it('sizes the cache in bytes or percent of the data directory\'s file system', async () => {
    t = await tempBlobs()
    assert.equal(await resolveCapacity({ bytes: 12345 }, t.dataDir), 12345)
    const { statfs } = await import('node:fs/promises')
    const fs = await statfs(t.dataDir)
    assert.equal(await resolveCapacity({ percent: 10 }, t.dataDir), Math.floor(fs.blocks * fs.bsize / 10))
  })
})
