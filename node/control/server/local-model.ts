import { EventEmitter } from 'node:events'
import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Notice } from '../../notices.js'
import { resolveCapacity } from '../../blobs/capacity.js'
import { notConnected } from '../../net/connections.js'
import type { Config, PeerConfig } from '../../config/config.js'
import { describeError, InvalidInputError } from '../../../datastore/types/errors.js'
import { hashToHex } from '../../../datastore/types/hash.js'
import { DEFAULT_MARK, parseMark, type Mark } from '../../../datastore/types/mark.js'
import { parsePath, type RelPath } from '../../../datastore/types/path.js'
import type { Arena } from '../../arena.js'
import type { Version } from '../../../datastore/types/version.js'
import { PathNotFoundError, UnknownArenaError } from './errors.js'
import { addPeerTo, editConfig, peerJson, removePeerFrom, setArenaMarkIn } from '../../config/household.js'
import { listPath } from './listing.js'
import { ListingCache } from './listing-cache.js'
import { openReal } from './real-content.js'
import { formatTarget, resolveTarget } from './target.js'
import type { ControlSources, NodeFacts } from './sources.js'
import { SerialQueue } from '../../../datastore/types/serial.js'
import type {
  ArenaInfo, CallOptions, ChurtenEvent, ChurtenStatus, ConflictInfo, Content, DiscoveredPeer, LsEntry, MarkInfo, NodeEvent,
  NodeModel, NodeModelEvents, PeerConfigJson, PeerInfo, ResumeResult, SetMarkResult, StatusInfo, VersionJson
} from '../api/model.js'

/** Paths named in one `index` event; the count says how many there were. */
const EVENT_PATHS = 20

/**
 * NodeModel on a running node: arenas, the real index, marks and the
 * config from `node` (NodeFacts); peers, the unreal cache and churten
 * through the narrow views of `sources` (./sources.ts).
 */
export class LocalNodeModel implements NodeModel {
  readonly events = new EventEmitter<NodeModelEvents>()
  private readonly unsubscribe: Array<() => void> = []
  private readonly cache = new ListingCache()
  /** Config edits run one at a time: each reads the file the previous one wrote. */
  private readonly edits = new SerialQueue()

  constructor (private readonly node: NodeFacts, private readonly sources: ControlSources) {
    for (const a of node.arenas) {
      this.listen(a.index, 'history', (entries: Array<{ notification: { path: string } }>) => {
        this.publish({ type: 'index', arena: a.name, source: 'real', paths: entries.slice(0, EVENT_PATHS).map((e) => e.notification.path), count: entries.length })
      })
      this.listen(a.index, 'marks', (changes: Array<{ path: string, mark: Mark | undefined }>) => {
        this.publish({ type: 'marks', arena: a.name, changes: changes.map((c) => ({ path: c.path, mark: c.mark ?? null })) })
      })
    }
    const { network, unreal, churten } = this.sources
    this.listen(network.events, 'peer', (e: { kind: 'connected' | 'disconnected' | 'discovered', peerId: string }) => {
      this.publish({ type: 'peers', kind: e.kind, peerId: e.peerId, name: this.peerConfig(e.peerId)?.name ?? null })
    })
    this.listen(unreal.events, 'changed', (arena: string, paths: string[]) => {
      this.publish({ type: 'index', arena, source: 'unreal', paths: paths.slice(0, EVENT_PATHS), count: paths.length })
    })
    this.listen(churten.events, 'event', (event: ChurtenEvent) => { this.publish({ type: 'churten', event }) })
    this.listen(node.notices, 'notice', (n: Notice) => { this.publish({ type: 'notice', level: n.level, message: n.message }) })
  }

  private listen (emitter: EventEmitter<any>, event: string, fn: (...args: any[]) => void): void {
    emitter.on(event, fn)
    this.unsubscribe.push(() => { emitter.off(event, fn) })
  }

  private publish (e: NodeEvent): void {
    // Anything that can change a listing makes the cached ones stale.
    if (e.type === 'index' || e.type === 'marks') this.cache.changed(e.arena)
    // A job that ended may have filled the cache or changed the real of any arena.
    if (e.type === 'churten' && e.event.type === 'ended') for (const a of this.node.arenas) this.cache.changed(a.name)
    this.events.emit('event', e)
  }

  close (): void {
    for (const off of this.unsubscribe.splice(0)) off()
  }

  private get config (): Config {
    return this.node.config
  }

  private peerConfig (peerId: string): PeerConfig | undefined {
    return this.config.peers.find((p) => p.id === peerId)
  }

  private readonly peerName = (peerId: string): string => this.peerConfig(peerId)?.name ?? peerId

