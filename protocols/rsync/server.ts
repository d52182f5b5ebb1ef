import { endianness } from 'node:os'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { MAX_RSYNC_MESSAGE_BYTES, MAX_RSYNC_STREAMS_PER_PEER, MAX_SIGNATURE_BLOCKS, LITERAL_BYTES, RSYNC_IDLE_TIMEOUT_MS, RSYNC_PROTOCOL, RSYNC_REQUEST_TIMEOUT_MS } from './constants.js'
import { RsyncReply, RsyncRequest, SignatureChunk } from './rsync.js'
import { IdleDeadline } from '../common/idle.js'
import { guardFlowControl } from '../common/flow-control.js'
import { checkRange, type BlobSource, type SourceHandle } from '../common/source.js'
import { deadline } from '../common/client.js'
import { ProtocolViolationError } from '../common/errors.js'
import { serve, type InboundRequest, type ServeComponents } from '../common/serve.js'
import { generateDeltaOffThread } from '../workers/off-thread.js'
import { blockCount, checkBlockSize, STRONG_BYTES, type DeltaOp, type DeltaSummary, type Signature } from './algorithm/index.js'
import { InvalidInputError } from '../../datastore/types/errors.js'
import { asHash } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import type { FramedStream } from '../common/framing.js'
import type { Faults } from '../faults.js'
import type { Throttle } from '../common/throttle.js'

export interface RsyncServerOptions {
  source: BlobSource
  /** @default RSYNC_IDLE_TIMEOUT_MS */
  idleTimeoutMs?: number
  /** Test-only {#testretries}. */
  faults?: Faults
  /** Upload limit {#churtenlimit}: awaited with each literal before it is sent. */
  throttle?: Throttle
}

