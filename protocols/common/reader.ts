import { RealizeError } from '../../datastore/types/errors.js'
import type { FileHandle } from 'node:fs/promises'

/**
 * Positional reads of one byte range: `position` counts from the range's
 * start. Returns the bytes read, 0 at the end. A file handle, a blob or an
 * in-memory buffer all fit, so the delta code never knows where bytes live.
 */
export interface RangeReader {
  read: (into: Uint8Array, position: number) => Promise<number>
}

export function bytesReader (data: Uint8Array): RangeReader {
  return {
    read: async (into, position) => {
      const n = Math.max(0, Math.min(into.byteLength, data.byteLength - position))
      into.set(data.subarray(position, position + n))
      return n
    }
  }
}

/** Bytes of `fh` from `start` on (the range end is the caller's business). */
export function fileReader (fh: FileHandle, start = 0): RangeReader {
  return {
    read: async (into, position) => (await fh.read(into, 0, into.byteLength, start + position)).bytesRead
  }
}

/** Fills `into` unless the range ends first; returns the bytes read. */
export async function readFully (reader: RangeReader, into: Uint8Array, position: number): Promise<number> {
  let done = 0
  while (done < into.byteLength) {
    // Short reads happen before the end on network and FUSE file systems.
    const n = await reader.read(into.subarray(done), position + done)
    if (n === 0) break
    done += n
  }
  return done
}

export interface ReadChunksOptions {
  chunkSize: number
  signal?: AbortSignal
}

/**
 * Reads `[0, length)` in chunks of `chunkSize` (the last may be shorter).
 * Double-buffered: the read of chunk n+1 runs in libuv's threadpool while
 * the caller works on chunk n, as in node/real/hasher.ts. A yielded chunk is
 * only valid until the next one is asked for. Fails with SHORT_READ when the
 * source ends before `length` (the file shrank under us).
 */
export async function * readChunks (reader: RangeReader, length: number, options: ReadChunksOptions): AsyncGenerator<Uint8Array> {
  const { chunkSize, signal } = options
  const size = Math.max(1, Math.min(chunkSize, length))
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)]
  const readAt = async (buf: Buffer, pos: number): Promise<number> => {
    const n = Math.min(buf.byteLength, length - pos)
    return n <= 0 ? 0 : await readFully(reader, buf.subarray(0, n), pos)
  }
  let pos = 0
  let i = 0
  let pending: Promise<number> | undefined = readAt(buffers[0]!, 0)
  try {
    for (;;) {
      const n: number = await pending
      pending = undefined
      if (n === 0) break
      const current = buffers[i]!
      pos += n
      i ^= 1
      signal?.throwIfAborted()
      pending = readAt(buffers[i]!, pos)
      yield current.subarray(0, n)
    }
  } finally {
    // The buffers may only be dropped once the read writing into one settled.
    if (pending != null) await pending.catch(() => {})
  }
  if (pos < length) throw new RealizeError('SHORT_READ', `source ended at byte ${pos} of ${length}`)
}
