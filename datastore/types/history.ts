import type { Hash } from './hash.js'
import type { RelPath } from './path.js'

/**
 * What a store publishes about its own files (spec section 3, history).
 * `Drop` is an unrealize: the content left the real but is not gone.
 */
export type HistoryNotification =
  | { kind: 'add', path: RelPath, size: number, mtime: number, hash: Hash }
  | { kind: 'replace', path: RelPath, size: number, mtime: number, hash: Hash, oldHash: Hash }
  | { kind: 'remove', path: RelPath, oldHash: Hash }
  | { kind: 'drop', path: RelPath, oldHash: Hash }

/** A notification with its position in the store's history. */
export interface HistoryEntry {
  n: number
  notification: HistoryNotification
}
