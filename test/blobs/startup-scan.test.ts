import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { hashBytes } from '../../node/real/hasher.js'
import { blobQueueTable } from '../../datastore/tables/blobs.js'
import { tempBlobs, type TestBlobs } from '../helpers/blobs.js'
import type { FaultPoint } from '../../node/blobs/blob-store.js'

class Crash extends Error {}

describe('blob store: crash safety and the startup scan {#bloblru}', () => {
  let t: TestBlobs
  let crashAt: FaultPoint | undefined
  const faults = (point: FaultPoint): void => { if (point === crashAt) throw new Crash(`crash at ${point}`) }
  beforeEach(async () => {
    crashAt = undefined
    t = await tempBlobs({ faults, checkpointBytes: 64 * 1024 })
  })
  afterEach(async () => { await t.cleanup() })

  it('removes the file of a blob whose table entry never committed (crash between file and table write)', async () => {
    const keep = await t.blobs.create(hashBytes(Buffer.from('k')), 1)
    await keep.write(Buffer.from('k'), 0)
    await keep.close()
    crashAt = 'create:before-table'
    await assert.rejects(t.blobs.create(hashBytes(Buffer.from('x')), 100_000), Crash)
    const files = await readdir(t.blobs.dir)
    assert.equal(files.length, 2, 'the new file was created before the crash')
    crashAt = undefined
    await t.reopen()
    assert.equal(t.blobs.scanReport.orphans, 1)
    assert.deepEqual(await readdir(t.blobs.dir), [String(keep.id)])
    // ids are not confused: the next blob works normally
    const h = await t.blobs.create(hashBytes(Buffer.from('y')), 1)
    await h.write(Buffer.from('y'), 0)
    await h.close()
    assert.deepEqual(await t.blobs.verify(h.id), { ok: true })
  })

  it('after a crash between the data write and its checkpoint, claims only what was checkpointed', async () => {
    const data = randomBytes(256 * 1024)
    const h = await t.blobs.create(hashBytes(data), data.byteLength)
    await h.write(data.subarray(0, 64 * 1024), 0) // checkpointed (64 KiB)
    crashAt = 'checkpoint:before-table'
    await assert.rejects(h.write(data.subarray(64 * 1024, 128 * 1024), 64 * 1024), Crash)
    // the bytes are in the file, the table does not know them; the process dies here
    await t.reopen()
    crashAt = undefined
    const info = await t.blobs.get(h.id)
    assert.deepEqual(info?.written.toJSON(), [[0, 64 * 1024]])
    assert.equal(info?.allocated, (await stat(t.blobs.pathOf(h.id))).blocks * 512, 'allocation recounted from the file')
    assert.equal(t.blobs.usedBytes, info?.allocated)
    const r = await t.blobs.open(h.id, { write: true })
    await assert.rejects(r.read(Buffer.alloc(1), 64 * 1024), { code: 'DATA_UNAVAILABLE' })
    await r.write(data.subarray(64 * 1024), 64 * 1024)
    await r.close()
    assert.deepEqual(await t.blobs.verify(h.id), { ok: true })
  })

  it('after a crash between deleting the entry and the file, removes the file', async () => {
    const h = await t.blobs.create(hashBytes(Buffer.from('z')), 1)
    await h.close()
    crashAt = 'evict:before-file'
    await assert.rejects(t.blobs.delete(h.id), Crash)
    crashAt = undefined
    await t.reopen()
    assert.equal(t.blobs.scanReport.orphans, 1)
    assert.deepEqual(await readdir(t.blobs.dir), [])
  })

  it('keeps the real file when a crash hits an adopt before the move', async () => {
    const src = join(t.dataDir, 'real.txt')
    await writeFile(src, 'only copy')
    crashAt = 'adopt:before-file'
    await assert.rejects(t.blobs.adopt(src, hashBytes(Buffer.from('only copy')), 9), Crash)
    crashAt = undefined
    await t.reopen()
    assert.equal((await stat(src)).size, 9, 'the file is where it was')
    assert.equal(t.blobs.scanReport.missing, 1)
    const [id] = await t.blobs.queue('working')
    const info = await t.blobs.get(id as number)
    assert.equal(info?.verified, false)
    assert.ok(info?.written.isEmpty, 'the entry claims nothing')
  })

  it('reconciles missing files, wrong sizes, stray files and broken queue totals', async () => {
    const data = randomBytes(100_000)
    const ids: number[] = []
    for (let i = 0; i < 3; i++) {
      const h = await t.blobs.create(hashBytes(data), data.byteLength)
      await h.write(data, 0)
      await h.close()
      ids.push(h.id)
    }
    const [gone, shrunk, fine] = ids as [number, number, number]
    await t.blobs.verify(fine)
    await rm(t.blobs.pathOf(gone))
    await truncate(t.blobs.pathOf(shrunk), 50_000)
    await writeFile(join(t.blobs.dir, 'stray.part'), 'x')
    await writeFile(join(t.blobs.dir, '999'), 'x')
    await t.arenas.get('photos')?.arena.store.write((b) => { b.put(blobQueueTable, 'working', { head: fine, tail: fine, count: 1, bytes: 1 }) })
    await t.reopen()
    const r = t.blobs.scanReport
    assert.deepEqual([r.orphans, r.missing, r.resized], [2, 1, 1])
    assert.deepEqual(r.rebuilt, ['working'])
    assert.ok((await t.blobs.get(gone))?.written.isEmpty)
    assert.deepEqual((await t.blobs.get(shrunk))?.written.toJSON(), [[0, 50_000]])
    assert.equal((await stat(t.blobs.pathOf(shrunk))).size, 100_000, 'cut back (here: grown) to the blob size')
    assert.equal((await t.blobs.get(fine))?.verified, true)
    assert.deepEqual(await t.blobs.queue('working'), ids)
    const q = await t.arenas.get('photos')?.arena.blobs.queue('working')
    let sum = 0
    for (const id of ids) sum += (await t.blobs.get(id))?.allocated ?? 0
    assert.deepEqual([q?.count, q?.bytes], [3, sum])
    assert.equal(t.blobs.usedBytes, sum)
  })
})
