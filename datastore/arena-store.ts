import { Store } from './store.js'
import { DirtyPaths } from './tables/dirty.js'
import { HistoryLog } from './tables/history.js'
import { IndexTable } from './tables/index-table.js'
import { MarksTable } from './tables/marks.js'
import { loadOrCreateStoreId } from './tables/meta.js'
import { PeerProgressTable } from './tables/peer-progress.js'
import { UnrealTreeTables } from './tables/unreal-tree.js'
import { ArenaInodeRange } from './tables/inode-ranges.js'
import { BlobTables } from './tables/blobs.js'
import { ConflictsTable } from './tables/conflicts.js'
import { FailedJobsTable } from './tables/failed-jobs.js'
import { TombstonesTable } from './tables/tombstones.js'
import type { Datastore } from 'interface-datastore'

/**
 * The per-arena store (spec section 3): every table of one arena in one
 * LevelDB, so a change and everything it implies commit in one batch.
 * The unreal (tree, inode range, blobs, conflicts) lives here too, so a
 * remote change, its conflict and its dirty mark commit together; so do a
 * job's result, its failed-job record and the dirty entry it clears.
 */
export class ArenaStore {
  private constructor (
    readonly store: Store,
    readonly storeId: Uint8Array,
    readonly index: IndexTable,
    readonly history: HistoryLog,
    readonly marks: MarksTable,
    readonly dirty: DirtyPaths,
    readonly peerProgress: PeerProgressTable,
    readonly unreal: UnrealTreeTables,
    readonly inodeRange: ArenaInodeRange,
    readonly blobs: BlobTables,
    readonly conflicts: ConflictsTable,
    readonly failedJobs: FailedJobsTable,
    readonly tombstones: TombstonesTable
  ) {}

  static async open (datastore: Datastore): Promise<ArenaStore> {
    const store = new Store(datastore)
    return new ArenaStore(
      store,
      await loadOrCreateStoreId(store),
      new IndexTable(store),
      await HistoryLog.open(store),
      new MarksTable(store),
      await DirtyPaths.open(store),
      new PeerProgressTable(store),
      new UnrealTreeTables(store),
      new ArenaInodeRange(store),
      new BlobTables(store),
      new ConflictsTable(store),
      new FailedJobsTable(store),
      new TombstonesTable(store)
    )
  }

  async close (): Promise<void> {
    await this.store.close()
  }
}
