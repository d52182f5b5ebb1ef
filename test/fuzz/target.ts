import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { listAttributes } from 'fs-xattr'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { createHost, type RealizeHost } from '../../node/net/host.js'
import { Household } from '../../node/net/household.js'
import { writeConfig } from '../../node/config/config.js'
import { ControlClient } from '../../node/control/api/client.js'
import { hashBytes } from '../../node/real/hasher.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { startBlobServer } from '../../protocols/blob/server.js'
import { SourceNotFoundError, type BlobSource } from '../../protocols/common/source.js'
import { HISTORY_PROTOCOL } from '../../protocols/history/index.js'
import { Publication } from '../../protocols/history/history.js'
import { frame } from './proto.js'
import { pino } from 'pino'
import { NodeProcess, type LogLine } from '../helpers/node-process.js'
import { freePort, newIdentity } from '../helpers/net.js'
import { processPlans, type ProcessPlan } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import { readReplies, type Outcome } from './wire.js'
import type { Stream } from '@libp2p/interface'
import type { Hash } from '../../datastore/types/hash.js'

/** Bounds every case is checked against (issue 18, "The fuzzer"). */
export const BOUNDS = {
  /** A control `status` round trip after a case. */
  statusMs: 3_000,
  /** The node process's resident memory. */
  rssBytes: 512 * 1024 * 1024
}

/** A file in the node's shared arena, known to the fuzzer (paths, sizes and hashes to aim at). */
export interface TargetFile { path: string, size: number, hash: Hash, data: Uint8Array }

/**
 * What a history subscription from the node gets from the fuzzer's publisher:
 * raw frames after its Subscribe (the files they advertise are served by the
 * fuzzer's blob server from `content`).
 */
export interface PublishScript { frames: Uint8Array[], content: Uint8Array[] }

/**
 * A real `realize-node` process with two arenas (`docs` shared with the
 * fuzzer, `private` not), and a real household peer identity — the fuzzer —
 * that opens real libp2p streams to it and serves it history and blobs.
 *
 *   base/node/data            the node's data directory (control socket, stores)
 *   base/node/arenas/docs     shared root: small.txt, data.bin, zeros.bin, sub/inner.txt,
 *                             escape -> base/sentinel (a symlink out of the root)
 *   base/node/arenas/private  not shared with the fuzzer
 *   base/sentinel/            must never change
 *
 * After each case `check` asks: is the node alive, does `status` answer in
 * time, is everything outside the roots and the data directory unchanged,
 * is RSS under its bound, and was every error typed?
 */
export class FuzzTarget {
  readonly files = new Map<string, TargetFile>()
  private client: ControlClient | undefined
  private snapshot = new Map<string, string>()
  private logMark = 0
  private readonly scripts: PublishScript[] = []
  private readonly served = new Map<string, Uint8Array>()
  /** Subscriptions from the node now open on the fuzzer's publisher. */
  private readonly subscriptions = new Set<Stream>()
  /** Bumped each time the publisher finishes a script (the node consumed it). */
  published = 0
  private readonly events = new EventEmitter<{ published: [], subscribed: [], reacted: [] }>()
  /** Bumped when the node acks or ends a subscription: it has dealt with what it was sent. */
  private reactions = 0

  private constructor (
    readonly base: string,
    readonly plan: ProcessPlan,
    readonly node: NodeProcess,
    readonly fuzzer: RealizeHost,
    private readonly cleanupDir: () => Promise<void>
  ) {}

  get root (): string { return this.plan.roots.docs as string }
  get dataDir (): string { return this.plan.dataDir }
  get sentinel (): string { return join(this.base, 'sentinel') }
  get pid (): number { return this.node.pid as number }

