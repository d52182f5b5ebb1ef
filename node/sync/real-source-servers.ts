import { startBlobServer } from '../../protocols/blob/server.js'
import { startHashServer } from '../../protocols/hash/server.js'
import { startRsyncServer } from '../../protocols/rsync/server.js'
import type { BlobSource } from '../../protocols/blob/source.js'
import type { ServeComponents } from '../../protocols/common/serve.js'
import type { Faults } from '../../protocols/faults.js'

export interface DataServersOptions {
  /** Usually a RealSource over the node's arenas (./real-source.ts). */
  source: BlobSource
  /** Test-only {#testretries}. */
  faults?: Faults
}

/**
 * Serves the three data protocols — `/realize/blob/1.0.0`, `/realize/hash/1.0.0`,
 * `/realize/rsync/1.0.0` — from one source, with the household checks and
 * limits of protocols/common `serve`. Resolves to the function that
 * unregisters all three.
 */
export async function startDataServers (components: ServeComponents, options: DataServersOptions): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = []
  try {
    stops.push(await startBlobServer(components, options))
    stops.push(await startHashServer(components, options))
    stops.push(await startRsyncServer(components, options))
  } catch (err) {
    for (const stop of stops) await stop().catch(() => {})
    throw err
  }
  return async () => { await Promise.all(stops.map(async (stop) => { await stop() })) }
}
