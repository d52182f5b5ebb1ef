import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { cpuPool } from './pool.js'
import { fromFailure, serveRead, type ReadAsk } from './port-reader.js'
import type { CpuTask, HashesTask, ToMain } from './cpu-worker.js'
import type { DeltaOp, DeltaOptions, DeltaSummary } from '../rsync/algorithm/delta.js'
import type { RangeReader } from '../common/reader.js'
import type { Signature, SignatureOptions } from '../rsync/algorithm/signature.js'

/**
 * protocols/rsync/algorithm's delta and signature, computed in the worker pool: same
 * arguments, same results, but the rolling sums and strong hashes run on
 * another core while this thread serves the reads and the sockets.
 *
 * Stopping (the signal, or the consumer leaving the generator early) ends
 * the task at once: Piscina stops the worker thread that runs it. Reads
 * in flight are waited for before returning, so the caller may close its
 * file right after (a descriptor number must not be reused under a read).
 */
class Task {
  private readonly queue: ToMain[] = []
  private wake: (() => void) | undefined
  private readonly reads = new Set<Promise<void>>()
  private readonly stop = new AbortController()
  private readonly port: MessagePort
  finished = false

  constructor (task: (port: MessagePort) => Omit<CpuTask, 'port'>, transfer: ArrayBuffer[], reader: RangeReader, signal: AbortSignal | undefined) {
    const { port1, port2 } = new MessageChannel()
    this.port = port1
    port1.on('message', (m: ToMain | ReadAsk) => {
      if (m.t === 'read') {
        const p = serveRead(port1, reader, m).finally(() => { this.reads.delete(p) })
        this.reads.add(p)
        return
      }
      this.push(m)
    })
    signal?.addEventListener('abort', () => { this.wake?.() }, { once: true })
    const s = signal == null ? this.stop.signal : AbortSignal.any([signal, this.stop.signal])
    cpuPool().run({ ...task(port2), port: port2 }, { transferList: [port2 as unknown as ArrayBuffer, ...transfer], signal: s }).catch((err: unknown) => {
      this.push({ t: 'fail', error: { code: (err as { code?: string }).code ?? 'WORKER_FAILED', message: (err as Error).message ?? String(err) } })
    })
  }

  private push (m: ToMain): void {
    this.queue.push(m)
    this.wake?.()
  }

  async next (signal: AbortSignal | undefined): Promise<ToMain> {
    for (;;) {
      signal?.throwIfAborted()
      const m = this.queue.shift()
      if (m != null) {
        if (m.t === 'fail') throw fromFailure(m.error)
        if (m.t === 'done') this.finished = true
        return m
      }
      await new Promise<void>((resolve) => { this.wake = resolve })
    }
  }

  ack (): void {
    this.port.postMessage({ t: 'ack' })
  }

  async end (): Promise<void> {
    if (!this.finished) this.stop.abort()
    this.port.close()
    while (this.reads.size > 0) await Promise.allSettled([...this.reads])
  }
}

/** generateDelta (protocols/rsync/algorithm/delta.ts) in the worker pool. The signature's arrays are transferred (unusable here after). */
export async function * generateDeltaOffThread (sig: Signature, reader: RangeReader, length: number, options: DeltaOptions = {}): AsyncGenerator<DeltaOp, DeltaSummary, undefined> {
  const { signal, ...rest } = options
  const task = new Task(() => ({ kind: 'delta', sig, length, options: rest }), [sig.weak.buffer as ArrayBuffer, sig.strong.buffer as ArrayBuffer], reader, signal)
  try {
    for (;;) {
      const m = await task.next(signal)
      if (m.t === 'done') return m.summary as DeltaSummary
      if (m.t === 'op') {
        yield m.op
        task.ack()
      }
    }
  } finally {
    await task.end()
  }
}

/** computeSignature (protocols/rsync/algorithm/signature.ts) in the worker pool. */
export async function computeSignatureOffThread (reader: RangeReader, length: number, options: SignatureOptions = {}): Promise<Signature> {
  const { signal, ...rest } = options
  const task = new Task(() => ({ kind: 'signature', length, options: rest }), [], reader, signal)
  try {
    const m = await task.next(signal)
    if (m.t !== 'done' || m.sig == null) throw new Error('the signature worker answered out of turn')
    return m.sig
  } finally {
    await task.end()
  }
}

/**
 * SHA-256 of slices of `data` in the worker pool, one digest per slice.
 * `data`'s memory is transferred (unusable here after): pass a buffer of
 * its own (Buffer.allocUnsafe above 4 KiB, not a pooled one).
 */
export async function hashSlicesOffThread (data: Uint8Array, slices: Array<{ offset: number, length: number }>, signal?: AbortSignal): Promise<Uint8Array[]> {
  const flat = new Float64Array(slices.length * 2)
  slices.forEach((s, i) => { flat[2 * i] = s.offset; flat[2 * i + 1] = s.length })
  const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
  const task: HashesTask = { kind: 'hashes', data, slices: flat }
  const out = await cpuPool().run(task, { transferList: own ? [data.buffer as ArrayBuffer, flat.buffer] : [flat.buffer], signal }) as Uint8Array
  return slices.map((_, i) => out.subarray(i * 32, (i + 1) * 32))
}
