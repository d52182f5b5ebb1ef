/**
 * Limits shared by the peer protocols (spec section 5, "Limits"). Each
 * protocol may pass its own; these are the defaults.
 */

/** Largest frame a peer may send: a blob chunk plus its header fits. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/** Concurrent inbound streams of one protocol from one peer; more are reset. */
export const DEFAULT_MAX_STREAMS_PER_PEER = 32

/** A request that has not been answered (or a reply not read) by then fails. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/** Read-ahead past which a stream is paused, so a fast sender cannot fill our memory. */
export const READ_HIGH_WATER_BYTES = 1024 * 1024
