import type { FetchContext } from '../../fetch/source.js'
import type { Holds } from '../holds.js'

/**
 * What the executors of one arena work with: what fetching from peers
 * needs (node/fetch/), which downloads share with `cat`.
 */
export interface ExecutorContext extends FetchContext {
  /** Leases granted and drops under way: the hold handshake before unrealize. */
  holds: Holds
}
