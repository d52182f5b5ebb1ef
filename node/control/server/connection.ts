import type { Socket } from 'node:net'
import type { Logger } from '../../log.js'
import { toRpcError } from './errors.js'
import { CAT_NOTIFICATION, encodeMessage, EVENT_NOTIFICATION, isRequest, isValidId, LineSplitter, LineTooLongError, RpcCode, type RpcErrorObject, type RpcId, type RpcResponse } from '../api/jsonrpc.js'
import { methodParams, type LsPage, type MethodName } from '../api/methods.js'
import type { LsEntry, NodeEvent, NodeModel, Topic } from '../api/model.js'

/** Requests are small; anything bigger is a broken or hostile client. */
export const MAX_REQUEST_LINE = 1024 * 1024
/** A subscriber this far behind is dropped instead of growing the node's memory. */
export const MAX_BACKLOG = 64 * 1024 * 1024
/**
 * Replies waiting for the client to read, past which its next request is
 * not started and the socket is not read (spec section 8: replies to a slow
 * reader are bounded): its requests wait in the kernel and, once that
 * fills, in the client. Requests already running still answer, so the
 * bound is this plus MAX_IN_FLIGHT replies.
 */
export const REPLY_HIGH_WATER = 4 * 1024 * 1024
/** Requests (lines) of one client answered at once; the rest wait unread. */
export const MAX_IN_FLIGHT = 8
/** Requests in one batch: a batch is answered as one line, held whole until it is written. */
export const MAX_BATCH = 100
/** Encoded answers of one batch; members past it get an error (page with `limit`, or send fewer per batch). */
export const MAX_BATCH_REPLY = 16 * 1024 * 1024
/** Listings kept per connection for paging. */
const SNAPSHOTS = 4

/** A response, and what to do once it is written (a subscription goes live). */
interface Answer { response: RpcResponse, after?: () => void }

interface Snapshot { id: number, arena: string, path: string, entries: LsEntry[] }

/**
 * One client of the control socket: reads requests line by line, answers
 * each when its call finishes (in any order, matched by id), and forwards
 * the node's events to its subscriptions.
 *
 *   line -> parse -> validate params (methods.ts) -> NodeModel -> response
 *   NodeModel.events -> topic filter -> `event` notification
 */
export class ControlConnection {
  private readonly splitter = new LineSplitter(MAX_REQUEST_LINE)
  private readonly abort = new AbortController()
  private readonly subs = new Map<number, Set<Topic>>()
  private readonly snapshots: Snapshot[] = []
  private nextId = 1
  private stopChurtenOnClose = false
  /** Lines read but not started (at most one socket read's worth: the socket is paused meanwhile). */
  private readonly queue: string[] = []
  private inFlight = 0

  constructor (private readonly socket: Socket, private readonly model: NodeModel, private readonly log: Logger) {
    socket.on('data', (chunk: Buffer) => { this.onData(chunk) })
    socket.on('drain', () => { this.pump() })
    socket.on('error', (err) => { log.debug({ err: err.message }, 'control connection error') })
    socket.on('close', () => { this.closed() })
    model.events.on('event', this.onEvent)
  }

  private closed (): void {
    this.abort.abort(new Error('control connection closed'))
    this.model.events.off('event', this.onEvent)
    this.subs.clear()
    this.snapshots.length = 0
    this.queue.length = 0
    if (this.stopChurtenOnClose) {
      this.model.churtenStop().catch((err: Error) => { this.log.warn({ err: err.message }, 'stopping churten after `churten run` went away') })
    }
  }

  destroy (): void {
    this.socket.destroy()
  }

  /** Bytes written to the client and not yet taken by the kernel (it does not read fast enough). */
  get buffered (): number {
    return this.socket.writableLength
  }

  private onData (chunk: Buffer): void {
    let lines: string[]
    try {
      lines = this.splitter.push(chunk)
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err
      this.write({ jsonrpc: '2.0', id: null, error: { code: RpcCode.invalidRequest, message: err.message } })
      this.socket.end()
      return
    }
    for (const line of lines) {
      if (line.trim() !== '') this.queue.push(line)
    }
    this.pump()
  }

