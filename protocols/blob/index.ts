/**
 * `/realize/blob/1.0.0`: ranged reads of one version of a file, chunked and
 * compressed when that pays {#compress} (spec section 5). server.ts serves
 * from a BlobSource (common/source.ts: the data protocols' narrow view of the files);
 * client.ts reads a range from a peer.
 */
export { BLOB_PROTOCOL, CHUNK_BYTES, MAX_BLOB_STREAMS_PER_PEER } from './constants.js'
export { Compression } from './blob.js'
export { startBlobServer, serveBlob, type BlobServerOptions, type BlobServeOptions } from './server.js'
export {
  readBlob, readBlobInto, readBlobPiecesInto, type BlobPiece, type BlobReadOptions, type BlobReadRequest, type BlobReadSummary,
  type BlobWriteFn, type BlobPiecesWriteFn
} from './client.js'
export { flatten, pieces, type BlobBytes } from './bytes.js'
