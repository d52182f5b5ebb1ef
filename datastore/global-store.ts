import { Store } from './store.js'
import { metaTable } from './tables/meta.js'
import { InodeRangeAllocations } from './tables/inode-ranges.js'
import type { Datastore } from 'interface-datastore'

/**
 * The node's global store: settings and the inode range allocation table
 * (`rangeEnd -> arena`, {#inoderange}).
 */
export class GlobalStore {
  private constructor (readonly store: Store, readonly inodeRanges: InodeRangeAllocations) {}

  static async open (datastore: Datastore): Promise<GlobalStore> {
    const store = new Store(datastore)
    return new GlobalStore(store, new InodeRangeAllocations(store))
  }

  async getSetting (name: string): Promise<Uint8Array | undefined> {
    return await this.store.get(metaTable, `setting/${name}`)
  }

  async setSetting (name: string, value: Uint8Array): Promise<void> {
    await this.store.write((b) => { b.put(metaTable, `setting/${name}`, value) })
  }

  async close (): Promise<void> {
    await this.store.close()
  }
}
