import { hash as oneShotHash } from 'node:crypto'
import { computeSignature, type SignatureOptions, type Signature } from '../rsync/algorithm/signature.js'
import { generateDelta, type DeltaOptions } from '../rsync/algorithm/delta.js'
import { portReader, toFailure, type ReadAnswer } from './port-reader.js'
import type { MessagePort } from 'node:worker_threads'

/**
 * The worker threads' side of the pool (pool.ts): one task is one delta
 * or one signature, its bytes read through the main thread (port-reader.ts).
 * Ops go back as they come, at most CREDIT ahead of what the main thread
 * has taken (so a slow peer does not pile literal data up here).
 */
export type CpuTask =
  | { kind: 'delta', port: MessagePort, sig: Signature, length: number, options: Omit<DeltaOptions, 'signal'> }
  | { kind: 'signature', port: MessagePort, length: number, options: Omit<SignatureOptions, 'signal'> }

/** SHA-256 of slices of `data` (offset, length pairs); the digests come back end to end. */
export interface HashesTask { kind: 'hashes', data: Uint8Array, slices: Float64Array }

export type ToMain =
  | { t: 'op', op: import('../rsync/algorithm/delta.js').DeltaOp }
  | { t: 'done', summary?: import('../rsync/algorithm/delta.js').DeltaSummary, sig?: Signature }
  | { t: 'fail', error: { code: string, message: string } }

export const CREDIT = 4

export default async function run (task: CpuTask | HashesTask): Promise<void | Uint8Array> {
  if (task.kind === 'hashes') return hashes(task)
  const { port } = task
  const { reader, answer } = portReader(port)
  let credit = CREDIT
  let wake: (() => void) | undefined
  port.on('message', (m: ReadAnswer | { t: 'ack' }) => {
    if (m.t === 'read') answer(m)
    else {
      credit++
      wake?.()
    }
  })
  try {
    if (task.kind === 'signature') {
      const sig = await computeSignature(reader, task.length, task.options)
      port.postMessage({ t: 'done', sig } satisfies ToMain, [sig.weak.buffer as ArrayBuffer, sig.strong.buffer as ArrayBuffer])
      return
    }
    const gen = generateDelta(task.sig, reader, task.length, task.options)
    let r = await gen.next()
    while (r.done !== true) {
      while (credit <= 0) await new Promise<void>((resolve) => { wake = resolve })
      credit--
      const op = r.value
      port.postMessage({ t: 'op', op } satisfies ToMain, op.kind === 'literal' ? [op.data.buffer as ArrayBuffer] : [])
      r = await gen.next()
    }
    port.postMessage({ t: 'done', summary: r.value } satisfies ToMain)
  } catch (err) {
    port.postMessage({ t: 'fail', error: toFailure(err) } satisfies ToMain)
  } finally {
    port.close()
  }
}

function hashes (task: HashesTask): Uint8Array {
  const n = task.slices.length / 2
  const out = new Uint8Array(n * 32)
  for (let i = 0; i < n; i++) {
    const at = task.slices[2 * i]!
    out.set(oneShotHash('sha256', task.data.subarray(at, at + task.slices[2 * i + 1]!), 'buffer'), i * 32)
  }
  return out
}
