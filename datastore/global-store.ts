import { Store } from './store.js'
import { metaTable } from './tables/meta.js'
import type { Datastore } from 'interface-datastore'

/**
 * The node's global store: settings now; the inode range allocation table
 * (`rangeEnd -> arena`, {#inoderange}) joins it with the unreal.
 */
export class GlobalStore {
  private constructor (readonly store: Store) {}

  static async open (datastore: Datastore): Promise<GlobalStore> {
    return new GlobalStore(new Store(datastore))
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
