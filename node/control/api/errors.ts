import { RealizeError } from '../../../datastore/types/errors.js'
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

/**
 * An error the node answered a control call with, rebuilt with its cause
 * chain so describeError prints it whole (a failure on a household peer is
 * protocols/common PeerRemoteError: another thing).
 */
export class ControlCallError extends RealizeError {
  constructor (code: string, message: string, readonly rpcCode: number, readonly usage: boolean, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** The client side of server/errors.ts `toRpcError`. */
export function fromRpcError (e: RpcErrorObject): ControlCallError {
  const data = e.data
  let cause: Error | undefined
  for (const msg of [...(data?.causes ?? [])].reverse()) cause = new Error(msg, { cause })
  const usage = data?.usage ?? (e.code === RpcCode.invalidParams || e.code === RpcCode.methodNotFound)
  return new ControlCallError(data?.code ?? `RPC_${e.code}`, e.message, e.code, usage, { cause })
}
