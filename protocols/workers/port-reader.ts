import { RealizeError } from '../../datastore/types/errors.js'
import type { MessagePort } from 'node:worker_threads'
import type { RangeReader } from '../common/reader.js'

/**
 * A RangeReader across threads: the worker asks for `length` bytes at
 * `position`, the main thread reads them from its source (a SourceHandle,
 * a blob, a file) and transfers the bytes back. Reads stay where the file
 * descriptors and their checks live; only the CPU work moves.
 */
export interface ReadAsk { t: 'read', id: number, position: number, length: number }
export interface ReadAnswer { t: 'read', id: number, data?: Uint8Array, error?: WireFailure }
export interface WireFailure { code: string, message: string }

export function toFailure (err: unknown): WireFailure {
  const e = err as { code?: unknown, message?: unknown }
  return { code: typeof e?.code === 'string' ? e.code : 'FAILED', message: typeof e?.message === 'string' ? e.message : String(err) }
}

export function fromFailure (f: WireFailure): RealizeError {
  return new RealizeError(f.code, f.message)
}

/** Worker side: reads go out over `port`, answers come back as messages. */
export function portReader (port: MessagePort): { reader: RangeReader, answer: (m: ReadAnswer) => void } {
  let next = 0
  const waiting = new Map<number, { resolve: (d: Uint8Array) => void, reject: (e: Error) => void }>()
  return {
    reader: {
      read: async (into, position) => {
        const id = next++
        const data = await new Promise<Uint8Array>((resolve, reject) => {
          waiting.set(id, { resolve, reject })
          port.postMessage({ t: 'read', id, position, length: into.byteLength } satisfies ReadAsk)
        })
        into.set(data)
        return data.byteLength
      }
    },
    answer: (m) => {
      const w = waiting.get(m.id)
      if (w == null) return
      waiting.delete(m.id)
      if (m.error != null) w.reject(fromFailure(m.error))
      else w.resolve(m.data ?? new Uint8Array(0))
    }
  }
}

const READ_PIECE = 1024 * 1024

/** Main side: answers the worker's reads from `reader`. */
export async function serveRead (port: MessagePort, reader: RangeReader, ask: ReadAsk): Promise<void> {
  try {
    // At most READ_PIECE per read (a short read; the worker asks again): a
    // long read holds one of libuv's few threads, which the control socket's
    // requests (LevelDB, statfs) wait for.
    const buf = new Uint8Array(Math.min(ask.length, READ_PIECE))
    const n = await reader.read(buf, ask.position)
    const data = buf.subarray(0, n)
    port.postMessage({ t: 'read', id: ask.id, data } satisfies ReadAnswer, [buf.buffer])
  } catch (err) {
    port.postMessage({ t: 'read', id: ask.id, error: toFailure(err) } satisfies ReadAnswer)
  }
}
