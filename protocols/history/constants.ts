/** `/realize/history/1.0.0` (spec section 5). */
export const HISTORY_PROTOCOL = '/realize/history/1.0.0'

/** Most entries or files in one frame. */
export const MAX_BATCH_ITEMS = 1000

/**
 * Approximate payload bytes at which a batch is sent even if not full: keeps
 * frames far below the message limit (a path may be up to ~4 KiB).
 */
export const BATCH_BYTES = 256 * 1024

/** Frames are batches of small records: 1 MiB is plenty and bounds a hostile peer. */
export const MAX_HISTORY_MESSAGE_BYTES = 1024 * 1024

/** Live entries a subscriber holds while its store write runs, before it stops reading the stream. */
export const MAX_QUEUED_ENTRIES = 10_000

/** Live entries held in memory for a slow subscriber before falling back to reading the store. */
export const MAX_PENDING_LIVE = 10_000

/** Subscriptions per peer and arena are one each; a few more allow a reconnect racing the old stream. */
export const MAX_HISTORY_STREAMS_PER_PEER = 16

/** Time for the subscriber to send its Subscribe message. */
export const SUBSCRIBE_TIMEOUT_MS = 10_000
