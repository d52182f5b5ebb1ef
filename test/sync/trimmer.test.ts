import assert from 'node:assert/strict'
import { HistoryTrimmer } from '../../node/sync/trimmer.js'
import { silentLogger } from '../../node/log.js'
import { hashBytes } from '../../node/real/hasher.js'
import { hashToHex } from '../../datastore/types/hash.js'
import { tempArenaStore } from '../helpers/stores.js'
import type { RelPath } from '../../datastore/types/path.js'

const DAY = 24 * 3600_000

describe('history trimming (spec section 3)', () => {
  let h: Awaited<ReturnType<typeof tempArenaStore>>
  let now: number
  let members: string[]
  let trimmer: HistoryTrimmer
  beforeEach(async () => {
    h = await tempArenaStore()
    now = 1_000 * DAY
    members = ['b', 'c']
    trimmer = new HistoryTrimmer(h.store, { members: () => members, inactiveAfterMs: 30 * DAY, log: silentLogger, now: () => now, delayMs: 60_000 })
    // Ten entries: n = 1..10.
    await h.store.store.write((batch) => {
      for (let i = 1; i <= 10; i++) h.store.history.append(batch, { kind: 'add', path: `f${i}` as RelPath, size: 1, mtime: i, hash: hashBytes(Buffer.from(String(i))) })
    })
  })
  afterEach(async () => {
    await trimmer.stop()
    await h.cleanup()
  })

  it('trims through the lowest acknowledgement of the active members', async () => {
    await trimmer.acknowledge('b', 7)
    await trimmer.acknowledge('c', 4)
    assert.equal(await trimmer.trim(), 4)
    assert.equal(await h.store.history.firstN(), 5)
    await trimmer.acknowledge('c', 10)
    assert.equal(await trimmer.trim(), 3)
    assert.equal(await h.store.history.firstN(), 8)
  })

  it('a member silent for longer than inactive_after stops holding history back', async () => {
    await trimmer.acknowledge('c', 2)
    now += 31 * DAY
    await trimmer.acknowledge('b', 9)
    assert.equal(await trimmer.trimmable(), 9)
    assert.equal(await trimmer.trim(), 9)
  })

  it('ignores acknowledgements of an older store, of peers no longer sharing the arena, and trims all with nobody left', async () => {
    await trimmer.acks.put('b', { storeId: new Uint8Array(16).fill(1), acked: 1, lastActive: now })
    await trimmer.acknowledge('gone', 1)
    members = ['b']
    assert.equal(await trimmer.trimmable(), 10)
    members = []
    assert.equal(await trimmer.trim(), 10)
    assert.equal(await h.store.history.firstN(), undefined)
  })

  it('never trims past what an open subscription may still read from the store', async () => {
    const subscription = {}
    trimmer.hold(subscription, 3)
    await trimmer.acknowledge('b', 10)
    await trimmer.acknowledge('c', 10)
    assert.equal(await trimmer.trimmable(), 3)
    trimmer.hold(subscription, undefined)
    assert.equal(await trimmer.trimmable(), 10)
  })

  it('keeps acknowledgements across a restart, saved in one batch at the latest when it stops', async () => {
    await trimmer.acknowledge('b', 6)
    await trimmer.acknowledge('c', 8)
    await trimmer.stop()
    await h.reopen()
    const again = new HistoryTrimmer(h.store, { members: () => members, inactiveAfterMs: 30 * DAY, log: silentLogger, now: () => now })
    assert.equal(await again.trimmable(), 6)
  })

  it('expires tombstones older than inactive_after, keeps newer ones, and a trim sweeps them', async () => {
    const h1 = hashBytes(Buffer.from('old'))
    const h2 = hashBytes(Buffer.from('new'))
    await h.store.store.write((batch) => {
      h.store.tombstones.put(batch, 'old.txt' as RelPath, [h1], now - 31 * DAY)
      h.store.tombstones.put(batch, 'recent.txt' as RelPath, [h2], now - 29 * DAY)
    })
    await trimmer.trim()
    assert.equal(await h.store.tombstones.get('old.txt' as RelPath), undefined)
    assert.deepEqual((await h.store.tombstones.get('recent.txt' as RelPath))?.map(hashToHex), [hashToHex(h2)])
    now += 2 * DAY
    assert.equal(await trimmer.expireTombstones(), 1)
    assert.equal(await h.store.tombstones.get('recent.txt' as RelPath), undefined)
  })
})