  private arena (name: string): Arena {
    const a = this.node.arenas.find((x) => x.name === name)
    if (a == null) throw new UnknownArenaError(name, this.node.arenas.map((x) => x.name))
    return a
  }

  async status (o: CallOptions = {}): Promise<StatusInfo> {
    const [churten, arenas, capacity, used, conns] = await Promise.all([
      this.churtenStatus(o), this.arenas(o),
      resolveCapacity(this.config.cache.capacity, this.node.dataDir),
      this.sources.unreal.cacheUsed(o), this.sources.network.peers(o)
    ])
    const connected = new Set(conns.filter((c) => c.connected).map((c) => c.peerId))
    return {
      peerId: this.node.peerId,
      dataDir: this.node.dataDir,
      addrs: this.sources.network.listening(),
      network: true,
      churten,
      arenas,
      cache: { capacity, used },
      peers: this.config.peers.map((p) => ({ name: p.name, peerId: p.id, connected: connected.has(p.id) })),
      mount: this.node.mountInfo?.() ?? null
    }
  }

  async arenas (o: CallOptions = {}): Promise<ArenaInfo[]> {
    return await Promise.all(this.node.arenas.map(async (a) => {
      const [real, cached] = await Promise.all([this.cache.realCounts(a.name, async () => await this.ls(a.name, '', o)), this.sources.unreal.arenaUsage(a.name, o)])
      const mark = this.config.arenas.find((c) => c.name === a.name)?.mark ?? DEFAULT_MARK
      const p = a.paused
      const error = p == null ? null : { code: p.code, message: describeError(p), hint: p.hint, since: a.watcher?.pausedSince ?? 0 }
      return { name: a.name, root: a.root ?? null, mark, realFiles: real.files, realBytes: real.bytes, ...cached, state: p == null ? 'active' : 'paused', error }
    }))
  }

  async resumeArena (arena: string, o: CallOptions = {}): Promise<ResumeResult> {
    const a = this.arena(arena)
    if (a.watcher == null) throw new InvalidInputError('NO_ROOT', `arena ${JSON.stringify(a.name)} has no root on this node: there is nothing to resume`)
    const resumed = a.paused != null
    if (resumed) {
      this.node.log.info({ arena: a.name, event: 'arena-resume-confirmed' }, 'the user confirms the arena root as it is')
      await a.watcher.resume(true)
    }
    const info = (await this.arenas(o)).find((x) => x.name === a.name) as ArenaInfo
    return { resumed, arena: info }
  }

  async resolve (target: string, cwd: string): Promise<{ arena: string, path: string }> {
    return await resolveTarget(target, this.node.arenas.map((a) => ({ name: a.name, root: a.root ?? null })), cwd)
  }

  async peers (o: CallOptions = {}): Promise<PeerInfo[]> {
    const conns = new Map((await this.sources.network.peers(o)).map((c) => [c.peerId, c]))
    // The config is the household; the network's copy of it follows each edit.
    return this.config.peers.map((p) => ({ ...peerJson(p), ...(conns.get(p.id) ?? notConnected(p.name, p.id)) }))
  }

  async discoveredPeers (o: CallOptions = {}): Promise<DiscoveredPeer[]> {
    return (await this.sources.network.discovered(o)).map((d) => {
      const known = this.peerConfig(d.peerId)
      return { peerId: d.peerId, addrs: d.addrs, family: d.family, from: d.from, inHousehold: known != null, name: known?.name ?? null }
    })
  }

  /** Runs a config edit after the previous one; returns the config as written. */
  private async editConfigFile (edit: Parameters<typeof editConfig>[1], o: CallOptions): Promise<Config> {
    return await this.edits.run(async () => {
      o.signal?.throwIfAborted()
      return await editConfig(this.node.dataDir, edit)
    })
  }

  /** The household changed on disk: the running node applies it at once. */
  private async applyHousehold (next: Config, o: CallOptions): Promise<void> {
    this.config.peers = next.peers
    await this.sources.network.householdChanged(this.config.peers, o)
  }

  async addPeer (peer: { name: string, peerId: string, addrs: string[], arenas?: string[] }, o: CallOptions = {}): Promise<PeerConfigJson> {
    const next = await this.editConfigFile((c) => { addPeerTo(c, peer, this.node.peerId) }, o)
    await this.applyHousehold(next, o)
    const added = peerJson(next.peers.find((p) => p.name === peer.name) as PeerConfig)
    this.publish({ type: 'household', change: 'added', peer: added })
    return added
  }

  async removePeer (name: string, o: CallOptions = {}): Promise<PeerConfigJson> {
    let removed: PeerConfigJson | undefined
    const next = await this.editConfigFile((c) => { removed = peerJson(removePeerFrom(c, name)) }, o)
    await this.applyHousehold(next, o)
    this.publish({ type: 'household', change: 'removed', peer: removed as PeerConfigJson })
    return removed as PeerConfigJson
  }

