import { dirtyByPath } from '../../datastore/tables/dirty.js'
import { indexTable } from '../../datastore/tables/index-table.js'
import type { Arena } from '../arena.js'

/**
 * Per-arena counts for the metrics endpoint, read when Prometheus scrapes.
 * The index count is one key scan, kept until the index changes (its
 * `history` event): an unchanged 1,000,000-file arena costs nothing per
 * scrape. The dirty table is short when the node is quiet; it is counted
 * at each scrape.
 */
export function arenaCounts (arenas: readonly Arena[]): { read: () => Promise<Array<{ name: string, indexFiles: number, dirtyPaths: number }>>, close: () => void } {
  const known = new Map<string, number>()
  // Bumped by each change: a count that raced a change is not kept.
  const generation = new Map<string, number>()
  const forget = new Map(arenas.map((a) => [a.name as string, () => { known.delete(a.name); generation.set(a.name, (generation.get(a.name) ?? 0) + 1) }]))
  for (const a of arenas) a.index.on('history', forget.get(a.name) as () => void)
  const count = async (iter: AsyncIterable<unknown>): Promise<number> => {
    let n = 0
    for await (const _ of iter) n++
    return n
  }
  return {
    read: async () => await Promise.all(arenas.map(async (a) => {
      let indexFiles = known.get(a.name)
      if (indexFiles == null) {
        const before = generation.get(a.name) ?? 0
        indexFiles = await count(a.store.store.scanKeys(indexTable))
        if ((generation.get(a.name) ?? 0) === before) known.set(a.name, indexFiles)
      }
      return { name: a.name, indexFiles, dirtyPaths: await count(a.store.store.scanKeys(dirtyByPath)) }
    })),
    close: () => { for (const a of arenas) a.index.off('history', forget.get(a.name) as () => void) }
  }
}
