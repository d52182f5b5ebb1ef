import { startBlobServer } from '../../protocols/blob/server.js'
import { startBlobBatchServer } from '../../protocols/blob/batch-server.js'
import { startHashServer } from '../../protocols/hash/server.js'
import { startRsyncServer } from '../../protocols/rsync/server.js'
import type { BlobSource } from '../../protocols/common/source.js'
import type { ServeComponents } from '../../protocols/common/serve.js'
import type { Faults } from '../../protocols/faults.js'
import { throttleOf, type RateLimit } from '../net/rate-limit.js'

export interface DataServersOptions {
  /** Usually a RealSource over the node's arenas (./real-source.ts). */
  source: BlobSource
  /** Test-only {#testretries}. */
  faults?: Faults
  /** `limits.upload`: what the three servers send (file bytes, rsync literals, digests) {#churtenlimit}. */
  upload?: RateLimit
}

/**
 * Serves the data protocols — `/realize/blob/1.0.0` (and its pipelined
 * form for small reads, `/realize/blob-batch/1.0.0`), `/realize/hash/1.0.0`,
 * `/realize/rsync/1.0.0` — from one source, with the household checks and
 * limits of protocols/common `serve`. Resolves to the function that
 * unregisters them all.
 */
export async function startDataServers (components: ServeComponents, options: DataServersOptions): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = []
  try {
    const upload = options.upload
    // The blob server's reads leave the machine as they are: its source is
    // throttled. Hashing and delta generation read much more than they
    // send, so those servers throttle what they send instead.
    const blobSource = upload == null || upload.unlimited ? options.source : throttled(options.source, upload)
    const throttle = upload == null ? undefined : throttleOf(upload)
    stops.push(await startBlobServer(components, { ...options, source: blobSource }))
    stops.push(await startBlobBatchServer(components, { ...options, source: blobSource }))
    stops.push(await startHashServer(components, { ...options, throttle }))
    stops.push(await startRsyncServer(components, { ...options, throttle }))
  } catch (err) {
    for (const stop of stops) await stop().catch(() => {})
    throw err
  }
  return async () => { await Promise.all(stops.map(async (stop) => { await stop() })) }
}

/** A source whose reads wait for the upload limit: the blob server reads just ahead of what it sends. */
function throttled (source: BlobSource, limit: RateLimit): BlobSource {
  return {
    open: async (arena, path, hash, options) => {
      const handle = await source.open(arena, path, hash, options)
      return {
        size: handle.size,
        read: async (into, position) => {
          const n = await handle.read(into, position)
          await limit.take(n, options.signal)
          return n
        },
        verify: async () => { await handle.verify() },
        close: async () => { await handle.close() }
      }
    }
  }
}
