import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { RSYNC_PROTOCOL } from '../../../protocols/rsync/constants.js'
import { FramedStream } from '../../../protocols/common/framing.js'
import { collidingRsync as colliding, type CollidingRequest } from '../../../scripts/harness/hostile-load.js'
import { STRONG_BYTES, weakSum } from '../../../protocols/rsync/algorithm/index.js'
import { ARENA, dataPair, type DataPair } from '../blob/fixture.js'
import type { Hash } from '../../../datastore/types/hash.js'

const KiB = 1024

const collidingRsync = async (s: FramedStream, r: Omit<CollidingRequest, 'arena'>): ReturnType<typeof colliding> => await colliding(s, { arena: ARENA, ...r })
const MiB = 1024 * KiB

describe('rsync: a hostile household peer\'s colliding signatures (issue 18)', function () {
  this.timeout(60_000)
  let p: DataPair
  const zeros = Buffer.alloc(MiB)
  const blockSize = 8 * KiB
  let file: { hash: Hash, size: number }
  beforeEach(async () => {
    p = await dataPair()
    // A run of equal bytes: every window has the same weak sum, collisions are free.
    file = await p.file('zeros.img', zeros)
  })
  afterEach(async () => { await p.stop() })

  const open = async (): Promise<FramedStream> => new FramedStream(await p.client.host.dialProtocol(peerIdFromString(p.server.peerId), RSYNC_PROTOCOL), { maxMessageBytes: MiB })
  const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()

  it('a one-block signature with a colliding weak sum and a wrong strong sum costs work proportional to the file', async () => {
    // Before: a strong hash of 8 KiB at each of the 1 MiB offsets (8 GiB, ~6 s).
    const r = await collidingRsync(await open(), { path: 'zeros.img', hash: file.hash, length: zeros.length, blockSize, blocks: 1, weak: weakSum(zeros, 0, blockSize) })
    assert.equal(r.literal, zeros.length)
    assert.ok(r.end != null && sha(zeros).equals(r.end))
    assert.ok(r.ms < 3_000, `answered in ${Math.round(r.ms)} ms`)
  })

  it('a chain of 65,536 blocks with the weak sum of every window hashes each window at most once and stops at the budget', async () => {
    // Before: every offset strong-hashed once per block in the chain (~65,536 × 8 KiB per byte of the file).
    const r = await collidingRsync(await open(), { path: 'zeros.img', hash: file.hash, length: zeros.length, blockSize, blocks: 65_536, weak: weakSum(zeros, 0, blockSize) })
    assert.equal(r.literal, zeros.length)
    assert.ok(r.end != null && sha(zeros).equals(r.end))
    assert.ok(r.ms < 5_000, `answered in ${Math.round(r.ms)} ms`)
  })

  it('a long chain of equal blocks still finds the matching one: an honest zero-filled basis copies', async () => {
    // 4,096 blocks of zeros, the real strong sum in the middle of the chain of wrong ones.
    const blocks = 4096
    const strong = randomBytes(blocks * STRONG_BYTES)
    sha(zeros.subarray(0, blockSize)).copy(strong, 1000 * STRONG_BYTES, 0, STRONG_BYTES)
    const r = await collidingRsync(await open(), { path: 'zeros.img', hash: file.hash, length: zeros.length, blockSize, blocks, weak: weakSum(zeros, 0, blockSize), strong })
    assert.equal(r.literal, 0)
    assert.ok(r.copies >= 1)
    assert.ok(r.end != null && sha(zeros).equals(r.end))
  })
})
