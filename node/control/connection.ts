import type { Socket } from 'node:net'
import type { Logger } from '../log.js'
import { toRpcError } from './errors.js'
import { CAT_NOTIFICATION, encodeMessage, EVENT_NOTIFICATION, isRequest, isValidId, LineSplitter, LineTooLongError, RpcCode, type RpcErrorObject, type RpcId, type RpcResponse } from './jsonrpc.js'
import { methodParams, type LsPage, type MethodName } from './methods.js'
import type { LsEntry, NodeEvent, NodeModel, Topic } from './model.js'

/** Requests are small; anything bigger is a broken or hostile client. */
export const MAX_REQUEST_LINE = 1024 * 1024
/** A subscriber this far behind is dropped instead of growing the node's memory. */
export const MAX_BACKLOG = 64 * 1024 * 1024
/** Listings kept per connection for paging. */
const SNAPSHOTS = 4

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

  constructor (private readonly socket: Socket, private readonly model: NodeModel, private readonly log: Logger) {
    socket.on('data', (chunk: Buffer) => { this.onData(chunk) })
    socket.on('error', (err) => { log.debug({ err: err.message }, 'control connection error') })
    socket.on('close', () => { this.closed() })
    model.events.on('event', this.onEvent)
  }

  private closed (): void {
    this.abort.abort(new Error('control connection closed'))
    this.model.events.off('event', this.onEvent)
    this.subs.clear()
    this.snapshots.length = 0
    if (this.stopChurtenOnClose) {
      this.model.churtenStop().catch((err: Error) => { this.log.warn({ err: err.message }, 'stopping churten after `churten run` went away') })
    }
  }

  destroy (): void {
    this.socket.destroy()
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
      if (line.trim() !== '') void this.onLine(line)
    }
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
    const answers = (await Promise.all(msg.map(async (m) => await this.handle(m)))).filter((r) => r != null)
    if (answers.length > 0) this.write(answers.map((a) => a.response), () => { for (const a of answers) a.after?.() })
  }

  /** Undefined for a notification (no id): it gets no answer, not even an error. */
  private async handle (msg: unknown): Promise<{ response: RpcResponse, after?: () => void } | undefined> {
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
    if (this.socket.destroyed || !this.socket.writable) return false
    const ok = this.socket.write(encodeMessage(msg as never))
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
