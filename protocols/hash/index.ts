/**
 * `/realize/hash/1.0.0`: SHA-256 of byte ranges of one version on a peer
 * (spec section 5), to find which ranges of a local copy differ. The
 * caller skips ranges past its own copy's end {#sizebeforehash}.
 */
export { HASH_PROTOCOL, MAX_HASH_RANGES, MAX_HASH_STREAMS_PER_PEER } from './constants.js'
export { startHashServer, serveHash, hashRange, type HashServerOptions, type HashServeOptions } from './server.js'
export { hashRanges, type HashRangesOptions, type HashRangesRequest, type RangeHash } from './client.js'
