import { hashEquals } from '../../datastore/types/hash.js'
import { sameVersion, type Version } from '../../datastore/types/version.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { ConflictEntry } from '../../datastore/tables/conflicts.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { UnrealFileStat } from '../unreal/unreal-tree.js'
import type { RelPath } from '../../datastore/types/path.js'

/**
 * This node's side of conflict records (spec section 3, `conflicts`).
 * The unreal tree records peers on parallel chains (`remote`, `chosen`);
 * consensus adds the real file whenever the path is in conflict here:
 *
 * - our real version diverges from the chosen one (decide's `conflict`):
 *   `local` is ours, and — since the tree sees no parallel chain among the
 *   peers, who all follow the chosen one — `remote` lists the peers'
 *   versions, so `conflicts` shows the other side too;
 * - some peer is on a parallel chain while our real file is the chosen
 *   version: `local` is ours, `remote` is the tree's.
 *
 * When the path is no longer in conflict here (the user resolved it, the
 * file went away) our side is removed again. Paths with our side are kept
 * in memory, so a decision costs nothing unless a conflict is involved.
 */
export class ConflictRecords {
  private ours: Promise<Set<RelPath>> | undefined

  constructor (private readonly store: ArenaStore) {}

  /** Records or clears our side of `path` after a decision; `diverges`: decide found a conflict. */
  async note (path: RelPath, real: IndexEntry | undefined, stat: UnrealFileStat | undefined, diverges: boolean): Promise<void> {
    const ours = await this.load()
    const inConflict = real != null && stat != null && (diverges || stat.conflict)
    if (!inConflict && !ours.has(path)) return
    const conflicts = this.store.conflicts
    await this.store.store.write(async (b) => {
      const old = await conflicts.getIn(b, path)
      if (inConflict) {
        const local: Version = { hash: real.hash, size: real.size, mtime: real.mtime }
        const remote = stat.conflict && (old?.remote.length ?? 0) > 0 ? old!.remote : stat.peers.map((p) => ({ peer: p.peer, version: p.version }))
        const next: ConflictEntry = { local, remote, chosen: stat.chosen.hash }
        if (old == null || !same(old, next)) conflicts.put(b, path, next)
        ours.add(path)
      } else {
        ours.delete(path)
        if (old == null) return
        // The tree's side stays while peers are still on parallel chains.
        if (stat?.conflict === true) conflicts.put(b, path, { remote: old.remote, ...(old.chosen != null ? { chosen: old.chosen } : {}) })
        else conflicts.delete(b, path)
      }
    })
  }

  private async load (): Promise<Set<RelPath>> {
    this.ours ??= (async () => {
      const out = new Set<RelPath>()
      for await (const [path, c] of this.store.conflicts.all()) if (c.local != null) out.add(path)
      return out
    })()
    return await this.ours
  }
}

function same (a: ConflictEntry, b: ConflictEntry): boolean {
  if ((a.local == null) !== (b.local == null) || (a.local != null && !sameVersion(a.local, b.local!))) return false
  if (!hashEquals(a.chosen, b.chosen) || a.remote.length !== b.remote.length) return false
  return a.remote.every((r, i) => r.peer === b.remote[i]?.peer && sameVersion(r.version, b.remote[i]!.version))
}
