import { EventEmitter } from 'node:events'
import { createConnection, type Socket } from 'node:net'
import { RealizeError } from '../../../datastore/types/errors.js'
import { fromRpcError, NodeNotRunningError } from './errors.js'
import { CAT_NOTIFICATION, encodeMessage, EVENT_NOTIFICATION, LineSplitter, type RpcErrorObject, type RpcId } from './jsonrpc.js'
import type { CatResult, LsPage, MethodName, ParamsOf, ResultOf } from './methods.js'
import { checkSocketPath, socketPath } from './socket-path.js'
import type { LsEntry, NodeEvent, Topic } from './model.js'

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  onChunk?: (chunk: Buffer) => Promise<void> | void
  /** Runs as the answer is read, before any line after it (a subscription's first events). */
  onResult?: (result: any) => void
}

export interface Subscription {
  id: number
  close: () => Promise<void>
}

/** Pages the CLI and TUI fetch a listing in: small enough to keep each line short. */
export const LS_PAGE = 5000
/** Pages asked for ahead of the one being handled. */
const LS_AHEAD = 3

/**
 * A client of a node's control socket (used by the CLI and the TUI). Calls
 * are typed by methods.ts; errors come back as ControlCallError with the node's
 * cause chain; no node on the socket is NodeNotRunningError (exit 3).
 */
export class ControlClient extends EventEmitter<{ close: [] }> {
  private readonly pending = new Map<RpcId, Pending>()
  private readonly subs = new Map<number, (e: NodeEvent) => void>()
  private readonly splitter = new LineSplitter()
  private queue: string[] = []
  private draining = false
  private nextId = 1
  closed = false

