import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { BlobBatchReader } from '../../../protocols/blob/batch-client.js'
import { BLOB_BATCH_PROTOCOL, BLOB_PROTOCOL } from '../../../protocols/blob/constants.js'
import { ARENA, dataPair, textOf, type DataPair } from './fixture.js'
import { describeError } from '../../../datastore/types/errors.js'
import type { Hash } from '../../../datastore/types/hash.js'
import type { Connection, Stream } from '@libp2p/interface'

/**
 * Streams the client host opens, by protocol, from now on: through
 * `dialProtocol` or on one of its connections (protocols/common/client.ts
 * opens them on the best connection).
 */
function countStreams (p: DataPair): Map<string, number> {
  const counts = new Map<string, number>()
  const count = (protocols: string | string[]): void => {
    const proto = Array.isArray(protocols) ? protocols[0]! : protocols
    counts.set(proto, (counts.get(proto) ?? 0) + 1)
  }
  const host = p.client.host
  const dial = host.dialProtocol.bind(host)
  host.dialProtocol = (async (peer: Parameters<typeof dial>[0], protocols: string | string[], options?: Parameters<typeof dial>[2]): Promise<Stream> => {
    count(protocols)
    return await dial(peer, protocols, options)
  }) as typeof dial
  const connections = host.getConnections.bind(host)
  host.getConnections = ((peer?: Parameters<typeof connections>[0]) => connections(peer).map((c) => new Proxy(c, {
    get (target, key) {
      if (key === 'newStream') {
        return async (protocols: string | string[], options?: Parameters<Connection['newStream']>[1]): Promise<Stream> => {
          count(protocols)
          return await target.newStream(protocols, options)
        }
      }
      const v: unknown = Reflect.get(target, key, target)
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  }))) as typeof connections
  return counts
}

describe('/realize/blob-batch/1.0.0: small reads pipelined on one stream (issue 14)', function () {
  let p: DataPair
  beforeEach(async () => { p = await dataPair() })
  afterEach(async () => { await p.stop() })

  const readInto = async (reader: BlobBatchReader, path: string, hash: Hash, size: number, signal = new AbortController().signal): Promise<Buffer> => {
    const out = Buffer.alloc(size)
    await reader.read({ arena: ARENA, path, hash, offset: 0, length: size }, async (data, offset) => { out.set(data, offset) }, { signal })
    return out
  }

  it('200 files read at once arrive byte-identical, in one stream, each answer to its own read', async () => {
    const files: Array<{ path: string, content: Buffer, hash: Hash }> = []
    for (let i = 0; i < 200; i++) {
      // Random, text (compressed) and empty files, and one just over a chunk.
      const content = i === 7 ? randomBytes(300 * 1024) : i % 3 === 0 ? textOf(4096, i) : i % 3 === 1 ? randomBytes(4096 + i) : Buffer.alloc(0)
      const { hash } = await p.file(`d${i % 10}/f${i}.bin`, content)
      files.push({ path: `d${i % 10}/f${i}.bin`, content, hash })
    }
    const counts = countStreams(p)
    const reader = new BlobBatchReader(p.peer, p.server.peerId)
    const got = await Promise.all(files.map(async (f) => await readInto(reader, f.path, f.hash, f.content.byteLength)))
    for (let i = 0; i < files.length; i++) assert.ok(got[i]!.equals(files[i]!.content), files[i]!.path)
    assert.equal(counts.get(BLOB_BATCH_PROTOCOL), 1, 'one stream for all 200 reads')
    assert.equal(counts.get(BLOB_PROTOCOL), undefined, 'no blob stream per file')
    reader.close(new Error('done'))
  })

  it('a read that fails (NOT_FOUND, VERSION_CHANGED) fails alone; the reads around it succeed on the same stream', async () => {
    const a = await p.file('a.txt', Buffer.from('first file'))
    const old = await p.file('b.txt', Buffer.from('version one'))
    await p.file('b.txt', Buffer.from('version two!'))
    const c = await p.file('c.txt', Buffer.from('third file'))
    const counts = countStreams(p)
    const reader = new BlobBatchReader(p.peer, p.server.peerId)
    const results = await Promise.allSettled([
      readInto(reader, 'a.txt', a.hash, a.size),
      readInto(reader, 'b.txt', old.hash, old.size),
      readInto(reader, 'missing.txt', a.hash, a.size),
      readInto(reader, 'c.txt', c.hash, c.size)
    ])
    assert.equal(results[0].status === 'fulfilled' && results[0].value.toString(), 'first file')
    assert.equal(results[1].status, 'rejected')
    assert.equal((results[1] as PromiseRejectedResult).reason.code, 'VERSION_CHANGED')
    assert.match(describeError((results[1] as PromiseRejectedResult).reason), /^reading test\/b\.txt \[0, 11\) from server: remote: /)
    assert.equal((results[2] as PromiseRejectedResult).reason.code, 'NOT_FOUND')
    assert.equal(results[3].status === 'fulfilled' && results[3].value.toString(), 'third file')
    assert.equal(counts.get(BLOB_BATCH_PROTOCOL), 1)
    reader.close(new Error('done'))
  })

  it('a read aborted by its job fails at once; the next reads still get their own bytes', async () => {
    const a = await p.file('a.bin', randomBytes(64 * 1024))
    const b = await p.file('b.bin', randomBytes(64 * 1024))
    const reader = new BlobBatchReader(p.peer, p.server.peerId)
    const abort = new AbortController()
    const first = readInto(reader, 'a.bin', a.hash, a.size, abort.signal)
    const second = readInto(reader, 'b.bin', b.hash, b.size)
    abort.abort(new Error('job cancelled'))
    await assert.rejects(first, /job cancelled/)
    const got = await second
    assert.equal(got.byteLength, b.size)
    const again = await readInto(reader, 'a.bin', a.hash, a.size)
    assert.equal(again.byteLength, a.size)
    reader.close(new Error('done'))
  })

  it('a read after the connection closed under the stream never gets wrong bytes; the next read opens a new stream', async () => {
    const a = await p.file('a.bin', randomBytes(4096))
    const reader = new BlobBatchReader(p.peer, p.server.peerId, { lingerMs: 60_000 })
    assert.equal((await readInto(reader, 'a.bin', a.hash, a.size)).byteLength, 4096)
    // Every connection between the two closes under the open stream.
    await p.client.host.hangUp(p.server.host.peerId)
    const after = await readInto(reader, 'a.bin', a.hash, a.size).then((b) => b.byteLength, (err: Error) => err)
    // The stream was closed under the reader: either the read noticed and failed, or it reconnected; never wrong bytes.
    if (typeof after !== 'number') assert.match(describeError(after), /^reading test\/a\.bin \[0, 4096\) from server: /)
    assert.equal((await readInto(reader, 'a.bin', a.hash, a.size)).byteLength, 4096)
    reader.close(new Error('done'))
  })
})
