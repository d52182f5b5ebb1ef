import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { HASH_PROTOCOL, MAX_HASH_RANGES, MAX_HASH_MESSAGE_BYTES } from '../../../protocols/hash/constants.js'
import { rawHash as raw } from '../../../scripts/harness/hostile-load.js'
import { FramedStream } from '../../../protocols/common/framing.js'
import { ARENA, dataPair, type DataPair } from '../blob/fixture.js'
import type { Hash } from '../../../datastore/types/hash.js'

const rawHash = async (s: FramedStream, path: string, hash: Hash, ranges: Array<{ offset: number, length: number }>): ReturnType<typeof raw> => await raw(s, ARENA, path, hash, ranges)

describe('hash: a hostile household peer\'s amplifying requests (issue 18)', function () {
  this.timeout(60_000)
  let p: DataPair
  const content = randomBytes(300_000)
  let file: { hash: Hash, size: number }
  beforeEach(async () => {
    p = await dataPair()
    file = await p.file('f.bin', content)
  })
  afterEach(async () => { await p.stop() })

  const open = async (): Promise<FramedStream> => new FramedStream(await p.client.host.dialProtocol(peerIdFromString(p.server.peerId), HASH_PROTOCOL), { maxMessageBytes: MAX_HASH_MESSAGE_BYTES })

  it('8 requests of 4,096 whole-file ranges are refused with HASH_BUDGET_EXCEEDED before hashing anything', async () => {
    // Before: 8 × 4,096 × 300 KB = 9.2 GiB of SHA-256 (13 s of a frozen node).
    const ranges = Array.from({ length: MAX_HASH_RANGES }, () => ({ offset: 0, length: content.length }))
    const t0 = performance.now()
    const results = await Promise.all(Array.from({ length: 8 }, async () => await rawHash(await open(), 'f.bin', file.hash, ranges)))
    const ms = performance.now() - t0
    for (const r of results) assert.deepEqual({ code: r.code, got: r.hashes.length }, { code: 'HASH_BUDGET_EXCEEDED', got: 0 })
    assert.ok(ms < 5_000, `refused in ${Math.round(ms)} ms`)
  })

  it('overlapping ranges within the budget are hashed right, from one read of the file', async () => {
    const ranges = [{ offset: 0, length: content.length }, { offset: 0, length: 1000 }, { offset: 1000, length: 299_000 }, { offset: 5, length: 0 }, { offset: 0, length: content.length }]
    const r = await rawHash(await open(), 'f.bin', file.hash, ranges)
    assert.equal(r.code, undefined)
    assert.deepEqual(r.hashes.map((h) => Buffer.from(h).toString('hex')), ranges.map((x) => createHash('sha256').update(content.subarray(x.offset, x.offset + x.length)).digest('hex')))
  })
})