  /**
   * Starts queued requests while fewer than MAX_IN_FLIGHT run and the
   * client has read its replies down to REPLY_HIGH_WATER; otherwise stops
   * reading the socket until a request ends or the replies drain.
   */
  private pump (): void {
    while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT && this.socket.writableLength < REPLY_HIGH_WATER && !this.socket.destroyed) {
      const line = this.queue.shift() as string
      this.inFlight++
      void this.onLine(line).finally(() => {
        this.inFlight--
        this.pump()
      })
    }
    const blocked = this.queue.length > 0 || this.inFlight >= MAX_IN_FLIGHT || this.socket.writableLength >= REPLY_HIGH_WATER
    if (blocked) this.socket.pause()
    else if (this.socket.isPaused()) this.socket.resume()
  }

  private async onLine (line: string): Promise<void> {
    let msg: unknown
    try {
      msg = JSON.parse(line)
    } catch {
      this.write({ jsonrpc: '2.0', id: null, error: { code: RpcCode.parseError, message: 'parse error: not JSON' } })
      return
    }
    if (!Array.isArray(msg)) {
      const r = await this.handle(msg)
      if (r != null) this.write(r.response, r.after)
      return
    }
    if (msg.length === 0) {
      this.write({ jsonrpc: '2.0', id: null, error: { code: RpcCode.invalidRequest, message: 'invalid request: empty batch' } })
      return
    }
    if (msg.length > MAX_BATCH) {
      this.write({ jsonrpc: '2.0', id: null, error: { code: RpcCode.invalidRequest, message: `invalid request: a batch of ${msg.length} requests; at most ${MAX_BATCH}` } })
      return
    }
    await this.batch(msg)
  }

  /**
   * A batch's members run one after another (JSON-RPC leaves the order
   * open) and their answers are encoded as they come, so the line held for
   * the client stays under MAX_BATCH_REPLY: members past it get an error.
   */
  private async batch (msg: unknown[]): Promise<void> {
    const parts: string[] = []
    const after: Array<() => void> = []
    let bytes = 0
    for (const m of msg) {
      if (this.abort.signal.aborted) return
      // Past the limit a member is not run: a request gets the error, a notification nothing.
      const r = bytes > MAX_BATCH_REPLY ? (isRequest(m) && m.id === undefined ? undefined : tooLarge(m)) : await this.handle(m)
      if (r == null) continue
      let text = JSON.stringify(r.response)
      if (bytes + text.length > MAX_BATCH_REPLY && parts.length > 0) {
        text = JSON.stringify(tooLarge(m).response)
      } else if (r.after != null) {
        after.push(r.after)
      }
      bytes += text.length
      parts.push(text)
    }
    if (parts.length > 0) this.writeText(`[${parts.join(',')}]\n`, () => { for (const a of after) a() })
  }

  /** Undefined for a notification (no id): it gets no answer, not even an error. */
  private async handle (msg: unknown): Promise<Answer | undefined> {
    const rawId = (msg as { id?: unknown } | null)?.id
    const id: RpcId = isValidId(rawId) ? rawId : null
    const fail = (error: RpcErrorObject): { response: RpcResponse } => ({ response: { jsonrpc: '2.0', id, error } })
    if (!isRequest(msg) || (rawId !== undefined && !isValidId(rawId))) {
      return fail({ code: RpcCode.invalidRequest, message: 'invalid request: expected {"jsonrpc": "2.0", "method", "params"?, "id"?}' })
    }
    const notification = rawId === undefined
    const schema = Object.hasOwn(methodParams, msg.method) ? methodParams[msg.method as MethodName] : undefined
    if (schema == null) return notification ? undefined : fail({ code: RpcCode.methodNotFound, message: `method not found: ${msg.method}` })
    const parsed = schema.safeParse(msg.params)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue == null || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `
      return notification ? undefined : fail({ code: RpcCode.invalidParams, message: `invalid params for ${msg.method}: ${where}${issue?.message ?? 'invalid'}` })
    }
    try {
      const { result, after } = await this.call(msg.method as MethodName, parsed.data as any, id)
      return notification ? undefined : { response: { jsonrpc: '2.0', id, result }, after }
    } catch (err) {
      if (this.abort.signal.aborted) return undefined
      this.log.debug({ method: msg.method, err: (err as Error).message }, 'control call failed')
      return notification ? undefined : fail(toRpcError(err))
    }
  }

  private async call (method: MethodName, p: any, id: RpcId): Promise<{ result: unknown, after?: () => void }> {
    const o = { signal: this.abort.signal }
    const m = this.model
    switch (method) {
      case 'status': return { result: await m.status(o) }
      case 'arenas': return { result: await m.arenas(o) }
      case 'resolve': return { result: await m.resolve(p.target, p.cwd, o) }
      case 'peers': return { result: await m.peers(o) }
      case 'peers.discovered': return { result: await m.discoveredPeers(o) }
      case 'peer.add': return { result: await m.addPeer(p, o) }
      case 'peer.rm': return { result: await m.removePeer(p.name, o) }
      case 'mark.get': return { result: await m.getMark(p.arena, p.path, o) }
      case 'mark.set': return { result: await m.setMark(p.arena, p.path, p.mark, o) }
      case 'mark.rm': return { result: await m.setMark(p.arena, p.path, null, o) }
      case 'ls': return { result: await this.ls(p, o) }
      case 'cat': return { result: await this.cat(p.arena, p.path, id, o) }
      case 'conflicts': return { result: await m.conflicts(o) }
      case 'arena.resume': return { result: await m.resumeArena(p.arena, o) }
      case 'churten.status': return { result: await m.churtenStatus(o) }
      case 'churten.start':
        if (p?.untilDisconnect === true) this.stopChurtenOnClose = true
        return { result: await m.churtenStart(o) }
      case 'churten.stop':
        this.stopChurtenOnClose = false
        return { result: await m.churtenStop(o) }
      case 'churten.subscribe': return this.subscribe(['churten'])
      case 'subscribe': return this.subscribe(p.topics)
      case 'unsubscribe': this.subs.delete(p.subscription); return { result: { ok: true } }
    }
  }

  /**
   * A subscription goes live once its answer is written, so the client
   * knows the id before the first event arrives.
   */
  private subscribe (topics: Topic[]): { result: unknown, after: () => void } {
    const id = this.nextId++
    return { result: { subscription: id }, after: () => { this.subs.set(id, new Set(topics)) } }
  }

  private readonly onEvent = (event: NodeEvent): void => {
    for (const [subscription, topics] of this.subs) {
      if (!topics.has(event.type)) continue
      if (this.socket.writableLength > MAX_BACKLOG) {
        this.log.warn({ backlog: this.socket.writableLength }, 'control client does not read its events; disconnecting it')
        this.socket.destroy()
        return
      }
      this.write({ jsonrpc: '2.0', method: EVENT_NOTIFICATION, params: { subscription, event } })
    }
  }

  /** A listing is computed once and paged from the snapshot, so scrolling 100,000 entries stays cheap. */
  private async ls (p: { arena: string, path: string, offset: number, limit?: number, snapshot?: number, find?: string, as: 'objects' | 'json' }, o: { signal: AbortSignal }): Promise<LsPage> {
    let snap = this.snapshots.find((s) => s.id === p.snapshot && s.arena === p.arena && s.path === p.path)
    if (snap == null) {
      snap = { id: this.nextId++, arena: p.arena, path: p.path, entries: await this.model.ls(p.arena, p.path, o) }
      this.snapshots.unshift(snap)
      this.snapshots.length = Math.min(this.snapshots.length, SNAPSHOTS)
    }
    let offset = p.offset
    let found: number | undefined
    if (p.find != null) {
      found = indexOfName(snap.entries, p.find)
      if (found >= 0 && p.limit != null) offset = found - (found % p.limit)
    }
    const end = p.limit == null ? snap.entries.length : offset + p.limit
    const entries = snap.entries.slice(offset, end)
    const page = { snapshot: snap.id, total: snap.entries.length, offset, ...(found == null ? {} : { found }) }
    // Encoded here once; the client copies the text through without building 5,000 objects.
    return p.as === 'json' ? { ...page, entries: [], json: JSON.stringify(entries) } : { ...page, entries }
  }

  /** Content as base64 `cat.data` notifications (following the socket's backpressure), then the answer. */
  private async cat (arena: string, path: string, id: RpcId, o: { signal: AbortSignal }): Promise<unknown> {
    const content = await this.model.cat(arena, path, o)
    let bytes = 0
    for await (const chunk of content.chunks) {
      o.signal.throwIfAborted()
      bytes += chunk.byteLength
      const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64')
      if (!this.write({ jsonrpc: '2.0', method: CAT_NOTIFICATION, params: { id, data } })) await this.drained(o.signal)
    }
    return { source: content.source, size: content.size, bytes }
  }

  private async drained (signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const done = (): void => { this.socket.off('drain', done); signal.removeEventListener('abort', done); signal.aborted ? reject(signal.reason) : resolve() }
      this.socket.on('drain', done)
      signal.addEventListener('abort', done)
    })
  }

  private write (msg: object, after?: () => void): boolean {
    return this.writeText(encodeMessage(msg as never), after)
  }

  private writeText (text: string, after?: () => void): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false
    const ok = this.socket.write(text)
    after?.()
    return ok
  }
}

/** Binary search in a listing sorted by name (code unit order, as listing.ts sorts). */
function indexOfName (entries: readonly LsEntry[], name: string): number {
  let lo = 0
  let hi = entries.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const n = (entries[mid] as LsEntry).name
    if (n === name) return mid
    if (n < name) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

function tooLarge (m: unknown): Answer {
  const rawId = (m as { id?: unknown } | null)?.id
  const id: RpcId = isValidId(rawId) ? rawId : null
  return { response: { jsonrpc: '2.0', id, error: { code: RpcCode.failed, message: `batch answer over ${MAX_BATCH_REPLY} bytes: send fewer requests per batch, or page ls with limit`, data: { code: 'REPLY_TOO_LARGE', causes: [], usage: true } } } }
}
