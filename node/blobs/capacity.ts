import { statfs } from 'node:fs/promises'
import type { Stats } from 'node:fs'

/**
 * `cache.capacity` {#bloblru}: bytes, or a percentage of the file system
 * holding the data directory (default 10%). Same shape as the config's
 * `Capacity` (node/config/units.ts).
 */
export type Capacity = { bytes: number } | { percent: number }

export const DEFAULT_CAPACITY: Capacity = { percent: 10 }

/** The file system's block granularity we assume when estimating allocation before fstat. */
export const BLOCK_SIZE = 4096

export async function resolveCapacity (capacity: Capacity, dataDir: string): Promise<number> {
  if ('bytes' in capacity) return capacity.bytes
  const fs = await statfs(dataDir)
  return Math.floor(fs.blocks * fs.bsize * capacity.percent / 100)
}

/** Usage is counted in allocated blocks, not nominal size: sparse files cost what they hold. */
export function allocatedBytes (stat: Pick<Stats, 'blocks'>): number {
  return stat.blocks * 512
}