  async getMark (arena: string, path: string, _o: CallOptions = {}): Promise<MarkInfo> {
    const a = this.arena(arena)
    const p = parsePath(path, { allowRoot: true })
    const r = await a.marks.resolve(p)
    const source = p !== '' && r.from === p ? 'path' : r.from != null ? 'ancestor' : r.isDefault ? 'default' : 'arena'
    const inheritedFrom = source === 'path' || p === '' ? null : formatTarget(a.name, r.from ?? '')
    return { arena: a.name, path: p, mark: r.mark, inheritedFrom, source }
  }

  async setMark (arena: string, path: string, mark: Mark | null, o: CallOptions = {}): Promise<SetMarkResult> {
    const a = this.arena(arena)
    const p = parsePath(path, { allowRoot: true })
    const m = mark == null ? null : parseMark(mark)
    let stored: SetMarkResult['stored']
    let pending = false
    if (p === '') {
      // The arena's own mark lives in the config; removing it restores the default.
      const next = m ?? DEFAULT_MARK
      await this.editConfigFile((c) => { setArenaMarkIn(c, a.name, next) }, o)
      const conf = this.config.arenas.find((c) => c.name === a.name)
      if (conf != null) conf.mark = next
      a.marks.setArenaMark(next)
      // Every path inheriting it may need work; consensus expands a dirty directory.
      await a.store.store.write(async (b) => { await a.store.dirty.mark(b, p) })
      stored = 'config'
    } else {
      // A policy may come before the files (Syncthing's ignores, git-annex's
      // wanted): a path that is nowhere yet keeps its mark in the table, and
      // the watcher moves it into the xattr when the path appears here
      // (real/scanner.ts), or it applies to the peers' version when one comes.
      pending = !await this.exists(a, p, o)
      stored = await a.marks.set(p, m ?? undefined)
    }
    this.publish({ type: 'marks', arena: a.name, changes: [{ path: p, mark: m }] })
    return { ...await this.getMark(a.name, p, o), stored, pending }
  }

  /** On disk, in the index (a file or a directory of files), or known from a peer. */
  private async exists (a: Arena, p: RelPath, o: CallOptions): Promise<boolean> {
    if (a.root != null && await lstat(join(a.root, p)).then(() => true, () => false)) return true
    if (await a.store.index.get(p) != null) return true
    for await (const _ of a.store.index.under(p, o)) return true
    return await this.sources.unreal.lookup(a.name, p, o) != null
  }

  async ls (arena: string, path: string, o: CallOptions = {}): Promise<LsEntry[]> {
    const a = this.arena(arena)
    const p = parsePath(path, { allowRoot: true })
    return await this.cache.listing(a.name, p, async () => await listPath({ arena: a, unreal: this.sources.unreal, peerName: this.peerName }, p, o))
  }

  async cat (arena: string, path: string, o: CallOptions = {}): Promise<Content> {
    const a = this.arena(arena)
    const p = parsePath(path, { allowRoot: true })
    const where = formatTarget(a.name, p)
    if (p === '') throw new InvalidInputError('IS_A_DIRECTORY', `${where} is the arena, not a file`)
    const real = await a.store.index.get(p)
    if (real != null && a.root != null) return await openReal(a.root, p, where)
    const remote = await this.sources.unreal.open(a.name, p, o)
    if (remote != null) return remote
    for await (const _ of a.store.index.under(p, o)) throw new InvalidInputError('IS_A_DIRECTORY', `${where} is a directory`)
    throw new PathNotFoundError(`${where}: no such file (not in the real, and no peer has it)`)
  }

  async conflicts (o: CallOptions = {}): Promise<ConflictInfo[]> {
    const out: ConflictInfo[] = []
    for (const a of this.node.arenas) {
      for await (const [path, c] of a.store.conflicts.all(o)) {
        out.push({
          arena: a.name,
          path,
          local: c.local == null ? null : versionJson(c.local),
          remote: c.remote.map((r) => ({ peer: this.peerName(r.peer), peerId: r.peer, ...versionJson(r.version) }))
        })
      }
    }
    return out
  }

  async churtenStatus (o: CallOptions = {}): Promise<ChurtenStatus> {
    return await this.sources.churten.status(o)
  }

  async churtenStart (o: CallOptions = {}): Promise<ChurtenStatus> {
    await this.sources.churten.start(o)
    return await this.churtenStatus(o)
  }

  async churtenStop (o: CallOptions = {}): Promise<ChurtenStatus> {
    await this.sources.churten.stop(o)
    return await this.churtenStatus(o)
  }
}

function versionJson (v: Version): VersionJson {
  return { hash: hashToHex(v.hash), size: v.size, mtime: v.mtime }
}
