import assert from 'node:assert/strict'
import { join } from 'node:path'
import { GlobalStore } from '../../datastore/global-store.js'
import { blobQueueTable, blobTable, type BlobEntry } from '../../datastore/tables/blobs.js'
import { conflictsTable } from '../../datastore/tables/conflicts.js'
import {
  CHOSEN, dirKey, fileKey, peerKey, unrealDirTable, unrealFileTable, unrealInodeTable, unrealPeerTable
} from '../../datastore/tables/unreal-tree.js'
import { openLevel } from '../../node/stores.js'
import { hashBytes } from '../../node/real/hasher.js'
import { ByteRanges } from '../../datastore/types/byte-ranges.js'
import { parsePath } from '../../datastore/types/path.js'
import { tempArenaStore } from '../helpers/stores.js'
import { tempDir } from '../helpers/tmp.js'
import { collect } from '../helpers/unreal.js'
import type { ArenaStore } from '../../datastore/arena-store.js'

const h1 = hashBytes(Buffer.from('one'))
const h2 = hashBytes(Buffer.from('two'))

describe('unreal tables: keys and values', () => {
  let h: Awaited<ReturnType<typeof tempArenaStore>>
  let s: ArenaStore
  beforeEach(async () => { h = await tempArenaStore(); s = h.store })
  afterEach(async () => { await h.cleanup() })

  it('lists one directory with a clean prefix, in name byte order, whatever the inode numbers', async () => {
    const names = ['b', 'a', 'é', '日本', 'a b', 'Z', 'ab', '😀']
    await s.store.write((b) => {
      for (const [i, n] of names.entries()) b.put(unrealDirTable, dirKey(1, n), { inode: 100 + i, kind: i % 2 === 0 ? 'file' as const : 'dir' as const })
      // neighbours that share leading digits or would sort inside a sloppy prefix
      b.put(unrealDirTable, dirKey(0x10, 'x'), { inode: 9, kind: 'file' as const })
      b.put(unrealDirTable, dirKey(0x100, 'y'), { inode: 9, kind: 'file' as const })
      b.put(unrealDirTable, dirKey(0, 'z'), { inode: 9, kind: 'file' as const })
    })
    const listed = await collect(s.unreal.children(1))
    assert.deepEqual(listed.map(([n]) => n), [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))))
    assert.deepEqual(listed.find(([n]) => n === '日本')?.[1], { inode: 103, kind: 'dir' })
    assert.deepEqual((await collect(s.unreal.children(0x10))).map(([n]) => n), ['x'])
  })

  it('puts a file\'s chosen entry before its peers, and a peer\'s files under its own prefix', async () => {
    const version = { hash: h1, size: 3, mtime: 1700000000000.5 }
    await s.store.write((b) => {
      b.put(unrealFileTable, fileKey(7, 'peerB'), { version, chain: [] })
      b.put(unrealFileTable, fileKey(7, CHOSEN), { version, chain: [h2, h1], blobId: 42, basisBlobId: 41 })
      b.put(unrealFileTable, fileKey(7, 'peerA'), { version, chain: [] })
      b.put(unrealFileTable, fileKey(8, 'peerA'), { version, chain: [] })
      b.put(unrealPeerTable, peerKey('peerA', 7), 3)
      b.put(unrealPeerTable, peerKey('peerA', 8), 4)
      b.put(unrealPeerTable, peerKey('peerAB', 9), 1)
      b.put(unrealInodeTable, 7, { parent: 1, name: 'f:ü', kind: 'file' as const, children: 0 })
    })
    const entries = await collect(s.unreal.fileEntries(7))
    assert.deepEqual(entries.map(([p]) => p), [CHOSEN, 'peerA', 'peerB'])
    assert.deepEqual(entries[0]?.[1], { version, chain: [h2, h1], blobId: 42, basisBlobId: 41 })
    assert.deepEqual(entries[1]?.[1], { version, chain: [] }, 'decoded hashes compare equal to computed ones')
    assert.deepEqual(await collect(s.unreal.peerFiles('peerA')), [[7, 3], [8, 4]])
    assert.deepEqual(await s.unreal.inode(7), { parent: 1, name: 'f:ü', kind: 'file' as const, children: 0 })
  })

  it('round-trips blob entries with their written ranges and queue totals', async () => {
    const e: BlobEntry = {
      hash: h1, size: 10_000_000, written: ByteRanges.of([0, 4096], [1_000_000, 2_000_000]), verified: false, queue: 'pending',
      prev: 3, next: 0, lastAccess: 1700000000123.25, allocated: 1_004_096, keep: false, reads: 2, countedAt: 1700000000000
    }
    await s.store.write((b) => {
      b.put(blobTable, 5, e)
      b.put(blobQueueTable, 'pending', { head: 3, tail: 5, count: 2, bytes: 2_000_000 })
    })
    const back = await s.blobs.get(5)
    assert.deepEqual({ ...back, written: back?.written.toJSON() }, { ...e, written: e.written.toJSON() })
    assert.deepEqual(await s.blobs.queue('pending'), { head: 3, tail: 5, count: 2, bytes: 2_000_000 })
    assert.deepEqual(await s.blobs.queue('working'), { head: 0, tail: 0, count: 0, bytes: 0 })
  })

  it('keeps a conflict while either side has one', async () => {
    const p = parsePath('a/b')
    const version = { hash: h1, size: 1, mtime: 2 }
    await s.store.write((b) => { s.conflicts.put(b, p, { remote: [{ peer: 'x', version }], chosen: h1 }) })
    assert.deepEqual(await s.conflicts.get(p), { remote: [{ peer: 'x', version }], chosen: h1 })
    await s.store.write((b) => { s.conflicts.put(b, p, { local: version, remote: [] }) })
    assert.deepEqual(await s.conflicts.get(p), { local: version, remote: [] })
    await s.store.write((b) => { s.conflicts.put(b, p, { remote: [] }) })
    assert.equal(await s.store.get(conflictsTable, p), undefined)
  })
})

describe('inode range allocation table {#inoderange}', () => {
  it('allocates after the last end, and returns a range the arena already has beyond the end it passes', async () => {
    const { dir, cleanup } = await tempDir()
    const g = await GlobalStore.open(await openLevel(join(dir, 'g')))
    try {
      const r = g.inodeRanges
      assert.deepEqual(await r.allocate('a', 0, 100), { start: 2, end: 102 })
      assert.deepEqual(await r.allocate('b', 0, 100), { start: 102, end: 202 })
      assert.deepEqual(await r.allocate('a', 0, 100), { start: 2, end: 102 }, 'a forgot its first range')
      assert.deepEqual(await r.allocate('a', 102, 50), { start: 202, end: 252 })
      assert.deepEqual(await r.allocate('a', 102, 50), { start: 202, end: 252 }, 'a forgot its second range')
      assert.deepEqual(await r.allocate('b', 202, 10), { start: 252, end: 262 })
      assert.deepEqual(await r.allocate('a', 252, 10), { start: 262, end: 272 })
      await assert.rejects(r.allocate('a', 0, 0), RangeError)
    } finally {
      await g.close()
      await cleanup()
    }
  })
})
