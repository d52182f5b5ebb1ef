/**
 * `/realize/rsync/1.0.0`: rebuild a peer's range from a local basis by
 * sending a signature and applying the delta (spec section 5); an identical
 * range answers "unchanged" {#emptydelta}. The algorithm is protocols/rsync/algorithm; this
 * is its wire. repair.ts: rsync with a fall back to a plain copy.
 */
export { RSYNC_PROTOCOL, MAX_SIGNATURE_BLOCKS, MAX_RSYNC_STREAMS_PER_PEER } from './constants.js'
export { startRsyncServer, serveRsync, type RsyncServerOptions, type RsyncServeOptions } from './server.js'
export { rsyncRange, RsyncMismatchError, type RsyncBasis, type RsyncOptions, type RsyncRangeRequest, type RsyncResult } from './client.js'
export { repairRange, type RepairOptions, type RepairResult } from './repair.js'
