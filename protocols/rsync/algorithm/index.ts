/**
 * rsync's algorithm: a signature (weak rolling sum + strong hash per block)
 * of a basis, the delta of new data against it, and applying the delta to
 * the basis. Pure byte work over RangeReaders; the wire is protocols/rsync.
 */
export { bytesReader, fileReader, readChunks, readFully, type RangeReader } from '../../common/reader.js'
export { weakSum, roll } from './rolling.js'
export {
  blockCount, blockLength, checkBlockSize, checkSignature, chooseBlockSize, computeSignature, signatureOfBytes,
  MAX_BLOCK_SIZE, MIN_BLOCK_SIZE, STRONG_BYTES, type Signature, type SignatureOptions
} from './signature.js'
export { generateDelta, DEFAULT_MAX_LITERAL, type DeltaOp, type DeltaOptions, type DeltaSummary } from './delta.js'
export { applyDelta, BadDeltaError, type ApplyOptions, type WriteFn } from './apply.js'
