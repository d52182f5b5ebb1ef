/** `/realize/hash/1.0.0` (spec section 5): SHA-256 of byte ranges of one version. */
export const HASH_PROTOCOL = '/realize/hash/1.0.0'

/** Ranges in one request; a client with more sends several requests. */
export const MAX_HASH_RANGES = 4096

/** A request of MAX_HASH_RANGES ranges is about 100 KiB; results are 35 bytes. */
export const MAX_HASH_MESSAGE_BYTES = 256 * 1024

/** Concurrent hash requests one peer may have open (spec section 5, "Limits"). */
export const MAX_HASH_STREAMS_PER_PEER = 8

/** Time for the request to arrive and the file to open. */
export const HASH_REQUEST_TIMEOUT_MS = 15_000

/**
 * A request's results must all come within this plus its total length at
 * the slowest rate we accept: 1 GiB hashes in under a second from the page
 * cache, but minutes on a slow disk must not look like a dead peer.
 */
export const HASH_RESULT_TIMEOUT_MS = 30_000
export const HASH_MIN_RATE_BYTES_PER_S = 10 * 1024 * 1024

/** The server sends results in batches of this many, or after hashing this many bytes. */
export const RESULT_BATCH = 256
export const RESULT_BATCH_BYTES = 64 * 1024 * 1024

/**
 * Hashing one request may cost at most the version's size plus this many
 * bytes (the sum of its range lengths): honest callers tile a file with
 * disjoint ranges (REPAIR_RANGE_BYTES), so only duplicates and overlaps go
 * past the size, and those are what made 8 requests of 4,096 ranges over a
 * 300 KB file cost 9.2 GiB of hashing. Beyond: HASH_BUDGET_EXCEEDED.
 */
export const HASH_OVERLAP_BYTES = 16 * 1024 * 1024

/**
 * Bytes one peer may have asked to hash across its open hash requests (with
 * MAX_HASH_STREAMS_PER_PEER of them): two full requests of 4,096 ranges of
 * 4 MiB. Beyond: HASH_BUDGET_EXCEEDED, the client retries later.
 */
export const MAX_HASH_BYTES_PER_PEER = 2 * MAX_HASH_RANGES * 4 * 1024 * 1024

/**
 * Ranges that one read of up to this many bytes covers are read once and
 * hashed together in the worker pool (protocols/workers), never one read per
 * small range; a longer range is streamed through node:crypto.
 */
export const HASH_WINDOW_BYTES = 16 * 1024 * 1024
