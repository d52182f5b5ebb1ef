import { dirKey, ROOT_INODE, unrealDirTable, unrealInodeTable, type DirEntryValue, type InodeValue } from '../../datastore/tables/unreal-tree.js'
import type { Batch } from '../../datastore/store.js'
import type { UnrealTreeTables } from '../../datastore/tables/unreal-tree.js'

/** Directories up to this size are read with one range scan the first time a batch touches them. */
const PRELOAD_MAX_CHILDREN = 4096

/**
 * Directory entries as one batch sees them. Where a point read costs a
 * trip to LevelDB's thread pool (~50 µs; not with classic-level's
 * synchronous reads, `Store.syncReads`), a catch-up that adds thousands of files
 * would spend its time waiting: instead a directory created in this batch,
 * or empty when first touched, is known to hold only what the batch put
 * there, and a small one is read with one range scan. Every entry written
 * by the batch goes through here, so the listings stay exact.
 */
export class DirListings {
  private readonly listings = new Map<number, Map<string, DirEntryValue>>()
  private readonly records = new Map<number, InodeValue>()
  /** Directories written before being listed: the scan would miss the batch's writes, so they are read key by key. */
  private readonly unlisted = new Set<number>()

  constructor (private readonly batch: Batch, private readonly tables: UnrealTreeTables) {}

  async get (dir: number, name: string): Promise<DirEntryValue | undefined> {
    const listing = await this.listing(dir)
    if (listing != null) return listing.get(name)
    return await this.batch.get(unrealDirTable, dirKey(dir, name))
  }

  /** Reads ahead the entries `get` will ask for: listings for small directories, concurrent point reads for big ones. */
  async prefetch (wanted: Iterable<[number, string]>): Promise<void> {
    const byDir = new Map<number, string[]>()
    for (const [dir, name] of wanted) {
      const names = byDir.get(dir)
      if (names == null) byDir.set(dir, [name])
      else names.push(name)
    }
    await this.batch.prefetch(unrealInodeTable, [...byDir.keys()].filter((d) => !this.records.has(d)))
    const keys: Array<[number, string]> = []
    for (const [dir, names] of byDir) {
      if (await this.listing(dir) == null) for (const name of names) keys.push(dirKey(dir, name))
    }
    await this.batch.prefetch(unrealDirTable, keys)
  }

  put (dir: number, name: string, entry: DirEntryValue): void {
    this.batch.put(unrealDirTable, dirKey(dir, name), entry)
    const listing = this.listings.get(dir)
    if (listing != null) listing.set(name, entry)
    else this.unlisted.add(dir)
  }

  delete (dir: number, name: string): void {
    this.batch.delete(unrealDirTable, dirKey(dir, name))
    const listing = this.listings.get(dir)
    if (listing != null) listing.delete(name)
    else this.unlisted.add(dir)
  }

  /** A directory created by this batch: it holds nothing else. */
  created (dir: number, record: InodeValue): void {
    this.listings.set(dir, new Map())
    this.putRecord(dir, record)
  }

  async record (dir: number): Promise<InodeValue | undefined> {
    const cached = this.records.get(dir)
    if (cached != null) return cached
    const rec = await this.batch.get(unrealInodeTable, dir) ??
      (dir === ROOT_INODE ? { parent: 0, name: '', kind: 'dir' as const, children: 0 } : undefined)
    if (rec != null) this.records.set(dir, rec)
    return rec
  }

  putRecord (dir: number, record: InodeValue): void {
    this.records.set(dir, record)
    this.batch.put(unrealInodeTable, dir, record)
  }

  deleteRecord (dir: number): void {
    this.records.delete(dir)
    this.listings.delete(dir)
    this.batch.delete(unrealInodeTable, dir)
  }

  private async listing (dir: number): Promise<Map<string, DirEntryValue> | undefined> {
    const known = this.listings.get(dir)
    if (known != null) return known
    // A point read is cheap then, and a listing of a 100-entry directory
    // per batch of one file was the top cost of following a peer's sync.
    if (this.unlisted.has(dir) || this.batch.store.syncReads) return undefined
    const rec = await this.record(dir)
    if (rec == null || rec.children > PRELOAD_MAX_CHILDREN) return undefined
    const listing = new Map<string, DirEntryValue>()
    if (rec.children > 0) for await (const [name, e] of this.tables.children(dir)) listing.set(name, e)
    this.listings.set(dir, listing)
    return listing
  }
}