  static async start (): Promise<FuzzTarget> {
    const { dir: base, cleanup } = await tempDir('realize-fuzz-')
    const [plan] = await processPlans(base, [{ name: 'node', arenas: [{ name: 'docs' }, { name: 'private' }] }])
    if (plan == null) throw new Error('no plan')
    const id = await newIdentity()
    const port = await freePort()
    plan.config.peers = [{ name: 'fuzzer', id: id.peerId.toString(), addrs: [`127.0.0.1:${port}`], arenas: [parseArenaName('docs')] }]
    await writeConfig(plan.dataDir, plan.config)
    const household = new Household([{ name: 'node', id: plan.peerId, addrs: [] }], [{ name: parseArenaName('docs'), mark: 'own' }])
    const { host } = await createHost({ privateKey: id.privateKey, listen: [`/ip4/127.0.0.1/tcp/${port}`], gater: household.gater(), mdns: false })
    const files: TargetFile[] = []
    const put = async (path: string, data: Uint8Array): Promise<void> => {
      const abs = join(plan.roots.docs as string, ...path.split('/'))
      await mkdir(join(abs, '..'), { recursive: true })
      await writeFile(abs, data)
      files.push({ path, size: data.byteLength, hash: hashBytes(data), data })
    }
    await put('small.txt', Buffer.from('hello fuzzer\n'))
    await put('data.bin', randomBytes(256 * 1024))
    // Long runs of equal data make weak-sum collisions free (issue 18, item 1).
    await put('zeros.bin', new Uint8Array(1024 * 1024))
    await put('sub/inner.txt', Buffer.from('inner\n'))
    await writeFile(join(plan.roots.private as string, 'secret.txt'), 'not for the fuzzer\n')
    const sentinel = join(base, 'sentinel')
    await mkdir(join(sentinel, 'newdir-bait'), { recursive: true })
    await writeFile(join(sentinel, 'outside.txt'), 'outside the root\n')
    await symlink(sentinel, join(plan.roots.docs as string, 'escape'))
    const node = new NodeProcess(['--data', plan.dataDir])
    const t = new FuzzTarget(base, plan, node, host, cleanup)
    for (const f of files) t.files.set(f.path, f)
    try {
      await t.serve(household)
      await host.start()
      await node.waitForEvent('ready', 60_000)
      await node.waitForEvent('caught-up', 60_000)
      t.client = await ControlClient.connect(plan.dataDir)
      await host.dial(multiaddr(`/ip4/127.0.0.1/tcp/${plan.port}/p2p/${plan.peerId}`))
      // The node follows the fuzzer's (honest, empty) history once connected.
      await until(t.events, 'subscribed', () => t.subscriptions.size > 0 || undefined, 'the node subscribed to the fuzzer', 30_000)
      t.snapshot = await t.outside()
      t.logMark = node.lines.length
    } catch (err) {
      await t.stop()
      throw err
    }
    return t
  }

  async stop (): Promise<void> {
    this.client?.close()
    if (this.node.exitCode === undefined) {
      this.node.kill('SIGTERM')
      await this.node.waitForExit(20_000).catch(() => { this.node.kill('SIGKILL') })
    }
    await Promise.resolve(this.fuzzer.stop()).catch(() => {})
    await this.cleanupDir()
  }

  /** The fuzzer's side of the household: a history publisher playing scripts, and a blob server for what they advertise. */
  private async serve (household: Household): Promise<void> {
    await this.fuzzer.handle(HISTORY_PROTOCOL, async (raw) => {
      this.subscriptions.add(raw)
      const reacted = (): void => { this.reactions++; this.events.emit('reacted') }
      raw.addEventListener('close', () => { this.subscriptions.delete(raw); reacted() })
      // After the Subscribe, anything the node sends is an Ack: it stored what came before.
      let first = true
      raw.addEventListener('message', () => { if (!first) reacted(); first = false })
      const script = this.scripts.shift()
      // The Subscribe is read and ignored; an honest empty history unless a script is queued.
      const frames = script?.frames ?? [EMPTY_START, EMPTY_COMPLETE]
      for (const c of script?.content ?? []) this.served.set(Buffer.from(hashBytes(c)).toString('hex'), c)
      for (const f of frames) {
        if (raw.status !== 'open') break
        if (!raw.send(f)) await Promise.resolve(raw.onDrain()).catch(() => {})
      }
      if (script != null) {
        this.published++
        this.events.emit('published')
      }
      this.events.emit('subscribed')
    }, { maxInboundStreams: 64 })
    const source: BlobSource = {
      open: async (_arena, path, hash) => {
        const data = this.served.get(Buffer.from(hash).toString('hex'))
        if (data == null) throw new SourceNotFoundError(`no ${path} here`)
        return { size: data.byteLength, read: async (into, pos) => { const n = Math.max(0, Math.min(into.byteLength, data.byteLength - pos)); into.set(data.subarray(pos, pos + n)); return n }, verify: async () => {}, close: async () => {} }
      }
    }
    await startBlobServer({ host: this.fuzzer, peers: household, log: pino({ level: 'silent' }) }, { source })
  }