  private constructor (private readonly socket: Socket, readonly dataDir: string) {
    super()
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(...this.splitter.push(chunk))
      void this.drain()
    })
    socket.on('error', () => {})
    socket.on('close', () => { this.onClose() })
  }

  static async connect (dataDir: string, o: { signal?: AbortSignal } = {}): Promise<ControlClient> {
    const path = socketPath(dataDir)
    checkSocketPath(path)
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(path)
      const onAbort = (): void => { s.destroy(); reject(o.signal?.reason) }
      o.signal?.addEventListener('abort', onAbort, { once: true })
      s.once('connect', () => { o.signal?.removeEventListener('abort', onAbort); resolve(s) })
      s.once('error', (err: NodeJS.ErrnoException) => {
        o.signal?.removeEventListener('abort', onAbort)
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
          reject(new NodeNotRunningError(`no node is running with data directory ${dataDir} (nothing answers on ${path}); start it with: realize-node start --data ${dataDir}`))
        } else if (err.code === 'EACCES') {
          reject(new RealizeError('CONTROL_ACCESS_DENIED', `cannot open the control socket ${path}: it belongs to another user`, { cause: err }))
        } else {
          reject(new RealizeError(err.code ?? 'CONTROL_CONNECT_FAILED', `cannot connect to the node on ${path}`, { cause: err }))
        }
      })
    })
    return new ControlClient(socket, dataDir)
  }

  /** Lines are handled in order; a slow `cat` consumer pauses the socket (backpressure up to the node). */
  private async drain (): Promise<void> {
    if (this.draining) return
    this.draining = true
    try {
      while (this.queue.length > 0) {
        const line = this.queue.shift() as string
        const wait = this.onLine(line)
        if (wait != null) {
          this.socket.pause()
          await wait.catch(() => {})
          this.socket.resume()
        }
      }
    } finally {
      this.draining = false
    }
  }

  private onLine (line: string): Promise<void> | undefined {
    let msg: any
    try { msg = JSON.parse(line) } catch { return undefined }
    if (msg?.method === EVENT_NOTIFICATION) {
      this.subs.get(msg.params?.subscription)?.(msg.params.event as NodeEvent)
      return undefined
    }
    if (msg?.method === CAT_NOTIFICATION) {
      const onChunk = this.pending.get(msg.params?.id)?.onChunk
      const r = onChunk?.(Buffer.from(String(msg.params.data), 'base64'))
      return r instanceof Promise ? r : undefined
    }
    const p = this.pending.get(msg?.id)
    if (p == null) return undefined
    this.pending.delete(msg.id)
    if (msg.error != null) {
      p.reject(fromRpcError(msg.error as RpcErrorObject))
    } else {
      p.onResult?.(msg.result)
      p.resolve(msg.result)
    }
    return undefined
  }

  private onClose (): void {
    this.closed = true
    const err = new RealizeError('CONTROL_CLOSED', 'the node closed the control connection (it stopped)')
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    this.subs.clear()
    this.emit('close')
  }

  async call<M extends MethodName> (method: M, params?: ParamsOf<M>, o: { signal?: AbortSignal, onChunk?: Pending['onChunk'], onResult?: (r: ResultOf<M>) => void } = {}): Promise<ResultOf<M>> {
    if (this.closed) throw new RealizeError('CONTROL_CLOSED', 'the control connection is closed')
    o.signal?.throwIfAborted()
    const id = this.nextId++
    return await new Promise<ResultOf<M>>((resolve, reject) => {
      const onAbort = (): void => { this.pending.delete(id); reject(o.signal?.reason) }
      o.signal?.addEventListener('abort', onAbort, { once: true })
      const done = <T>(f: (v: T) => void) => (v: T) => { o.signal?.removeEventListener('abort', onAbort); f(v) }
      this.pending.set(id, { resolve: done(resolve as (v: unknown) => void), reject: done(reject), onChunk: o.onChunk, onResult: o.onResult })
      this.socket.write(encodeMessage({ jsonrpc: '2.0', id, method, params: params ?? {} }))
    })
  }

  /** Streams a file's content to `onChunk`, which may return a promise to slow the node down. */
  async cat (arena: string, path: string, onChunk: (chunk: Buffer) => Promise<void> | void, o: { signal?: AbortSignal } = {}): Promise<CatResult> {
    return await this.call('cat', { arena, path }, { ...o, onChunk })
  }

  /**
   * Every entry of a listing, page by page from one snapshot. Later pages
   * are asked for while earlier ones are handled, so the node encodes page
   * n + 1 while this process decodes page n (two processes, two cores).
   */
  async lsAll (arena: string, path: string, onPage: (entries: LsEntry[], page: LsPage) => Promise<void> | void, o: { signal?: AbortSignal, as?: 'objects' | 'json' } = {}): Promise<number> {
    const as = o.as ?? 'objects'
    const first = await this.call('ls', { arena, path, offset: 0, limit: LS_PAGE, as }, o)
    const { snapshot, total } = first
    const pages: Array<Promise<LsPage>> = []
    let next = LS_PAGE
    const ask = (): void => {
      if (next >= total || pages.length >= LS_AHEAD) return
      pages.push(this.call('ls', { arena, path, offset: next, limit: LS_PAGE, snapshot, as }, o))
      next += LS_PAGE
    }
    for (let i = 0; i < LS_AHEAD; i++) ask()
    // Settled later in order; a failure before then must not go unhandled.
    for (const p of pages) p.catch(() => {})
    await onPage(first.entries, first)
    while (pages.length > 0) {
      const page = await (pages.shift() as Promise<LsPage>)
      ask()
      pages.at(-1)?.catch(() => {})
      if (page.snapshot !== snapshot) throw new RealizeError('LISTING_CHANGED', 'the listing expired while it was read; try again')
      await onPage(page.entries, page)
    }
    return total
  }

  /** Events of `topics` go to `onEvent` from the moment this resolves. */
  async subscribe (topics: Topic[], onEvent: (e: NodeEvent) => void, o: { signal?: AbortSignal } = {}): Promise<Subscription> {
    const { subscription } = await this.call('subscribe', { topics }, { ...o, onResult: (r) => { this.subs.set(r.subscription, onEvent) } })
    return {
      id: subscription,
      close: async () => {
        this.subs.delete(subscription)
        if (!this.closed) await this.call('unsubscribe', { subscription })
      }
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    const closed = new Promise<void>((resolve) => { this.socket.once('close', () => { resolve() }) })
    this.socket.end()
    await closed
  }
}
