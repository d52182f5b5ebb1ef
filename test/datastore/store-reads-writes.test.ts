import assert from 'node:assert/strict'
import { encodeText } from '../../datastore/keys.js'
import { indexTable } from '../../datastore/tables/index-table.js'
import { dirtyByPath } from '../../datastore/tables/dirty.js'
import { hashBytes } from '../../node/real/hasher.js'
import { storeBackends } from '../helpers/stores.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Datastore } from 'interface-datastore'
import type { RelPath } from '../../datastore/types/path.js'

const h = hashBytes(Buffer.from('x'))
const p = (s: string): RelPath => s as RelPath

/** Counts the batches committed through the datastore (the real one underneath). */
function countCommits (ds: Datastore): { count: number } {
  const counter = { count: 0 }
  const batch = ds.batch.bind(ds)
  ds.batch = () => {
    const b = batch()
    const commit = b.commit.bind(b)
    b.commit = async (...args) => { counter.count++; await commit(...args) }
    return b
  }
  return counter
}

for (const backend of storeBackends) describe(`Store on ${backend.name}: point reads, batched scans, group commit`, () => {
  let t: Awaited<ReturnType<typeof backend.open>>
  let s: ArenaStore
  beforeEach(async () => { t = await backend.open(); s = t.store })
  afterEach(async () => { await t.cleanup() })

  it('reads a missing key as undefined (on LevelDB without a thread-pool round trip)', async () => {
    assert.equal(s.store.syncReads, backend.syncReads)
    assert.equal(await s.store.get(indexTable, p('nope')), undefined)
    await s.store.write((b) => { s.index.put(b, p('yes'), { hash: h, size: 1, mtime: 2 }) })
    assert.equal((await s.store.get(indexTable, p('yes')))?.size, 1)
  })

  it('scans past the first and later read batches in key order, and stops early cleanly', async () => {
    const names = Array.from({ length: 2500 }, (_, i) => `d/f${String(i).padStart(5, '0')}`)
    await s.store.write((b) => { for (const n of names) s.index.put(b, p(n), { hash: h, size: 1, mtime: 1 }) })
    await s.store.write((b) => { s.index.put(b, p('e/other'), { hash: h, size: 1, mtime: 1 }) })
    const all: string[] = []
    for await (const [k] of s.store.scan(indexTable, { prefix: encodeText('d/') })) all.push(k)
    assert.deepEqual(all, names)
    // The same a batch at a time (ls of a large directory): at most 1000 per batch, nothing else in the prefix.
    const sizes: number[] = []
    const batched: string[] = []
    for await (const batch of s.store.scanBatches(indexTable, { prefix: encodeText('d/') })) {
      sizes.push(batch.length)
      for (const [k] of batch) batched.push(k)
    }
    assert.deepEqual(batched, names)
    assert.ok(sizes.length >= 3 && sizes.every((n) => n > 0 && n <= 1000), sizes.join(','))
    const keys: string[] = []
    for await (const k of s.store.scanKeys(indexTable)) keys.push(k)
    assert.equal(keys.length, 2501)
    for await (const _ of s.store.scan(indexTable)) break
    const aborted = new AbortController()
    aborted.abort(new Error('stop'))
    await assert.rejects(async () => { for await (const _ of s.store.scan(indexTable, { signal: aborted.signal })) {} }, /stop/)
  })

  it('commits grouped writes queued together in one batch, each all or nothing and seeing the ones before', async () => {
    const commits = countCommits(s.store.datastore)
    const seen: Array<number | undefined> = []
    const writes = [1, 2, 3, 4].map(async (i) => await s.store.writeGrouped(async (b) => {
      seen.push(await b.get(dirtyByPath, p('x')))
      b.put(dirtyByPath, p('x'), i)
      b.put(dirtyByPath, p(`only${i}`), i)
      if (i === 3) throw new Error('writer 3 fails')
      return i
    }))
    const results = await Promise.allSettled(writes)
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    assert.equal(commits.count, 1, 'one datastore batch for the group')
    // Writer 3 saw writer 2's value; writer 4 did not see writer 3's (left out).
    assert.deepEqual(seen, [undefined, 1, 2, 2])
    assert.equal(await s.store.get(dirtyByPath, p('x')), 4)
    assert.equal(await s.store.get(dirtyByPath, p('only3')), undefined)
    assert.equal(await s.store.get(dirtyByPath, p('only2')), 2)
  })

  it('keeps the order with plain writes: a grouped write queued after one runs after it', async () => {
    const order: string[] = []
    const first = s.store.writeGrouped((b) => { order.push('g1'); b.put(dirtyByPath, p('x'), 1) })
    const plain = s.store.write((b) => { order.push('plain'); b.put(dirtyByPath, p('x'), 2) })
    const second = s.store.writeGrouped(async (b) => { order.push('g2'); return await b.get(dirtyByPath, p('x')) })
    await first
    await plain
    assert.equal(await second, 2)
    assert.deepEqual(order, ['g1', 'plain', 'g2'])
  })
})
