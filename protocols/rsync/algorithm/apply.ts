import { RealizeError } from '../../../datastore/types/errors.js'
import { readFully, type RangeReader } from '../../common/reader.js'
import { blockCount, type Signature } from './signature.js'
import type { DeltaOp } from './delta.js'

/** Receives the rebuilt data in order; must be done with `data` when it resolves (the buffer is reused). */
export type WriteFn = (data: Uint8Array, offset: number) => Promise<void>

export interface ApplyOptions {
  signal?: AbortSignal
  /** The rebuilt data may not be longer (a delta from elsewhere is not trusted). */
  maxLength?: number
  /**
   * The basis is the target itself (a delta made with `inPlace`): copies of
   * a block to its own offset are not written, the bytes are there already.
   */
  inPlace?: boolean
  /** Sees every rebuilt piece in order, written or not (to hash the result). */
  observe?: (data: Uint8Array, offset: number) => void
}

const COPY_PIECE = 1024 * 1024

/** Raised for a delta that cannot describe anything: a block beyond the basis, data past maxLength. */
export class BadDeltaError extends RealizeError {
  constructor (message: string) {
    super('BAD_DELTA', message)
  }
}

/**
 * Rebuilds the other side's data from the basis and a delta; resolves to the
 * bytes written. The basis is only read. Writing into the basis file itself
 * is safe only if every copy is in place (block i to offset i·blockSize):
 * otherwise write elsewhere (a temp file, a blob), as {#delta} requires.
 */
export async function applyDelta (
  ops: AsyncIterable<DeltaOp> | Iterable<DeltaOp>,
  basis: RangeReader,
  sig: Pick<Signature, 'blockSize' | 'length'>,
  write: WriteFn,
  options: ApplyOptions = {}
): Promise<number> {
  const { blockSize, length } = sig
  const blocks = blockCount(length, blockSize)
  const max = options.maxLength ?? Infinity
  let piece: Uint8Array | undefined
  let offset = 0
  const grow = (n: number): void => {
    if (offset + n > max) throw new BadDeltaError(`delta rebuilds more than the expected ${max} bytes`)
  }
  for await (const op of ops) {
    options.signal?.throwIfAborted()
    if (op.kind === 'literal') {
      grow(op.data.byteLength)
      options.observe?.(op.data, offset)
      await write(op.data, offset)
      offset += op.data.byteLength
      continue
    }
    const { block, count } = op
    if (!Number.isSafeInteger(block) || !Number.isSafeInteger(count) || block < 0 || count < 1 || block + count > blocks) {
      throw new BadDeltaError(`delta copies blocks [${block}, ${block + count}) of a basis with ${blocks}`)
    }
    const start = block * blockSize
    const end = Math.min((block + count) * blockSize, length)
    grow(end - start)
    const inPlace = options.inPlace === true && start === offset
    piece ??= new Uint8Array(Math.min(COPY_PIECE, Math.max(blockSize, end - start)))
    for (let from = start; from < end;) {
      const want = Math.min(piece.byteLength, end - from)
      const n = await readFully(basis, piece.subarray(0, want), from)
      if (n < want) throw new RealizeError('SHORT_READ', `basis ended at byte ${from + n} of ${length}`)
      options.observe?.(piece.subarray(0, n), offset)
      if (!inPlace) await write(piece.subarray(0, n), offset)
      offset += n
      from += n
    }
  }
  return offset
}