  /**
   * Plays `script` to the node's next history subscription, written after
   * its Subscribe. The fuzzer hangs up and dials again, so the node starts a
   * fresh subscription at once instead of after its retry backoff (which
   * grows with each broken history). Resolves once written.
   */
  async publish (script: PublishScript): Promise<void> {
    const before = this.published
    this.scripts.push(script)
    for (let attempt = 1; ; attempt++) {
      await this.fuzzer.hangUp(peerIdFromString(this.plan.peerId)).catch(() => {})
      // The node redials too (its keeper): a dial of ours racing it may be reset, and either connection will do.
      await this.fuzzer.dial(multiaddr(`/ip4/127.0.0.1/tcp/${this.plan.port}/p2p/${this.plan.peerId}`), { signal: AbortSignal.timeout(10_000) }).catch(() => {})
      try {
        await until(this.events, 'published', () => this.published > before || undefined, 'the node resubscribed and got the script', 8_000)
        return
      } catch (err) {
        if (attempt >= 3) throw err
      }
    }
  }

  /**
   * After `publish`: waits (bounded) for the node to ack or end the
   * subscription, then for churten to run the jobs it made.
   */
  async settleAfterPublish (): Promise<void> {
    const before = this.reactions
    await until(this.events, 'reacted', () => this.reactions > before || undefined, 'the node reacted', 3_000).catch(() => {})
    await this.settle()
  }

  /** Starts churten again (a control case may have stopped it). */
  async restartChurten (): Promise<void> {
    await (this.client as ControlClient).call('churten.start', undefined, { signal: AbortSignal.timeout(BOUNDS.statusMs) }).catch(() => {})
  }

  /** Opens a raw stream of `protocol` to the node, as the household peer `fuzzer`. */
  async open (protocol: string): Promise<Stream> {
    return await this.fuzzer.dialProtocol(multiaddr(`/ip4/127.0.0.1/tcp/${this.plan.port}/p2p/${this.plan.peerId}`), protocol, { signal: AbortSignal.timeout(10_000) })
  }

  /** Sends `chunks` on a fresh stream of `protocol` and reads what comes back. */
  async exchange (protocol: string, chunks: readonly Uint8Array[], options: { closeWrite?: boolean, waitMs?: number } = {}): Promise<Outcome> {
    const s = await this.open(protocol)
    return await readReplies(s, chunks, { closeWrite: options.closeWrite ?? true, waitMs: options.waitMs ?? 2_000 })
  }

  /** A control `status` through the node's control socket, with its time. */
  async status (): Promise<number> {
    const t0 = performance.now()
    await (this.client as ControlClient).call('status', undefined, { signal: AbortSignal.timeout(BOUNDS.statusMs) })
    return performance.now() - t0
  }

  /**
   * Before a case: waits (up to a minute) until the node answers `status`,
   * so a node still busy with an earlier case's work is not blamed on this one
   * (shrinking replays cases right after a failure).
   */
  async quiesce (): Promise<void> {
    const end = Date.now() + 60_000
    while (Date.now() < end && this.node.exitCode === undefined) {
      try {
        await (this.client as ControlClient).call('status', undefined, { signal: AbortSignal.timeout(BOUNDS.statusMs) })
        return
      } catch {}
    }
  }

