import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { hashRanges, MAX_HASH_RANGES } from '../../../protocols/hash/index.js'
import { hashBytes } from '../../../node/real/hasher.js'
import { describeError } from '../../../datastore/types/errors.js'
import { ARENA, dataPair, type DataPair } from '../blob/fixture.js'

const MiB = 1024 * 1024

describe('/realize/hash/1.0.0 between two libp2p hosts', function () {
  let p: DataPair
  beforeEach(async () => { p = await dataPair() })
  afterEach(async () => { await p.stop() })

  it('returns the SHA-256 of each range, in order; the whole range is the version hash', async () => {
    const content = randomBytes(9 * MiB + 5)
    const v = await p.file('f.bin', content)
    const ranges = [{ offset: 0, length: content.length }, { offset: 4 * MiB, length: MiB }, { offset: 17, length: 0 }, { offset: 0, length: 1 }, { offset: content.length - 3, length: 3 }]
    const got = await hashRanges(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, ranges }, { localSize: content.length })
    assert.deepEqual(got, ranges.map((r) => ({ ...r, hash: hashBytes(content.subarray(r.offset, r.offset + r.length)) })))
    assert.deepEqual((got[0] as { hash: Uint8Array }).hash, v.hash)
  })

  it('does not ask for ranges past the caller\'s own copy {#sizebeforehash}', async () => {
    const content = randomBytes(4 * MiB)
    const v = await p.file('f.bin', content)
    // Watch what the server hashes: a rule that never fires but sees every result.
    const served: number[] = []
    p.faults.fail('hash.send', (ctx) => { served.push(ctx.offset!); return false })
    const localSize = 2 * MiB + 10
    const ranges = [{ offset: 0, length: MiB }, { offset: MiB, length: MiB }, { offset: 2 * MiB, length: MiB }, { offset: 3 * MiB, length: MiB }]
    const got = await hashRanges(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, ranges }, { localSize })
    assert.deepEqual(got.map((r) => 'skipped' in r ? r.skipped : 'hashed'), ['hashed', 'hashed', 'beyond-local-end', 'beyond-local-end'])
    assert.deepEqual(served, [0, MiB])
    // Nothing within the local copy: no stream at all, so even a peer that is not there is not asked.
    const none = await hashRanges(p.peer, p.client.peerId.replace(/.$/, (c) => c === 'a' ? 'b' : 'a'), { arena: ARENA, path: 'f.bin', hash: v.hash, ranges: ranges.slice(2) }, { localSize })
    assert.ok(none.every((r) => 'skipped' in r))
  })

  it(`splits more than ${MAX_HASH_RANGES} ranges over several requests`, async () => {
    const content = randomBytes(10_000)
    const v = await p.file('small.bin', content)
    const ranges = Array.from({ length: MAX_HASH_RANGES + 904 }, (_, i) => ({ offset: i, length: 1 + (i % 7) }))
    const got = await hashRanges(p.peer, p.server.peerId, { arena: ARENA, path: 'small.bin', hash: v.hash, ranges }, { localSize: content.length })
    assert.equal(got.length, ranges.length)
    for (const [i, r] of ranges.entries()) assert.deepEqual((got[i] as { hash: Uint8Array }).hash, hashBytes(content.subarray(r.offset, r.offset + r.length)), `range ${i}`)
  })

  it('fails with VERSION_CHANGED for an old version and INVALID_RANGE past the server\'s end, wrapped with peer and side', async () => {
    const old = await p.file('f.txt', Buffer.from('first version'))
    const v = await p.file('f.txt', Buffer.from('second version'))
    await assert.rejects(hashRanges(p.peer, p.server.peerId, { arena: ARENA, path: 'f.txt', hash: old.hash, ranges: [{ offset: 0, length: 5 }] }, { localSize: 100 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'VERSION_CHANGED')
      assert.match(describeError(err), /^hashing test\/f\.txt \[0, 5\) on server: remote: test\/f\.txt: the current version is/)
      return true
    })
    await assert.rejects(hashRanges(p.peer, p.server.peerId, { arena: ARENA, path: 'f.txt', hash: v.hash, ranges: [{ offset: 10, length: 50 }] }, { localSize: 100 }), { code: 'INVALID_RANGE' })
  })

  it('a corrupted result is seen as a different hash {#testretries}', async () => {
    const content = randomBytes(1000)
    const v = await p.file('f.bin', content)
    p.faults.corrupt('hash.send')
    const [r] = await hashRanges(p.peer, p.server.peerId, { arena: ARENA, path: 'f.bin', hash: v.hash, ranges: [{ offset: 0, length: 1000 }] }, { localSize: 1000 })
    assert.notDeepEqual((r as { hash: Uint8Array }).hash, v.hash)
    assert.equal(p.faults.hits.length, 1)
  })
})
