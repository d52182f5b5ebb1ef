import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Uint8ArrayList } from 'uint8arraylist'
import { hashBytes } from '../../node/real/hasher.js'
import { DataUnavailableError } from '../../node/blobs/errors.js'
import { tempBlobs, type TestBlobs } from '../helpers/blobs.js'

const MiB = 1024 * 1024

describe('BlobStore: sparse files and reads {#bloblru}', () => {
  let t: TestBlobs
  beforeEach(async () => { t = await tempBlobs({ arenas: ['docs/office'] }) })
  afterEach(async () => { await t.cleanup() })

  it('keeps a blob as a sparse file under <data>/blobs/<arena>/<id>', async () => {
    const data = randomBytes(8 * MiB)
    const h = await t.blobs.create(hashBytes(data), data.byteLength)
    assert.equal(t.blobs.pathOf(h.id), join(t.dataDir, 'blobs', 'docs%2Foffice', String(h.id)))
    await h.write(data.subarray(0, 4096), 0)
    await h.close()
    const st = await stat(t.blobs.pathOf(h.id))
    assert.equal(st.size, 8 * MiB)
    assert.ok(st.blocks * 512 < MiB, 'holes cost no space')
    const info = await t.blobs.get(h.id)
    assert.equal(info?.allocated, st.blocks * 512, 'usage is counted in allocated blocks')
    assert.equal(t.blobs.usedBytes, st.blocks * 512)
  })

  it('writes anywhere in bounds and reads back; a read whose start is missing fails with DATA_UNAVAILABLE', async () => {
    const data = randomBytes(100_000)
    const h = await t.blobs.create(hashBytes(data), data.byteLength)
    await h.write(data.subarray(50_000, 60_000), 50_000)
    await h.write(data.subarray(0, 1000), 0)
    assert.deepEqual(h.written.toJSON(), [[0, 1000], [50_000, 60_000]])
    const buf = Buffer.alloc(5000)
    // a read runs up to the end of what is there
    assert.equal(await h.read(buf, 500), 500)
    assert.deepEqual(buf.subarray(0, 500), data.subarray(500, 1000))
    await assert.rejects(h.read(buf, 1000), (err: unknown) => {
      assert.ok(err instanceof DataUnavailableError)
      assert.equal(err.code, 'DATA_UNAVAILABLE')
      assert.deepEqual(err.missing, { start: 1000, end: 6000 })
      return true
    })
    await assert.rejects(h.read(buf, 45_000), { code: 'DATA_UNAVAILABLE', missing: { start: 45_000, end: 50_000 } })
    assert.equal(await h.read(buf, 55_000), 5000)
    assert.deepEqual(buf, data.subarray(55_000, 60_000))
    assert.equal(await h.read(buf, 100_000), 0, 'at the end: nothing')
    await h.close()
  })

  it('writes a chunk given as the pieces it arrived in, in one go, and verifies it', async () => {
    const data = randomBytes(3 * MiB + 123)
    const h = await t.blobs.create(hashBytes(data), data.byteLength)
    const pieces = new Uint8ArrayList()
    for (let at = 0; at < data.byteLength; at += 65_519) pieces.append(data.subarray(at, at + 65_519))
    await h.write(pieces, 0)
    assert.deepEqual(h.written.toJSON(), [[0, data.byteLength]])
    await h.close()
    assert.ok((await readFile(t.blobs.pathOf(h.id))).equals(data))
    assert.equal((await t.blobs.verify(h.id)).ok, true)
  })

  it('rejects a write past the blob size, and writes to a verified blob', async () => {
    const data = randomBytes(1000)
    const h = await t.blobs.create(hashBytes(data), 1000)
    await assert.rejects(h.write(Buffer.alloc(10), 995), { code: 'OUT_OF_BOUNDS' })
    await assert.rejects(h.write(Buffer.alloc(1), 1000), { code: 'OUT_OF_BOUNDS' })
    await assert.rejects(h.write(Buffer.alloc(1), -1), { code: 'OUT_OF_BOUNDS' })
    assert.ok(h.written.isEmpty, 'nothing was written')
    assert.equal((await stat(t.blobs.pathOf(h.id))).size, 1000, 'the file did not grow')
    await h.write(data, 0)
    await h.close()
    assert.deepEqual(await t.blobs.verify(h.id), { ok: true })
    const w = await t.blobs.open(h.id, { write: true })
    await assert.rejects(w.write(Buffer.alloc(1), 0), { code: 'BLOB_VERIFIED' })
    await w.close()
    const r = await t.blobs.open(h.id)
    await assert.rejects(r.write(Buffer.alloc(1), 0), { code: 'BLOB_READ_ONLY' })
    await r.close()
  })

  it('verifies: a match marks it verified, a mismatch reports the actual hash, a gap is DATA_UNAVAILABLE', async () => {
    const data = randomBytes(300_000)
    const h = await t.blobs.create(hashBytes(data), data.byteLength)
    await h.write(data.subarray(0, 200_000), 0)
    await h.close()
    await assert.rejects(t.blobs.verify(h.id), { code: 'DATA_UNAVAILABLE', missing: { start: 200_000, end: 300_000 } })
    const w = await t.blobs.open(h.id, { write: true })
    const bad = Buffer.from(data.subarray(200_000))
    bad.writeUInt8(bad.readUInt8(5) ^ 1, 5)
    await w.write(bad, 200_000)
    await w.close()
    const wrong = await t.blobs.verify(h.id)
    assert.equal(wrong.ok, false)
    assert.deepEqual(!wrong.ok && wrong.actual, hashBytes(Buffer.concat([data.subarray(0, 200_000), bad])))
    assert.equal((await t.blobs.get(h.id))?.verified, false)
    // repair the range, verify again
    const r = await t.blobs.open(h.id, { write: true })
    await r.write(data.subarray(200_000), 200_000)
    await r.close()
    assert.deepEqual(await t.blobs.verify(h.id), { ok: true })
    await t.reopen()
    const info = await t.blobs.get(h.id)
    assert.equal(info?.verified, true)
    assert.deepEqual(info?.written.toJSON(), [[0, 300_000]])
    assert.deepEqual(await readFile(t.blobs.pathOf(h.id)), data)
  })

  it('lets readers see a concurrent writer\'s bytes before any checkpoint', async () => {
    const data = randomBytes(64 * 1024)
    const w = await t.blobs.create(hashBytes(data), data.byteLength)
    const r = await t.blobs.open(w.id)
    await assert.rejects(r.read(Buffer.alloc(10), 0), { code: 'DATA_UNAVAILABLE' })
    await w.write(data, 0)
    const buf = Buffer.alloc(data.byteLength)
    assert.equal(await r.read(buf, 0), data.byteLength)
    assert.deepEqual(buf, data)
    await Promise.all([w.close(), r.close()])
  })

  it('persists written ranges at checkpoints and on close, and resumes after a restart', async () => {
    await t.cleanup()
    t = await tempBlobs({ checkpointBytes: 256 * 1024 })
    const data = randomBytes(MiB)
    const h = await t.blobs.create(hashBytes(data), data.byteLength)
    for (let off = 0; off < 512 * 1024; off += 64 * 1024) await h.write(data.subarray(off, off + 64 * 1024), off)
    assert.deepEqual((await t.arenas.get('photos')?.arena.blobs.get(h.id))?.written.toJSON(), [[0, 512 * 1024]], 'checkpointed every 256 KiB')
    await h.write(data.subarray(600_000, 700_000), 600_000)
    await h.close()
    await t.reopen()
    const w = await t.blobs.open(h.id, { write: true })
    assert.deepEqual(w.written.toJSON(), [[0, 512 * 1024], [600_000, 700_000]])
    await w.write(data.subarray(512 * 1024, 600_000), 512 * 1024)
    await w.write(data.subarray(700_000), 700_000)
    await w.close()
    assert.deepEqual(await t.blobs.verify(h.id), { ok: true })
  })

  it('adopts a real file (unrealize): moved, not copied, complete and verified', async () => {
    const src = join(t.dataDir, 'real.bin')
    const data = randomBytes(200_000)
    await writeFile(src, data)
    const st = await stat(src)
    await assert.rejects(t.blobs.adopt(src, hashBytes(data), data.byteLength, { expectMtime: st.mtimeMs + 1 }), { code: 'FILE_CHANGED' })
    const id = await t.blobs.adopt(src, hashBytes(data), data.byteLength, { expectMtime: st.mtimeMs })
    await assert.rejects(stat(src), { code: 'ENOENT' })
    assert.equal((await stat(t.blobs.pathOf(id))).ino, st.ino, 'renamed into the cache')
    const info = await t.blobs.get(id)
    assert.equal(info?.verified, true)
    assert.equal(info?.queue, 'working')
    assert.equal(t.blobs.usedBytes, info?.allocated)
    const r = await t.blobs.open(id)
    const buf = Buffer.alloc(data.byteLength)
    assert.equal(await r.read(buf, 0), data.byteLength)
    assert.deepEqual(buf, data)
    await r.close()
  })
})
