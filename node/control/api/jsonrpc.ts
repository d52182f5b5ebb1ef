/**
 * JSON-RPC 2.0 framing for the control socket: one JSON message per line
 * (`\n`-terminated, no embedded newlines since JSON.stringify escapes them).
 */

export type RpcId = string | number | null

export interface RpcRequest {
  jsonrpc: '2.0'
  method: string
  params?: unknown
  /** Absent on a notification, which gets no answer. */
  id?: RpcId
}

export interface RpcErrorObject {
  code: number
  message: string
  data?: RpcErrorData
}

/** What our errors carry besides the JSON-RPC code: the RealizeError code and the cause chain. */
export interface RpcErrorData {
  /** Stable RealizeError code (`INVALID_MARK`, `NOT_FOUND`...). */
  code: string
  /** Messages of the causes under `message`, outermost first. */
  causes: string[]
  /** The caller's mistake (bad mark, unknown arena...): `realize-node` exits 2. */
  usage: boolean
}

export type RpcResponse =
  | { jsonrpc: '2.0', id: RpcId, result: unknown }
  | { jsonrpc: '2.0', id: RpcId, error: RpcErrorObject }

export type RpcMessage = RpcRequest | RpcResponse

/** JSON-RPC 2.0 error codes; -32000 and below are ours. */
export const RpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The operation was valid but failed (file missing, disk error...). */
  failed: -32000,
  /** What was asked for cannot be reached now (no connected peer has the file). */
  unavailable: -32001
} as const

/** Server -> client notifications: subscription events, and `cat` content (base64). */
export const EVENT_NOTIFICATION = 'event'
export const CAT_NOTIFICATION = 'cat.data'

export function encodeMessage (message: RpcMessage): string {
  return `${JSON.stringify(message)}\n`
}

/**
 * Splits a byte stream into lines. Chunks are kept as a list until a newline
 * arrives, so a long line (a `cat` chunk, a large `ls` page) costs one
 * concatenation, not one per chunk.
 */
export class LineSplitter {
  private parts: Buffer[] = []
  private pending = 0

  constructor (private readonly maxLine = Infinity) {}

  /** Complete lines in `chunk` (with what was buffered before); throws LineTooLongError past `maxLine` bytes. */
  push (chunk: Buffer): string[] {
    const lines: string[] = []
    let start = 0
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl)
      if (this.parts.length === 0) {
        lines.push(piece.toString('utf8'))
      } else {
        this.parts.push(piece)
        lines.push(Buffer.concat(this.parts).toString('utf8'))
        this.parts = []
        this.pending = 0
      }
      start = nl + 1
    }
    if (start < chunk.length) {
      this.parts.push(chunk.subarray(start))
      this.pending += chunk.length - start
      if (this.pending > this.maxLine) throw new LineTooLongError(this.maxLine)
    }
    return lines
  }
}

export class LineTooLongError extends Error {
  constructor (readonly maxLine: number) {
    super(`message longer than ${maxLine} bytes`)
  }
}

export function isRequest (m: unknown): m is RpcRequest {
  return typeof m === 'object' && m != null && (m as RpcRequest).jsonrpc === '2.0' && typeof (m as RpcRequest).method === 'string'
}

export function isValidId (id: unknown): id is RpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}
