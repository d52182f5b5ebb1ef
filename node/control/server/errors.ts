import { ConfigError, errorChain, InvalidInputError, RealizeError } from '../../../datastore/types/errors.js'
import { RpcCode, type RpcErrorObject } from '../api/jsonrpc.js'

/** What was asked for cannot be reached now (NO_PEER: no connected peer has the file). */
export class UnavailableError extends RealizeError {}

/** A path the node does not know (not in the real, and no peer has it); its code stays NOT_FOUND. */
export class PathNotFoundError extends RealizeError {
  constructor (message: string) {
    super('NOT_FOUND', message)
  }
}

/** An arena name that is valid but not configured on this node: the caller's mistake (exit 2). */
export class UnknownArenaError extends InvalidInputError {
  constructor (name: string, known: readonly string[]) {
    super('UNKNOWN_ARENA', `no arena ${JSON.stringify(name)} on this node (arenas: ${known.length === 0 ? 'none' : known.join(', ')})`)
  }
}

/** The wire form of an error: RealizeError code and cause chain in `data` {#errormsg} (api/errors.ts `fromRpcError` reads it). */
export function toRpcError (err: unknown): RpcErrorObject {
  const usage = err instanceof InvalidInputError || err instanceof ConfigError
  const code = err instanceof RealizeError ? err.code : ((err as NodeJS.ErrnoException)?.code ?? 'FAILED')
  const rpcCode = usage ? RpcCode.invalidParams : err instanceof UnavailableError ? RpcCode.unavailable : RpcCode.failed
  const messages = errorChain(err)
  return { code: rpcCode, message: messages[0] ?? 'failed', data: { code, causes: messages.slice(1), usage } }
}
