import { PeerProgressValue } from '../schema/tables.js'
import { textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Store } from '../store.js'

/**
 * The publishing side of history subscriptions: how far each subscriber has
 * acknowledged *our* history, so entries every active peer has stored can
 * be trimmed (spec section 3). The mirror image of `peer-progress` (how far
 * we have read *theirs*), with the same value layout: `storeId` is our store
 * id when the peer acknowledged, `lastSeen` the acknowledged `n`.
 */
export interface HistoryAck {
  storeId: Uint8Array
  acked: number
  /** ms since epoch of the last acknowledgement or subscription. */
  lastActive: number
}

export const historyAcksTable = new Table<string, HistoryAck>('history-acks', textKey(), {
  encode: (v) => PeerProgressValue.encode({ storeId: v.storeId as Uint8Array<ArrayBuffer>, lastSeen: v.acked, lastActive: v.lastActive }),
  decode: (b) => {
    const v = PeerProgressValue.decode(b)
    return { storeId: v.storeId, acked: v.lastSeen, lastActive: v.lastActive }
  }
})

export class HistoryAcksTable {
  constructor (private readonly store: Store) {}

  async get (peerId: string): Promise<HistoryAck | undefined> {
    return await this.store.get(historyAcksTable, peerId)
  }

  all (): AsyncGenerator<[string, HistoryAck]> {
    return this.store.scan(historyAcksTable)
  }

  async put (peerId: string, ack: HistoryAck): Promise<void> {
    await this.store.write((b) => { b.put(historyAcksTable, peerId, ack) })
  }
}
