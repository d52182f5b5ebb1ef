import { createHash, randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import { baseConfig, writeConfig } from '../../node/config/config.js'
import { loadOrCreateIdentity } from '../../node/identity/identity.js'
import { weakSum } from '../../protocols/rsync/algorithm/rolling.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { asHash } from '../../datastore/types/hash.js'
import { MAX_HASH_RANGES, MAX_HASH_STREAMS_PER_PEER } from '../../protocols/hash/constants.js'
import { MAX_RSYNC_STREAMS_PER_PEER, MAX_SIGNATURE_BLOCKS } from '../../protocols/rsync/constants.js'
import { NodeProcess } from './node-process.js'
import { freePort } from './free-port.js'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createHost, type RealizeHost } from '../../node/net/host.js'
import { Household } from '../../node/net/household.js'
import { STRONG_BYTES } from '../../protocols/rsync/algorithm/signature.js'
import { FramedStream } from '../../protocols/common/framing.js'
import { HASH_PROTOCOL, MAX_HASH_MESSAGE_BYTES } from '../../protocols/hash/constants.js'
import { HashResult } from '../../protocols/hash/hash.js'
import { HashRequestCodec } from '../../protocols/hash/server.js'
import { RSYNC_PROTOCOL, SIGNATURE_CHUNK_BLOCKS } from '../../protocols/rsync/constants.js'
import { RsyncReply, RsyncRequest, SignatureChunk } from '../../protocols/rsync/rsync.js'
import type { Hash } from '../../datastore/types/hash.js'

/**
 * A household peer that does not play fair, for the hardening tests and
 * scripts/bench-responsive.ts (issue 18): raw rsync requests with colliding
 * signatures, raw hash requests with thousands of ranges, and a probe of the
 * node's control socket while they run.
 */
export interface Victim {
  peerId: string
  /** A multiaddr of the node, with /p2p/. */
  addr: string
}

export async function hostileHost (victim: Victim): Promise<{ host: RealizeHost, peerId: string }> {
  const privateKey = await generateKeyPair('Ed25519')
  const h = new Household([{ name: 'victim', id: victim.peerId, addrs: [] }], [])
  const host = (await createHost({ privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], gater: h.gater(), mdns: false })).host
  await host.start()
  return { host, peerId: peerIdFromPrivateKey(privateKey).toString() }
}

export async function openRaw (host: RealizeHost, victim: Victim, protocol: string, maxMessageBytes = 1024 * 1024): Promise<FramedStream> {
  return new FramedStream(await host.dialProtocol(multiaddr(victim.addr), protocol), { maxMessageBytes })
}

export interface CollidingRequest {
  arena: string
  path: string
  hash: Hash
  length: number
  blockSize: number
  blocks: number
  /** Every block's weak sum. */
  weak: number
  /** Strong sums, STRONG_BYTES per block (default random: never matching). */
  strong?: Uint8Array
}

/**
 * Sends an rsync request whose signature has `blocks` blocks all with one
 * weak sum and reads the whole reply: the literal bytes, copy ops, the
 * range hash the server sent, and how long it took.
 */
export async function collidingRsync (s: FramedStream, r: CollidingRequest): Promise<{ literal: number, copies: number, end: Uint8Array | undefined, ms: number }> {
  const t0 = performance.now()
  await s.write({ arena: r.arena, path: r.path, hash: r.hash as Uint8Array<ArrayBuffer>, offset: 0, length: r.length, blockSize: r.blockSize, basisLength: r.blocks * r.blockSize, inPlace: false }, RsyncRequest)
  const strong = r.strong ?? randomBytes(r.blocks * STRONG_BYTES)
  for (let from = 0; from < r.blocks; from += SIGNATURE_CHUNK_BLOCKS) {
    const n = Math.min(SIGNATURE_CHUNK_BLOCKS, r.blocks - from)
    const weak = Buffer.alloc(n * 4)
    for (let i = 0; i < n; i++) weak.writeUInt32LE(r.weak, i * 4)
    await s.write({ weak, strong: strong.subarray(from * STRONG_BYTES, (from + n) * STRONG_BYTES) as Uint8Array<ArrayBuffer> }, SignatureChunk)
  }
  let literal = 0
  let copies = 0
  for (;;) {
    const m = await s.read(RsyncReply, 'an rsync reply')
    if (m.literal != null) literal += m.literal.byteLength
    if (m.copy != null) copies++
    if (m.end != null || m.unchanged) return { literal, copies, end: m.end?.hash, ms: performance.now() - t0 }
  }
}

/** Sends one hash request and reads its results, or the server's error code. */
export async function rawHash (s: FramedStream, arena: string, path: string, hash: Hash, ranges: Array<{ offset: number, length: number }>): Promise<{ hashes: Uint8Array[], code?: string, ms: number }> {
  const t0 = performance.now()
  await s.write({ arena, path, hash: hash as Uint8Array<ArrayBuffer>, ranges }, HashRequestCodec)
  const hashes: Uint8Array[] = []
  try {
    while (hashes.length < ranges.length) hashes.push((await s.read(HashResult, 'a range hash')).hash)
  } catch (err) {
    return { hashes, code: (err as { code?: string }).code, ms: performance.now() - t0 }
  }
  return { hashes, ms: performance.now() - t0 }
}

export async function openHash (host: RealizeHost, victim: Victim): Promise<FramedStream> {
  return await openRaw(host, victim, HASH_PROTOCOL, MAX_HASH_MESSAGE_BYTES)
}

export async function openRsync (host: RealizeHost, victim: Victim): Promise<FramedStream> {
  return await openRaw(host, victim, RSYNC_PROTOCOL)
}

