import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { readBlobInto } from '../../../protocols/blob/index.js'
import { FaultPlan } from '../../../protocols/faults.js'
import { repairRange, rsyncRange } from '../../../protocols/rsync/index.js'
import { bytesReader, chooseBlockSize, fileReader } from '../../../protocols/rsync/algorithm/index.js'
import { describeError } from '../../../datastore/types/errors.js'
import { tempDir } from '../../helpers/tmp.js'
import { ARENA, dataPair, type DataPair } from '../blob/fixture.js'

const MiB = 1024 * 1024

describe('/realize/rsync/1.0.0 between two libp2p hosts', function () {
  let p: DataPair
  let local: { dir: string, cleanup: () => Promise<void> }
  beforeEach(async () => {
    p = await dataPair()
    local = await tempDir('realize-rsync-local-')
  })
  afterEach(async () => {
    await p.stop()
    await local.cleanup()
  })

  /** A local copy as a file, for basis reads and writes. */
  async function localFile (content: Uint8Array): Promise<{ path: string, fh: FileHandle }> {
    const path = join(local.dir, `copy-${Math.random().toString(36).slice(2)}`)
    await writeFile(path, content)
    return { path, fh: await open(path, 'r+') }
  }

  it('a 1-byte change costs about one block on the wire and rebuilds the new version', async () => {
    const old = randomBytes(8 * MiB)
    const changed = Buffer.from(old)
    changed[3 * MiB + 77] = changed[3 * MiB + 77]! ^ 0x55
    const v = await p.file('f.bin', changed)
    const out = Buffer.alloc(changed.length)
    const r = await rsyncRange(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: changed.length },
      { reader: bytesReader(old), length: old.length }, async (d, o) => { out.set(d, o) })
    assert.ok(out.equals(changed))
    assert.equal(r.unchanged, false)
    const block = chooseBlockSize(old.length)
    assert.ok(r.literalBytes <= block, `${r.literalBytes} literal bytes for a 1-byte change (block ${block})`)
    assert.equal(r.copiedBytes, changed.length - r.literalBytes)
    assert.equal(r.signatureBytes, Math.ceil(old.length / block) * 20)
  })

  it('an identical range answers "unchanged" and nothing is written {#emptydelta}', async () => {
    const content = randomBytes(3 * MiB + 1234)
    const v = await p.file('f.bin', content)
    let writes = 0
    const whole = await rsyncRange(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length },
      { reader: bytesReader(content), length: content.length }, async () => { writes++ })
    assert.deepEqual({ unchanged: whole.unchanged, literal: whole.literalBytes, writes }, { unchanged: true, literal: 0, writes: 0 })
    // A middle range against the same local range.
    const offset = MiB + 3
    const length = MiB + 999
    const part = await rsyncRange(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset, length },
      { reader: bytesReader(content.subarray(offset, offset + length)), length }, async () => { writes++ })
    assert.equal(part.unchanged, true)
    assert.equal(writes, 0)
    // The same bytes as a basis one byte shorter is not "unchanged".
    const short = await rsyncRange(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset, length },
      { reader: bytesReader(content.subarray(offset, offset + length - 1)), length: length - 1 }, async () => { writes++ })
    assert.equal(short.unchanged, false)
  })

  it('repairs a damaged local copy in place, rewriting only what differs', async () => {
    const content = randomBytes(4 * MiB)
    const v = await p.file('f.bin', content)
    const damaged = Buffer.from(content)
    randomBytes(5000).copy(damaged, 2 * MiB + 100)
    const { path, fh } = await localFile(damaged)
    try {
      let written = 0
      const r = await repairRange(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length },
        { reader: fileReader(fh), length: damaged.length, inPlace: true },
        async (d, o) => { written += d.byteLength; await fh.write(d, 0, d.byteLength, o) })
      assert.equal(r.method, 'rsync')
      // The damaged blocks and nothing else (5000 bytes touch at most 4 blocks of 2 KiB).
      assert.ok(written <= 5000 + 2 * chooseBlockSize(content.length), `${written} bytes rewritten`)
    } finally {
      await fh.close()
    }
    assert.ok((await readFile(path)).equals(content))
  })

  it('a failed write is repaired by rsync later {#testretries}', async () => {
    const content = randomBytes(6 * MiB)
    const v = await p.file('f.bin', content)
    const { path, fh } = await localFile(new Uint8Array(0))
    try {
      const req = { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length }
      // A write at 4 MiB fails: the download stops there, the rest of the file is missing.
      const faults = new FaultPlan().fail('write', (ctx) => ctx.offset === 4 * MiB)
      let written = 0
      await assert.rejects(readBlobInto(p.peer, p.server.peerId, req, async (d, o) => {
        await fh.write(d, 0, d.byteLength, o)
        written += d.byteLength
      }, { faults }), { code: 'INJECTED_FAULT', side: 'local' })
      assert.equal(written, 4 * MiB)
      // The retry rsyncs the whole range against what is there: only the missing part travels.
      await fh.truncate(content.length)
      const r = await repairRange(p.peer, p.server.peerId, req, { reader: fileReader(fh), length: content.length, inPlace: true },
        async (d, o) => { await fh.write(d, 0, d.byteLength, o) })
      assert.equal(r.method, 'rsync')
      const missing = content.length - written
      assert.ok(r.rsync!.literalBytes <= missing + chooseBlockSize(content.length), `${r.rsync!.literalBytes} literal bytes for ${missing} missing`)
      assert.ok(r.rsync!.copiedBytes >= written - chooseBlockSize(content.length), `${r.rsync!.copiedBytes} bytes reused`)
    } finally {
      await fh.close()
    }
    assert.ok((await readFile(path)).equals(content))
  })

  it('a bad rsync chunk fails with RSYNC_MISMATCH, and repair falls back to a plain copy of the range {#testretries}', async () => {
    const content = randomBytes(2 * MiB)
    const v = await p.file('f.bin', content)
    const stale = Buffer.from(content)
    randomBytes(300_000).copy(stale, 500_000)
    const req = { arena: ARENA, path: 'f.bin', hash: v.hash, offset: 0, length: content.length }

    p.faults.corrupt('rsync.send')
    const out = Buffer.alloc(content.length)
    await assert.rejects(rsyncRange(p.peer, p.server.peerId, req, { reader: bytesReader(stale), length: stale.length }, async (d, o) => { out.set(d, o) }), (err: Error & { code?: string, side?: string }) => {
      assert.equal(err.code, 'RSYNC_MISMATCH')
      assert.equal(err.side, 'remote')
      assert.match(describeError(err), /^rsync of test\/f\.bin \[0, 2097152\) from server: remote: the rebuilt range does not match/)
      return true
    })

    p.faults.corrupt('rsync.send')
    const fixed = Buffer.alloc(content.length)
    const r = await repairRange(p.peer, p.server.peerId, req, { reader: bytesReader(stale), length: stale.length }, async (d, o) => { fixed.set(d, o) })
    assert.equal(r.method, 'copy')
    assert.equal((r.rsyncError as Error & { code?: string }).code, 'RSYNC_MISMATCH')
    assert.ok(fixed.equals(content))
    assert.deepEqual(p.faults.hits.map((h) => h.ctx.point), ['rsync.send', 'rsync.send'])
  })

  it('fails with VERSION_CHANGED for an old version', async () => {
    const old = await p.file('f.txt', Buffer.from('one'))
    await p.file('f.txt', Buffer.from('two!'))
    await assert.rejects(rsyncRange(p.peer, p.server.peerId, { arena: ARENA, path: 'f.txt', hash: old.hash, offset: 0, length: 3 },
      { reader: bytesReader(Buffer.from('one')), length: 3 }, async () => {}), { code: 'VERSION_CHANGED', side: 'remote' })
  })
})
