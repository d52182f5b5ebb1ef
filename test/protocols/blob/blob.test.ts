import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Compression, readBlob, readBlobInto } from '../../../protocols/blob/index.js'
import { hashBytes } from '../../../node/real/hasher.js'
import { describeError } from '../../../datastore/types/errors.js'
import { ARENA, dataPair, readAll, textOf, type DataPair } from './fixture.js'

const MiB = 1024 * 1024

describe('/realize/blob/1.0.0 between two libp2p hosts', function () {
  let p: DataPair
  beforeEach(async () => { p = await dataPair() })
  afterEach(async () => { await p.stop() })

  it('a 64 MiB ranged read is byte-identical with and without compression {#compress}', async () => {
    // Half text, half random: both gate decisions in one file.
    const content = Buffer.concat([textOf(32 * MiB), randomBytes(32 * MiB)])
    const { hash, size } = await p.file('big.bin', content)
    for (const accept of [[], [Compression.BROTLI], [Compression.DEFLATE]]) {
      const whole = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'big.bin', hash, offset: 0, length: size }, { accept, expectSize: size }), 0, size)
      assert.ok(whole.data.equals(content), `whole file with accept=${JSON.stringify(accept)}`)
      assert.equal(whole.summary.codec, accept[0] ?? Compression.NONE)
      if (accept.length > 0) {
        assert.ok(whole.summary.compressedChunks > 0, 'the text half is compressed')
        assert.ok(whole.summary.rawChunks > 0, 'the random half is not')
      }
      // An odd range across the text/random border.
      const offset = 32 * MiB - 123_457
      const length = 5 * MiB + 3
      const part = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'big.bin', hash, offset, length }, { accept }), offset, length)
      assert.ok(part.data.equals(content.subarray(offset, offset + length)), `range with accept=${JSON.stringify(accept)}`)
    }
  })

  it('compressed text is smaller on the wire; random data is sent raw, never compressed {#compress}', async () => {
    const text = textOf(16 * MiB)
    const t = await p.file('text.txt', text)
    const read = async (path: string, hash: typeof t.hash, length: number, accept: Compression[]): Promise<{ ms: number, wire: number, compressed: number, data: Buffer }> => {
      const t0 = performance.now()
      const r = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path, hash, offset: 0, length }, { accept }), 0, length)
      return { ms: performance.now() - t0, wire: r.summary.wireBytes, compressed: r.summary.compressedChunks, data: r.data }
    }
    const plain = await read('text.txt', t.hash, text.length, [])
    const packed = await read('text.txt', t.hash, text.length, [Compression.BROTLI, Compression.DEFLATE])
    assert.ok(packed.data.equals(text))
    assert.equal(plain.wire, text.length)
    assert.ok(packed.wire < text.length * 0.5, `text on the wire: ${packed.wire} of ${text.length} bytes`)

    // Random data: the sample shows it does not shrink, so no chunk is compressed (no CPU spent on
    // it) and it goes raw. Its speed beside a plain read is a benchmark's (scripts/bench-blob.ts).
    const noise = randomBytes(32 * MiB)
    const r = await p.file('noise.bin', noise)
    const g = await read('noise.bin', r.hash, noise.length, [Compression.BROTLI, Compression.DEFLATE])
    assert.ok(g.data.equals(noise))
    assert.equal(g.compressed, 0, 'no random chunk is sent compressed')
    assert.equal(g.wire, noise.length, 'random data goes raw')
  })

  it('fails with VERSION_CHANGED, naming the peer and side, when the asked version is not the current one', async () => {
    const v1 = await p.file('doc.txt', Buffer.from('version one'))
    await p.file('doc.txt', Buffer.from('version two!'))
    await assert.rejects(readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'doc.txt', hash: v1.hash, offset: 0, length: 4 }), 0, 4), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'VERSION_CHANGED')
      assert.match(describeError(err), /^reading test\/doc\.txt \[0, 4\) from server: remote: test\/doc\.txt: the current version is [0-9a-f]{12}, not [0-9a-f]{12}$/)
      return true
    })
  })

  it('fails with VERSION_CHANGED when the file changed on disk after it was indexed', async () => {
    const v = await p.file('doc.txt', Buffer.from('indexed content'))
    // Same size, other bytes, other mtime: the watcher has not caught up yet.
    await p.arena.arena.watcher?.stop()
    await writeFile(join(p.arena.root, 'doc.txt'), Buffer.from('INDEXED CONTENT'))
    await utimes(join(p.arena.root, 'doc.txt'), new Date(), new Date(Date.now() + 5000))
    await assert.rejects(readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'doc.txt', hash: v.hash, offset: 0, length: 5 }), 0, 5), { code: 'VERSION_CHANGED' })
  })

  it('fails with NOT_FOUND for an unknown path and INVALID_RANGE past the end', async () => {
    const v = await p.file('doc.txt', Buffer.from('0123456789'))
    await assert.rejects(readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'nope.txt', hash: v.hash, offset: 0, length: 1 }), 0, 1), { code: 'NOT_FOUND' })
    await assert.rejects(readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'doc.txt', hash: v.hash, offset: 5, length: 6 }), 5, 6), { code: 'INVALID_RANGE' })
    // An empty range at the end is fine.
    const empty = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'doc.txt', hash: v.hash, offset: 10, length: 0 }), 10, 0)
    assert.equal(empty.summary.bytes, 0)
  })

  it('fails when the header disagrees with the size the caller expects', async () => {
    const v = await p.file('doc.txt', Buffer.from('0123456789'))
    await assert.rejects(readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'doc.txt', hash: v.hash, offset: 0, length: 1 }, { expectSize: 11 }), 0, 1), (err: Error) => /has 10 bytes, expected 11$/.test(describeError(err)))
  })

  it('a failing local write fails the read with side local {#testretries}', async () => {
    const content = randomBytes(3 * MiB)
    const v = await p.file('f.bin', content)
    const { FaultPlan } = await import('../../../protocols/faults.js')
    const faults = new FaultPlan().fail('write', (ctx) => (ctx.offset ?? 0) >= MiB)
    const got = Buffer.alloc(content.length)
    await assert.rejects(readBlobInto(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length }, async (d, o) => { got.set(d, o) }, { faults }), (err: Error & { code?: string, side?: string }) => {
      assert.equal(err.code, 'INJECTED_FAULT')
      assert.equal(err.side, 'local')
      assert.match(describeError(err), /^reading test\/f\.bin \[0, 3145728\) from server: local: injected fault: write test\/f\.bin at \d+ failed$/)
      return true
    })
    assert.equal(faults.hits.length, 1)
    // The same server keeps serving.
    const again = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length }), 0, content.length)
    assert.ok(again.data.equals(content))
  })

  it('a corrupted chunk arrives corrupted and a dropped stream fails the read {#testretries}', async () => {
    const content = randomBytes(2 * MiB)
    const v = await p.file('f.bin', content)
    p.faults.corrupt('blob.send', (ctx) => ctx.path === 'f.bin' && ctx.offset === MiB)
    const bad = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length }), 0, content.length)
    assert.notDeepEqual(hashBytes(bad.data), v.hash)
    assert.ok(bad.data.subarray(0, MiB).equals(content.subarray(0, MiB)), 'bytes before the fault are intact')

    p.faults.drop('blob.send', (ctx) => ctx.path === 'f.bin')
    await assert.rejects(readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length }), 0, content.length), (err: Error & { side?: string }) => {
      assert.match(describeError(err), /^reading test\/f\.bin \[0, 2097152\) from server: /)
      assert.notEqual(err.side, 'local')
      return true
    })
    assert.deepEqual(p.faults.hits.map((h) => h.action), ['corrupt', 'drop'])
  })
})
