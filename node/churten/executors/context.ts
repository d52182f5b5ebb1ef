import type { FetchContext } from '../../fetch/source.js'

/**
 * What the executors of one arena work with: what fetching from peers
 * needs (node/fetch/), which downloads share with `cat`.
 */
export type ExecutorContext = FetchContext