  /** Waits (bounded) until churten has nothing pending: what a case made the node do has been done. */
  async settle (ms = 10_000): Promise<void> {
    const until = Date.now() + ms
    while (Date.now() < until) {
      const s = await (this.client as ControlClient).call('churten.status', undefined, { signal: AbortSignal.timeout(BOUNDS.statusMs) })
      if (s.jobs === 0) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Resident memory of the node process, from /proc. */
  async rss (): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return Number(kb ?? 0) * 1024
  }

  /** Every path under the base directory outside the data directory and the roots, with type, size, mtime and xattrs. */
  async outside (): Promise<Map<string, string>> {
    const skip = new Set([this.dataDir, ...Object.values(this.plan.roots)])
    const out = new Map<string, string>()
    const walk = async (dir: string): Promise<void> => {
      for (const name of await readdir(dir)) {
        const abs = join(dir, name)
        if (skip.has(abs)) continue
        const st = await lstat(abs)
        const attrs = st.isSymbolicLink() ? [] : (await listAttributes(abs).catch(() => [] as string[])).sort()
        out.set(abs, `${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f'} ${st.size} ${st.mtimeMs} ${attrs.join(',')}`)
        if (st.isDirectory()) await walk(abs)
      }
    }
    await walk(this.base)
    return out
  }

  /**
   * The properties every case must keep (returns what broke, empty when all
   * hold), then starts a new window of log lines for the next case.
   */
  async check (outcome?: Outcome): Promise<string[]> {
    const broken: string[] = []
    if (this.node.exitCode !== undefined) {
      broken.push(`the node exited (${this.node.exitCode ?? this.node.signal}): ${this.node.stderr.slice(-3).join(' | ')}`)
      return broken
    }
    try {
      const ms = await this.status()
      if (ms > BOUNDS.statusMs) broken.push(`status took ${Math.round(ms)} ms (bound ${BOUNDS.statusMs} ms)`)
    } catch (err) {
      broken.push(`status did not answer within ${BOUNDS.statusMs} ms: ${(err as Error).message}`)
    }
    const now = await this.outside()
    for (const [p, v] of now) if (this.snapshot.get(p) !== v) broken.push(`outside the roots: ${p} ${this.snapshot.has(p) ? `changed (${this.snapshot.get(p)} -> ${v})` : 'appeared'}`)
    for (const p of this.snapshot.keys()) if (!now.has(p)) broken.push(`outside the roots: ${p} disappeared`)
    const rss = await this.rss()
    if (rss > BOUNDS.rssBytes) broken.push(`RSS ${Math.round(rss / 2 ** 20)} MiB (bound ${BOUNDS.rssBytes / 2 ** 20} MiB)`)
    if (outcome != null) broken.push(...untypedReplies(outcome))
    broken.push(...untypedLogs(this.node.lines.slice(this.logMark)))
    // The next case is judged on its own: a shrinking run replays cases after a failure.
    this.logMark = this.node.lines.length
    this.snapshot = now
    return broken
  }
}

/** An honest empty catch-up (Start{catchup, lastN 0}, Complete{0}). */
const EMPTY_START = frame(Publication.encode({ start: { storeId: new Uint8Array(16).fill(1), catchup: true, lastN: 0 }, files: [], entries: [], removed: [] }))
const EMPTY_COMPLETE = frame(Publication.encode({ complete: { n: 0 }, files: [], entries: [], removed: [] }))

/** Messages V8 or Node produce for programming errors: never what a peer or user should see. */
const V8_MESSAGES = /Maximum call stack size exceeded|Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Invalid array length|Invalid string length|Invalid typed array length|out of memory|Cannot convert|Unexpected token|Array buffer allocation failed|\b(?:Type|Range|Reference|Syntax)Error\b/

/** libp2p's messages for a stream or connection that went away under a request. */
const TRANSPORT = /^(?:The stream has been reset|The stream has been aborted|the stream closed|Connection (?:is )?closed|.*ConnectionClosed)/i

/** A stable error code: upper snake case (RealizeError codes, errno codes), not a class name or `FAILED`. */
export function typedCode (code: string): boolean {
  return /^[A-Z][A-Z0-9_]{2,}$/.test(code) && code !== 'FAILED'
}

/** Error frames the node sent for one case that carry no stable code or a V8 message. */
export function untypedReplies (o: Outcome): string[] {
  const out: string[] = []
  for (const e of o.errors) {
    const text = [e.message, ...e.causes.map((c) => c.message)].join(': ')
    if (!typedCode(e.code)) out.push(`untyped error frame ${JSON.stringify(e.code)}: ${text}`)
    if (V8_MESSAGES.test(text) || e.causes.some((c) => V8_MESSAGES.test(c.code))) out.push(`error frame with a V8 message: ${text}`)
  }
  return out
}

/** Log lines of one case that report a failure untyped or with a V8 message (a crash caught too late). */
export function untypedLogs (lines: readonly LogLine[]): string[] {
  const out: string[] = []
  for (const l of lines) {
    if (l.level < 40) continue
    const text = `${l.msg} ${typeof l.err === 'string' ? l.err : JSON.stringify(l.err ?? '')}`
    if (V8_MESSAGES.test(text)) out.push(`log (${l.event ?? l.msg}) with a V8 message: ${text.slice(0, 300)}`)
    // Our own reset of a stream (a case over) reaches the handler as libp2p's transport error, which has no code.
    if (l.event === 'request-failed' && !typedCode(String(l.code)) && !TRANSPORT.test(String(l.err))) out.push(`request failed with untyped code ${JSON.stringify(l.code)}: ${text.slice(0, 300)}`)
  }
  return out
}
