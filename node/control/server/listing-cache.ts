import type { LsEntry } from '../api/model.js'

/** Listings kept at once: a 100,000-entry listing is tens of MB. */
const LISTINGS = 2

/**
 * Listings and real-file counts of the control API, reused until their
 * arena changes: a TUI opening after `ls`, paging, repeated `ls`, and
 * `status` (whose counts come from the root listing) cost one index scan
 * between changes. Every change to an arena bumps its generation.
 */
export class ListingCache {
  private readonly generation = new Map<string, number>()
  private readonly counts = new Map<string, { generation: number, files: number, bytes: number }>()
  private readonly listings = new Map<string, { generation: number, entries: Promise<LsEntry[]> }>()

  /** Something in `arena` changed: its listings and counts are computed again when next asked. */
  changed (arena: string): void {
    this.generation.set(arena, (this.generation.get(arena) ?? 0) + 1)
  }

  /** The listing of `path` in `arena`, from `list` unless one since the last change is kept. */
  async listing (arena: string, path: string, list: () => Promise<LsEntry[]>): Promise<LsEntry[]> {
    const key = `${arena}\0${path}`
    const generation = this.generation.get(arena) ?? 0
    const cached = this.listings.get(key)
    if (cached != null && cached.generation === generation) return await cached.entries
    const entries = list()
    this.listings.delete(key)
    this.listings.set(key, { generation, entries })
    for (const k of this.listings.keys()) if (this.listings.size > LISTINGS) this.listings.delete(k)
    entries.catch(() => { if (this.listings.get(key)?.entries === entries) this.listings.delete(key) })
    return await entries
  }

  /**
   * Files and bytes in the real, from the arena's root listing (which folds
   * every file below into its top directory): one index scan, shared with
   * an `ls ARENA:` (the TUI asks for both at once).
   */
  async realCounts (arena: string, rootListing: () => Promise<LsEntry[]>): Promise<{ files: number, bytes: number }> {
    const generation = this.generation.get(arena) ?? 0
    const known = this.counts.get(arena)
    if (known?.generation === generation) return known
    let files = 0
    let bytes = 0
    for (const e of await rootListing()) {
      // Remote directories are summed too (issue 16): only the real counts here.
      if (e.location !== 'real') continue
      files += e.files ?? 1
      bytes += e.size
    }
    // Kept apart from the listing, which a user's browsing may evict.
    this.counts.set(arena, { generation, files, bytes })
    return { files, bytes }
  }
}
