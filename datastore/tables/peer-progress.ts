import { PeerProgressValue } from '../schema/tables.js'
import { textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'

/** Where our subscription to a peer's history stands, so a reconnect resumes instead of re-listing. */
export interface PeerProgress {
  storeId: Uint8Array
  lastSeen: number
  /** ms since epoch of the last exchange with the peer */
  lastActive: number
}

export const peerProgressTable = new Table<string, PeerProgress>('peer-progress', textKey(), {
  encode: (v) => PeerProgressValue.encode(v as PeerProgressValue),
  decode: (b) => PeerProgressValue.decode(b)
})

export class PeerProgressTable {
  constructor (private readonly store: Store) {}

  async get (peerId: string): Promise<PeerProgress | undefined> {
    return await this.store.get(peerProgressTable, peerId)
  }

  all (): AsyncGenerator<[string, PeerProgress]> {
    return this.store.scan(peerProgressTable)
  }

  put (batch: Batch, peerId: string, progress: PeerProgress): void {
    batch.put(peerProgressTable, peerId, progress)
  }

  delete (batch: Batch, peerId: string): void {
    batch.delete(peerProgressTable, peerId)
  }
}
