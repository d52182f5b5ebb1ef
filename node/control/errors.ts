import { ConfigError, errorChain, InvalidInputError, RealizeError } from '../../datastore/types/errors.js'
import { RpcCode, type RpcErrorObject } from './jsonrpc.js'

/**
 * The code a control client gives NodeNotRunningError. The CLI maps it to
 * exit code 3 (cli/exit.ts): the contract owns the code, the CLI its exit
 * status, so the client (and the TUI over it) loads nothing of the CLI.
 */
export const NODE_NOT_RUNNING = 'NODE_NOT_RUNNING'

/** No node answers on the control socket (exit code 3). */
export class NodeNotRunningError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super(NODE_NOT_RUNNING, message, options)
  }
}

/** What was asked for cannot be reached now (NO_PEER: no connected peer has the file). */
export class UnavailableError extends RealizeError {}

/** A path or arena the node does not know. */
export class NotFoundError extends RealizeError {
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

/** The wire form of an error: RealizeError code and cause chain in `data` {#errormsg}. */
export function toRpcError (err: unknown): RpcErrorObject {
  const usage = err instanceof InvalidInputError || err instanceof ConfigError
  const code = err instanceof RealizeError ? err.code : ((err as NodeJS.ErrnoException)?.code ?? 'FAILED')
  const rpcCode = usage ? RpcCode.invalidParams : err instanceof UnavailableError ? RpcCode.unavailable : RpcCode.failed
  const messages = errorChain(err)
  return { code: rpcCode, message: messages[0] ?? 'failed', data: { code, causes: messages.slice(1), usage } }
}

/** An error the node answered with, rebuilt with its cause chain so describeError prints it whole. */
export class RemoteError extends RealizeError {
  constructor (code: string, message: string, readonly rpcCode: number, readonly usage: boolean, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

export function fromRpcError (e: RpcErrorObject): RemoteError {
  const data = e.data
  let cause: Error | undefined
  for (const msg of [...(data?.causes ?? [])].reverse()) cause = new Error(msg, { cause })
  const usage = data?.usage ?? (e.code === RpcCode.invalidParams || e.code === RpcCode.methodNotFound)
  return new RemoteError(data?.code ?? `RPC_${e.code}`, e.message, e.code, usage, { cause })
}
