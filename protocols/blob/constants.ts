/** `/realize/blob/1.0.0` (spec section 5): ranged reads of one version. */
export const BLOB_PROTOCOL = '/realize/blob/1.0.0'

/**
 * Raw bytes per chunk. Big enough that per-frame costs vanish next to the
 * copy and encryption of the data (scripts/bench-blob-protocol.ts), small
 * enough that compressing one is a short job for the threadpool.
 */
export const CHUNK_BYTES = 256 * 1024

/** A reader refuses chunks that decode to more (zip-bomb guard). */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024

/** A compressed chunk may be a little larger than its raw bytes; the frame must still fit. */
export const MAX_BLOB_MESSAGE_BYTES = MAX_CHUNK_BYTES + 64 * 1024

/** Concurrent reads one peer may have open (spec section 5, "Limits"); more are reset. */
export const MAX_BLOB_STREAMS_PER_PEER = 16

/** Time for the request to arrive and the header to come back. */
export const BLOB_REQUEST_TIMEOUT_MS = 15_000

/** Longest wait for one chunk to be sent or received once the transfer runs. */
export const BLOB_IDLE_TIMEOUT_MS = 30_000

/** Chunks read ahead of the one being sent, and chunks being compressed at once. */
export const READ_AHEAD = 3
export const COMPRESS_AHEAD = 2

/** Most codecs a reader may list (there are two). */
export const MAX_ACCEPT = 8

/**
 * `/realize/blob-batch/1.0.0` (docs/protocols-data.md, "Blob batch"): whole reads of small versions,
 * many on one stream, so a small file costs one request frame and one write
 * of its answer instead of a stream of its own (open, protocol selection,
 * request, header, chunk, end, close: docs/BENCHMARKS.md, issue 14).
 */
export const BLOB_BATCH_PROTOCOL = '/realize/blob-batch/1.0.0'

/** Largest read a blob-batch request may ask for: what is realized without a blob (churten/executors/direct.ts). */
export const MAX_BLOB_BATCH_READ_BYTES = 1024 * 1024

/** Requests a blob-batch server reads and answers ahead of the one being sent. */
export const BLOB_BATCH_AHEAD = 8

/** Blob-batch streams one peer may have open (one per reader: churten's and on-demand's). */
export const MAX_BLOB_BATCH_STREAMS_PER_PEER = 4

/** A blob-batch stream with no request for this long is ended by the server. */
export const BLOB_BATCH_IDLE_TIMEOUT_MS = 60_000
