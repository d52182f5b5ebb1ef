import { MAX_PATH_BYTES } from '../../datastore/types/path.js'

/**
 * `/realize/hold/1.0.0`: ask a peer to keep a version real before dropping
 * our own real copy (spec section 1, unrealize; docs/consensus.md, "Hold
 * before unrealize").
 */
export const HOLD_PROTOCOL = '/realize/hold/1.0.0'

/**
 * How long a granted hold keeps the server's copy real: enough for the
 * caller to move its file and for its Drop to reach the server (then the
 * server sees no other real copy and keeps its own anyway). Safety does not
 * rest on it: a caller refuses every hold while it moves the file and
 * after (not real any more), so a lease that ends early cannot let the
 * server drop relying on it. It only spares the server a drop it would
 * have to cancel, and it delays the server's own drop when a third node
 * could hold the version, so it stays short (a model check settles in 45 s).
 */
export const HOLD_LEASE_MS = 15_000

/** A request is an arena name, a path and a hash. */
export const MAX_HOLD_MESSAGE_BYTES = MAX_PATH_BYTES + 1024

/** Concurrent hold requests one peer may have open (spec section 5, "Limits"); churten asks one at a time per path. */
export const MAX_HOLD_STREAMS_PER_PEER = 16

/** The whole exchange: one small request, one small answer, no disk I/O beyond an index read. */
export const HOLD_REQUEST_TIMEOUT_MS = 10_000
