/** `/realize/rsync/1.0.0` (spec section 5): signature -> delta. */
export const RSYNC_PROTOCOL = '/realize/rsync/1.0.0'

/** Blocks per SignatureChunk: 20 bytes each, so 320 KiB per frame. */
export const SIGNATURE_CHUNK_BLOCKS = 16 * 1024

/**
 * Most blocks in one signature: with 128 KiB blocks that covers 128 GiB in
 * one request, and costs the server about 40 MiB (sums + lookup tables).
 */
export const MAX_SIGNATURE_BLOCKS = 1024 * 1024

/** Literal bytes per reply frame (protocols/rsync/algorithm DEFAULT_MAX_LITERAL). */
export const LITERAL_BYTES = 256 * 1024

export const MAX_RSYNC_MESSAGE_BYTES = 1024 * 1024

/** Concurrent rsync requests one peer may have open (spec section 5, "Limits"). */
export const MAX_RSYNC_STREAMS_PER_PEER = 8

/** Time for the request and the whole signature to arrive. */
export const RSYNC_REQUEST_TIMEOUT_MS = 30_000

/**
 * Longest silence while the delta is produced. Unrelated data is the slow
 * case (~150 MB/s, scripts/bench-rsync.ts), but a literal frame goes out every
 * 256 KiB of it; a long unchanged stretch sends nothing until its copy run
 * ends, so the time allows for scanning a few GiB of matches.
 */
export const RSYNC_IDLE_TIMEOUT_MS = 120_000

/**
 * The caller waits this much plus the range's length at this rate for each
 * reply: the server may scan a long unchanged stretch before its next op.
 */
export const RSYNC_MIN_RATE_BYTES_PER_S = 20 * 1024 * 1024