/**
 * Round trips of `status` on the node's control socket, one after another
 * (from a thread of its own, control-probe.ts), until `load` settles;
 * resolves to every round trip in ms (and rethrows the load's failure).
 */
export async function probeControl (dataDir: string, load: Promise<unknown>): Promise<number[]> {
  const probe = new Worker(new URL('./control-probe.js', import.meta.url), { workerData: { dataDir } })
  const failed = new Promise<never>((_resolve, reject) => { probe.once('error', reject) })
  try {
    await Promise.race([once(probe, 'message'), failed])
    await load.catch(() => {})
    probe.postMessage('stop')
    const [m] = await Promise.race([once(probe, 'message'), failed]) as [{ rtts: number[] }]
    await load
    return m.rtts
  } finally {
    await probe.terminate()
  }
}

export interface ScenarioOptions {
  /** A fresh directory for the node's data, arena and HOME. */
  dir: string
  /** Which loads run (default both). */
  rsync?: boolean
  hash?: boolean
  /**
   * Streams of each load: the most a peer may open (8) by default; 1 is the
   * issue's "the heaviest allowed request" alone (a 2^20-block colliding signature,
   * 4,096 overlapping hash ranges).
   */
  streams?: number
}

export interface ScenarioResult {
  /** Every `status` round trip in ms, in order. */
  rtts: number[]
  /** Wall time of the load. */
  ms: number
  rsync: Array<{ literal: number, ms: number, rangeHashOk: boolean }>
  hash: Array<{ results: number, code?: string, ms: number }>
}

/**
 * One real `realize-node` process with an 8 MiB zero-filled file and a
 * 64 MiB random one; a household peer opens as many rsync and hash streams
 * as it may (8 of each), each the heaviest the node allows: signatures of
 * 1,048,576 blocks sharing the weak sum of every window of the zeros,
 * one-block signatures colliding at every offset, 4,096 overlapping ranges
 * of the zeros, 4,096 ranges tiling the 64 MiB. Meanwhile `status` goes
 * round the control socket again and again.
 */
export async function hostileScenario (o: ScenarioOptions): Promise<ScenarioResult> {
  const dataDir = join(o.dir, 'data')
  const root = join(o.dir, 'docs')
  await mkdir(root, { recursive: true })
  const config = baseConfig()
  const port = await freePort()
  config.node.listen = [`/ip4/127.0.0.1/tcp/${port}`]
  config.node.mdns = false
  config.arenas.push({ name: parseArenaName('docs'), root, mark: 'own' })
  const identity = await loadOrCreateIdentity(dataDir)
  const victim: Victim = { peerId: identity.peerId.toString(), addr: `/ip4/127.0.0.1/tcp/${port}/p2p/${identity.peerId.toString()}` }
  const { host, peerId } = await hostileHost(victim)
  config.peers = [{ name: 'evil', id: peerId, addrs: [] }]
  await writeConfig(dataDir, config)
  const zeros = Buffer.alloc(8 * 1024 * 1024)
  const random = randomBytes(64 * 1024 * 1024)
  await writeFile(join(root, 'zeros.img'), zeros)
  await writeFile(join(root, 'big.bin'), random)
  const node = new NodeProcess(['--data', dataDir], { env: { HOME: o.dir } })
  try {
    await node.waitForEvent('caught-up', 60_000)
    const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()
    const z = { arena: 'docs', path: 'zeros.img', hash: asHash(sha(zeros)), length: zeros.length }
    const big = { arena: 'docs', path: 'big.bin', hash: asHash(sha(random)), length: random.length }
    const blockSize = 8 * 1024
    const weak = weakSum(zeros, 0, blockSize)
    const rsyncs = o.rsync === false
      ? []
      : Array.from({ length: o.streams ?? MAX_RSYNC_STREAMS_PER_PEER }, async (_, i) => {
        const r = await collidingRsync(await openRsync(host, victim), { ...z, blockSize, weak, blocks: i % 2 === 0 ? MAX_SIGNATURE_BLOCKS : 1 })
        return { literal: r.literal, ms: r.ms, rangeHashOk: r.end != null && sha(zeros).equals(r.end) }
      })
    const overlapping = Array.from({ length: MAX_HASH_RANGES }, (_, i) => ({ offset: (i * 2048) % (zeros.length - 6 * 1024), length: 6 * 1024 }))
    const tiled = Array.from({ length: MAX_HASH_RANGES }, (_, i) => ({ offset: i * 16 * 1024, length: 16 * 1024 }))
    const hashes = o.hash === false
      ? []
      : Array.from({ length: o.streams ?? MAX_HASH_STREAMS_PER_PEER }, async (_, i) => {
        const f = i % 2 === 0 ? z : big
        const r = await rawHash(await openHash(host, victim), 'docs', f.path, f.hash, i % 2 === 0 ? overlapping : tiled)
        return { results: r.hashes.length, code: r.code, ms: r.ms }
      })
    const t0 = performance.now()
    // Without any load, the probe runs for 5 s: the machine's own baseline.
    const idle = o.rsync === false && o.hash === false ? new Promise((resolve) => setTimeout(resolve, 5_000)) : undefined
    const load = Promise.all([Promise.all(rsyncs), Promise.all(hashes), idle])
    const rtts = await probeControl(dataDir, load)
    const [rsync, hash] = await load
    return { rtts, ms: performance.now() - t0, rsync, hash }
  } finally {
    node.kill('SIGTERM')
    await node.waitForExit().catch(() => { node.kill('SIGKILL') })
    await host.stop()
  }
}