export interface RsyncServeOptions extends RsyncServerOptions {
  /** @default MAX_RSYNC_STREAMS_PER_PEER */
  maxStreamsPerPeer?: number
  /** @default RSYNC_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
}

export async function startRsyncServer (components: ServeComponents, options: RsyncServeOptions): Promise<() => Promise<void>> {
  return await serve(components, RSYNC_PROTOCOL, async (r) => { await serveRsync(r, options) }, {
    maxStreamsPerPeer: options.maxStreamsPerPeer ?? MAX_RSYNC_STREAMS_PER_PEER,
    timeoutMs: options.requestTimeoutMs ?? RSYNC_REQUEST_TIMEOUT_MS,
    maxMessageBytes: MAX_RSYNC_MESSAGE_BYTES
  })
}

/**
 * One `/realize/rsync/1.0.0` request:
 *
 *   request ─> checks ─> source.open ─> signature chunks (until all blocks)
 *     ─> delta of our range against it (protocols/rsync/algorithm), streamed as it comes
 *     ─> identical? "unchanged", nothing else {#emptydelta}
 *        else the ops, then end{SHA-256 of our range} for the caller to check
 *
 * An identical range comes out of the delta as a single in-place copy op,
 * so holding back one op is all it takes to answer "unchanged" instead.
 * The range hash comes with the delta, computed in the worker as it reads.
 */
export async function serveRsync (request: InboundRequest, options: RsyncServerOptions): Promise<void> {
  const { stream } = request
  guardFlowControl(stream.stream)
  const first = deadline(RSYNC_REQUEST_TIMEOUT_MS, request.signal, 'waiting for the rsync request and signature')
  const req = await stream.read(RsyncRequest, 'an rsync request', { signal: first })
  request.checkArena(req.arena)
  const path = parsePath(req.path)
  const hash = asHash(req.hash)
  checkBlockSize(req.blockSize)
  if (!Number.isSafeInteger(req.basisLength) || req.basisLength < 0) throw new InvalidInputError('INVALID_SIGNATURE', `invalid basis length ${req.basisLength}`)
  const blocks = blockCount(req.basisLength, req.blockSize)
  if (blocks > MAX_SIGNATURE_BLOCKS) throw new InvalidInputError('SIGNATURE_TOO_LARGE', `signature of ${blocks} blocks (at most ${MAX_SIGNATURE_BLOCKS}): use larger blocks or a smaller range`)
  const handle = await options.source.open(req.arena, path, hash, { signal: request.signal })
  try {
    const where = `rsync of ${req.arena}/${path}`
    checkRange(req.offset, req.length, handle.size, where)
    const sig = await readSignature(stream, req, blocks, first)
    request.clearTimeout()
    const idle = new IdleDeadline(options.idleTimeoutMs ?? RSYNC_IDLE_TIMEOUT_MS, `sending the delta of ${req.arena}/${path}`, request.signal)
    try {
      await sendDelta(request, handle, sig, req, idle, options, path)
    } finally {
      idle.clear()
    }
  } finally {
    await handle.close()
  }
}

const LITTLE_ENDIAN = endianness() === 'LE'

async function readSignature (stream: FramedStream, req: RsyncRequest, blocks: number, signal: AbortSignal): Promise<Signature> {
  const sig: Signature = { blockSize: req.blockSize, length: req.basisLength, weak: new Uint32Array(blocks), strong: new Uint8Array(blocks * STRONG_BYTES) }
  let got = 0
  while (got < blocks) {
    const c = await stream.read(SignatureChunk, 'the rest of the signature', { signal })
    const n = c.weak.byteLength / 4
    if (!Number.isInteger(n) || n === 0 || c.strong.byteLength !== n * STRONG_BYTES || got + n > blocks) {
      throw new ProtocolViolationError(`malformed signature chunk (${c.weak.byteLength} weak and ${c.strong.byteLength} strong bytes, ${got} of ${blocks} blocks so far)`)
    }
    if (LITTLE_ENDIAN) {
      // The wire's little-endian sums are this machine's: one copy, not a loop (1M blocks took ~300 ms).
      new Uint8Array(sig.weak.buffer, got * 4, n * 4).set(c.weak)
    } else {
      const view = new DataView(c.weak.buffer, c.weak.byteOffset, c.weak.byteLength)
      for (let i = 0; i < n; i++) sig.weak[got + i] = view.getUint32(i * 4, true)
    }
    sig.strong.set(c.strong, got * STRONG_BYTES)
    got += n
    // Chunks already buffered would all be taken in one go (microtasks
    // only): 64 of them, 20 MiB, for the largest signature. A turn between.
    if (got < blocks) await nextTurn()
  }
  return sig
}

async function sendDelta (request: InboundRequest, handle: SourceHandle, sig: Signature, req: RsyncRequest, idle: IdleDeadline, options: RsyncServerOptions, path: string): Promise<void> {
  const { stream } = request
  const { faults, throttle } = options
  const reader = { read: async (into: Uint8Array, pos: number) => await handle.read(into, req.offset + pos) }
  // Producing the delta may take long between ops (a long unchanged stretch is
  // one op): the idle deadline is paused meanwhile and covers the writes only.
  // The search runs in the worker pool: this thread only reads and sends.
  // The range hash too (rangeHash): the worker sees every byte of the range
  // anyway, so neither a second read nor SHA-256 on this thread.
  const gen = generateDeltaOffThread(sig, reader, req.length, { signal: request.signal, maxLiteral: LITERAL_BYTES, inPlace: req.inPlace, rangeHash: true })
  const send = async (op: DeltaOp): Promise<void> => {
    idle.touch()
    if (op.kind === 'copy') {
      await stream.write({ unchanged: false, copy: { block: op.block, count: op.count } }, RsyncReply, { signal: idle.signal })
    } else {
      let data = op.data
      if (faults != null) data = faults.hit({ point: 'rsync.send', peer: request.peer.id, arena: req.arena, path }, data, stream) ?? data
      if (throttle != null) {
        // Our own pacing, not the peer's silence.
        idle.pause()
        await throttle(data.byteLength, request.signal)
        idle.touch()
      }
      await stream.write({ unchanged: false, literal: data as Uint8Array<ArrayBuffer> }, RsyncReply, { signal: idle.signal })
    }
  }
  // The first op, held while it may still turn out to be the whole identical range.
  let held: DeltaOp | undefined
  const next = async (): Promise<IteratorResult<DeltaOp, DeltaSummary>> => {
    idle.pause()
    return await gen.next()
  }
  let r = await next()
  for (let first = true; r.done !== true; r = await next(), first = false) {
    if (first && r.value.kind === 'copy' && r.value.block === 0) {
      held = r.value
      continue
    }
    if (held != null) {
      await send(held)
      held = undefined
    }
    await send(r.value)
  }
  const summary = r.value
  if (summary.identical) {
    await handle.verify()
    idle.touch()
    await stream.write({ unchanged: true }, RsyncReply, { signal: idle.signal })
    return
  }
  if (held != null) await send(held)
  const rangeHash = summary.hash
  if (rangeHash == null) throw new Error('the delta came without the range hash it was asked for')
  await handle.verify()
  idle.touch()
  await stream.write({ unchanged: false, end: { hash: rangeHash as Uint8Array<ArrayBuffer> } }, RsyncReply, { signal: idle.signal })
}
