import { execFile } from 'node:child_process'
import { appendFile, lstat, mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { Household } from '../../scripts/harness/household.js'
import { ControlClient } from '../../node/control/api/client.js'
import { CONFIG_FILE, KEY_FILE } from '../../node/config/paths.js'
import { sha, type Model } from './model.js'
import { describeStep, DIRS, NODES, SMALL_DISK, type NodeName, type Plan, type Step } from './steps.js'

const run = promisify(execFile)

/** Size of the tmpfs holding SMALL_DISK's root. */
const SMALL_DISK_BYTES = 24 << 20
const ARENA = 'shared'

/**
 * The real side of the model check: three `realize-node` processes in
 * network namespaces (scripts/harness), created once per run and reset
 * between seeds (nodes killed, stores, blobs and roots wiped, keys and
 * peers kept, each node's arena mark set for the seed, started again).
 * SMALL_DISK's root lives on a small tmpfs so a step can fill its disk.
 *
 * `apply` performs one step on the real disks and nodes and records in the
 * model what the user did, from what the disk held just before (the base).
 */
export class World {
  private readonly clients = new Map<NodeName, ControlClient>()
  /** The config each node had after create; each seed starts from it. */
  private readonly configs = new Map<NodeName, string>()
  private awayCount = 0
  private asideCount = 0

  private constructor (readonly h: Household) {}

  static async create (): Promise<World> {
    const h = await Household.create({
      hosts: NODES.map((name) => ({ name, arenas: [{ name: ARENA, mark: 'own' as const }] })),
      staticAddrs: true,
      mdns: false,
      report: () => {}
    })
    const w = new World(h)
    try {
      const disk = dirname(h.root(SMALL_DISK))
      await run('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_DISK_BYTES}`, 'tmpfs', disk])
      await mkdir(h.root(SMALL_DISK))
      for (const n of NODES) w.configs.set(n, await readFile(join(h.node(n).dataDir, CONFIG_FILE), 'utf8'))
    } catch (err) {
      await w.destroy()
      throw err
    }
    return w
  }

  root (n: NodeName): string { return this.h.root(n, ARENA) }
  private filler (): string { return join(dirname(this.root(SMALL_DISK)), 'filler') }

  /** Fresh arena contents and stores for a seed, each node's arena mark from the plan, all started and connected. */
  async reset (plan: Plan): Promise<void> {
    await this.closeClients()
    for (const n of NODES) await this.h.kill9(n)
    for (const n of NODES) await this.h.restore(n)
    for (const n of NODES) {
      const { dataDir } = this.h.node(n)
      for (const e of await readdir(dataDir)) if (e !== KEY_FILE && e !== CONFIG_FILE) await rm(join(dataDir, e), { recursive: true, force: true })
      await writeFile(join(dataDir, CONFIG_FILE), this.configs.get(n) as string)
      await this.h.editConfig(n, (c) => { for (const a of c.arenas) if (a.name === ARENA) a.mark = plan.arenaMarks[n] })
      const parent = dirname(this.root(n))
      for (const e of await readdir(parent)) await rm(join(parent, e), { recursive: true, force: true })
      await mkdir(this.root(n))
    }
    await this.h.start()
    await this.h.waitFor('every node connected to both others', async () => {
      for (const n of NODES) {
        const s = await this.call(n, 'status')
        if ((s.peers as Array<{ connected: boolean }>).filter((p) => p.connected).length < 2) return false
      }
      return true
    }, 60_000, 100)
  }

  /** A control connection to a running node (the same API `status --json`, `ls --json` use). */
  async client (n: NodeName): Promise<ControlClient> {
    const c = this.clients.get(n)
    if (c != null && !c.closed) return c
    const fresh = await ControlClient.connect(this.h.node(n).dataDir)
    this.clients.set(n, fresh)
    return fresh
  }

  async call<M extends Parameters<ControlClient['call']>[0]> (n: NodeName, method: M, params?: Parameters<ControlClient['call']>[1] & object): Promise<Awaited<ReturnType<ControlClient['call']>> & any> {
    return await (await this.client(n)).call(method, params as never)
  }

  private async closeClients (): Promise<void> {
    for (const c of this.clients.values()) await c.close().catch(() => {})
    this.clients.clear()
  }

  running (n: NodeName): boolean {
    const p = this.h.node(n).process
    return p != null && p.exitCode === undefined
  }

  /** Waits until every running node's job runner reports no jobs twice in a row, at most `ms`. */
  async idle (ms: number): Promise<boolean> {
    let quietPolls = 0
    const until = Date.now() + ms
    while (Date.now() < until) {
      let jobs = 0
      for (const n of NODES) if (this.running(n)) jobs += (await this.call(n, 'churten.status').catch(() => ({ jobs: 1 }))).jobs
      quietPolls = jobs === 0 ? quietPolls + 1 : 0
      if (quietPolls >= 2) return true
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    return false
  }

  /**
   * Performs `step`; returns what happened in words (a step that cannot
   * apply, e.g. an edit of a file that is not real on that node, says so and
   * changes nothing).
   */
  async apply (original: Step, i: number, seed: number, model: Model): Promise<string> {
    let step = original
    const tag = `s${seed}.${i + 1}`
    const abs = (n: NodeName, p: string): string => p === '' ? this.root(n) : join(this.root(n), p)
    const fileHash = async (n: NodeName, p: string): Promise<string | undefined> => {
      const st = await lstat(abs(n, p)).catch(() => undefined)
      return st?.isFile() === true ? sha(await readFile(abs(n, p))) : undefined
    }
    const isDir = async (n: NodeName, p: string): Promise<boolean> => (await lstat(abs(n, p)).catch(() => undefined))?.isDirectory() === true
    const diskFull = (n: NodeName): boolean => model.full && n === SMALL_DISK
    // A step naming a file the node does not have acts on one it has (chosen by the name): users edit what they see.
    const realFile = async (n: NodeName, p: string): Promise<string> => {
      if ((await lstat(abs(n, p)).catch(() => undefined))?.isFile() === true) return p
      const files = (await realFiles(this.root(n))).sort()
      return files[stableIndex(p, files.length)] ?? p
    }
    // The node's own `.realize-root` marker is not a user's directory: steps never pick it.
    const realDir = async (n: NodeName, p: string): Promise<string> => {
      if (await isDir(n, p)) return p
      const dirs = (await readdir(this.root(n), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name).slice(this.root(n).length + 1)).filter((d) => !d.split('/').some((c) => c.startsWith('.realize-'))).sort()
      return dirs[stableIndex(p, dirs.length)] ?? p
    }
    switch (step.k) {
      case 'append': case 'truncate': case 'delete': case 'markXattr': if (!(step.k === 'markXattr' && DIRS.includes(step.target as never))) {
        const chosen = await realFile(step.node, step.k === 'markXattr' ? step.target : step.path)
        step = step.k === 'markXattr' ? { ...step, target: chosen } : { ...step, path: chosen }
      } else step = { ...step, target: await realDir(step.node, step.target) }
        break
      case 'rename': step = { ...step, from: await realFile(step.node, step.from) }; break
      case 'rmdir': step = { ...step, dir: await realDir(step.node, step.dir) }; break
      case 'renameDir': step = { ...step, from: await realDir(step.node, step.from) }; break
      default: break
    }
    const resolved = describeStep(step)
    const what = await this.perform(step, tag, model, abs, fileHash, isDir, diskFull)
    return resolved === describeStep(original) ? what : `${what} (as: ${resolved})`
  }

  private async perform (step: Step, tag: string, model: Model, abs: (n: NodeName, p: string) => string, fileHash: (n: NodeName, p: string) => Promise<string | undefined>, isDir: (n: NodeName, p: string) => Promise<boolean>, diskFull: (n: NodeName) => boolean): Promise<string> {
    switch (step.k) {
      case 'write': {
        if (diskFull(step.node)) return 'skipped: disk full'
        if (await isDir(step.node, step.path)) return 'skipped: a directory'
        const content = contentFor(`${tag}.${step.node}`, step.size)
        await mkdir(dirname(abs(step.node, step.path)), { recursive: true }).catch(() => {})
        let written: { base: string | undefined, replaced: boolean }
        try {
          written = await writeOver(abs(step.node, step.path), content)
        } catch (err) {
          return `skipped: ${(err as Error).message}`
        }
        // A realize renamed a new version over the file while it was open
        // here: the bytes went into the replaced file, which no one sees.
        // That is the rename's own race (every rename-based sync tool has
        // it); the user's content never landed, so the model keeps nothing.
        if (written.replaced) return 'lost: a realize replaced the file while it was being written'
        model.write(step.path, written.base, sha(content), `${tag} (${step.node})`)
        return written.base == null ? 'created' : 'overwritten'
      }
      case 'append': case 'truncate': {
        if (diskFull(step.node)) return 'skipped: disk full'
        if (await fileHash(step.node, step.path) == null) return 'skipped: not a real file here'
        // One descriptor reads the base and makes the change, as for a write (writeOver).
        const fh = await open(abs(step.node, step.path), 'r+').catch(() => undefined)
        if (fh == null) return 'skipped: not a real file here'
        try {
          const old = await fh.readFile()
          if (step.k === 'append') {
            const more = contentFor(`${tag}.${step.node}+`, step.size)
            await fh.write(more, 0, more.length, old.length)
          } else {
            await fh.truncate(Math.max(HEADER, Math.floor(old.length * step.keep)))
          }
          if ((await fh.stat()).nlink === 0) return 'lost: a realize replaced the file while it was being changed'
          const after = Buffer.alloc((await fh.stat()).size)
          await fh.read(after, 0, after.length, 0)
          model.write(step.path, sha(old), sha(after), `${tag} (${step.node})`)
        } finally {
          await fh.close()
        }
        return 'done'
      }
      case 'delete': {
        if (await fileHash(step.node, step.path) == null) return 'skipped: not a real file here'
        // Moved aside first (one atomic step out of the root), then looked
        // at: the base is what the deletion really took away, even if a
        // realize replaced the file a moment before.
        const aside = this.aside(step.node)
        try {
          await rename(abs(step.node, step.path), aside)
        } catch (err) {
          return `skipped: ${(err as Error).message}`
        }
        const base = sha(await readFile(aside))
        await rm(aside)
        model.delete(step.path, base)
        return 'done'
      }
      case 'rmdir': {
        if (!await isDir(step.node, step.dir)) return 'skipped: no such directory here'
        const aside = this.aside(step.node)
        try {
          await rename(abs(step.node, step.dir), aside)
        } catch (err) {
          return `skipped: ${(err as Error).message}`
        }
        const files = await realFiles(aside)
        const bases = await Promise.all(files.map(async (p) => [p, sha(await readFile(join(aside, p)))] as const))
        await rm(aside, { recursive: true })
        for (const [p, base] of bases) model.delete(`${step.dir}/${p}`, base)
        model.forgetMarks(step.dir)
        return `${bases.length} files`
      }
      case 'rename': {
        if (diskFull(step.node)) return 'skipped: disk full'
        if (step.from === step.to) return 'skipped: same name'
        if (await fileHash(step.node, step.from) == null) return 'skipped: not a real file here'
        if (await lstat(abs(step.node, step.to)).catch(() => undefined) != null) return 'skipped: target exists'
        try {
          await mkdir(dirname(abs(step.node, step.to)), { recursive: true })
          await rename(abs(step.node, step.from), abs(step.node, step.to))
        } catch (err) {
          return `skipped: ${(err as Error).message}`
        }
        // Looked at after the move: what moved is what is there now (a realize
        // may have replaced the file just before the rename).
        const base = await fileHash(step.node, step.to)
        if (base == null) return 'lost: the moved file is gone'
        const marks = snapshotMarks(model, step.node)
        model.delete(step.from, base)
        model.write(step.to, undefined, base, model.origin.get(base) ?? tag)
        restoreMoved(model, step.node, marks, step.from, step.to)
        return 'done'
      }
      case 'renameDir': {
        if (diskFull(step.node)) return 'skipped: disk full'
        if (step.from === step.to || step.to.startsWith(`${step.from}/`)) return 'skipped: into itself'
        if (!await isDir(step.node, step.from)) return 'skipped: no such directory here'
        if (await lstat(abs(step.node, step.to)).catch(() => undefined) != null) return 'skipped: target exists'
        try {
          await mkdir(dirname(abs(step.node, step.to)), { recursive: true })
          await rename(abs(step.node, step.from), abs(step.node, step.to))
        } catch (err) {
          return `skipped: ${(err as Error).message}`
        }
        // What moved is what is at the destination right after the move.
        const files = await realFiles(abs(step.node, step.to))
        const bases = await Promise.all(files.map(async (p) => [p, sha(await readFile(join(abs(step.node, step.to), p)))] as const))
        const marks = snapshotMarks(model, step.node)
        for (const [p, base] of bases) {
          model.delete(`${step.from}/${p}`, base)
          model.write(`${step.to}/${p}`, undefined, base, model.origin.get(base) ?? tag)
        }
        model.forgetMarks(step.from)
        restoreMoved(model, step.node, marks, step.from, step.to)
        return `${bases.length} files`
      }
      case 'markCli': {
        const exists = step.target === '' || await lstat(abs(step.node, step.target)).catch(() => undefined) != null
        const args = step.mark === 'rm' ? ['mark', 'rm', `${ARENA}:${step.target}`] : ['mark', step.mark, `${ARENA}:${step.target}`]
        if (step.target === '' && step.mark === 'rm') return 'skipped: the arena mark is set, not removed'
        const r = await this.h.cli(step.node, ...args)
        if (r.code !== 0) return `refused (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`
        const stored = step.target === '' ? 'config' : exists ? 'xattr' : 'table'
        model.setMark(step.node, step.target, step.mark === 'rm' ? undefined : { mark: step.mark, stored })
        return `stored in ${stored}`
      }
      case 'markXattr': {
        if (await lstat(abs(step.node, step.target)).catch(() => undefined) == null) return 'skipped: not here'
        const r = step.mark === 'rm'
          ? await run('setfattr', ['-x', 'user.realize.mark', abs(step.node, step.target)]).then(() => 0, () => 1)
          : await run('setfattr', ['-n', 'user.realize.mark', '-v', step.mark, abs(step.node, step.target)]).then(() => 0, () => 1)
        if (r !== 0) return 'skipped: no such xattr'
        model.setMark(step.node, step.target, step.mark === 'rm' ? undefined : { mark: step.mark, stored: 'xattr' })
        // The node learns of an xattr from its watcher, after a debounce: a
        // user looks again before going on, and so does the checker, or it
        // could settle before the node has seen the last step (seed 1003).
        return await this.markSeen(step.node, step.target, step.mark) ? 'done' : 'done (the node did not show it within 5 s)'
      }
      case 'rootAway': return await this.rootAway(step.node)
      case 'fill': {
        if (model.full) return 'skipped: already full'
        model.full = true
        await fill(this.filler())
        return 'done'
      }
      case 'unfill': {
        if (!model.full) return 'skipped: not full'
        await rm(this.filler(), { force: true })
        model.full = false
        return 'done'
      }
      case 'kill': {
        await this.closeClients()
        await this.h.kill9(step.node)
        await this.h.start(step.node)
        return 'done'
      }
      case 'cut': {
        if (model.cut != null) return `skipped: ${model.cut} is cut already`
        await this.h.cut(step.node)
        model.cut = step.node
        return 'done'
      }
      case 'heal': {
        if (model.cut == null) return 'skipped: nothing cut'
        await this.h.restore(model.cut)
        model.cut = undefined
        return 'done'
      }
      case 'pause': return await this.idle(15_000) ? 'idle' : 'still busy after 15 s'
    }
  }

  /** A name beside `n`'s root, on its file system, where a deletion moves things first. */
  private aside (n: NodeName): string {
    return join(dirname(this.root(n)), `.model-aside-${this.asideCount++}`)
  }

  /** Whether `n` shows `mark` set on `path` itself (or, for `rm`, no longer there) within 5 s. */
  private async markSeen (n: NodeName, path: string, mark: string): Promise<boolean> {
    if (!this.running(n)) return true
    const until = Date.now() + 5_000
    while (Date.now() < until) {
      const info = await this.call(n, 'mark.get', { arena: ARENA, path }).catch(() => undefined)
      if (info != null && (mark === 'rm' ? info.source !== 'path' : info.source === 'path' && info.mark === mark)) return true
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return false
  }

  /** Stop, move the root away, start, let the household react, stop, move it back, start. */
  private async rootAway (n: NodeName): Promise<string> {
    const root = this.root(n)
    const away = `${root}.away`
    await this.closeClients()
    await this.h.stop(n)
    await rename(root, away)
    let note = 'done'
    try {
      await this.h.start(n)
      await this.idle(15_000)
      await this.closeClients()
      await this.h.stop(n)
    } catch (err) {
      note = `start without its root failed: ${(err as Error).message.split('\n')[0] ?? ''}`
      await this.h.kill9(n)
    }
    // A root the node made while the user's was away is kept aside, not deleted.
    if (await lstat(root).catch(() => undefined) != null) {
      await rename(root, `${root}.recreated-${this.awayCount++}`)
      note += '; the node had created a new root (kept aside)'
    }
    await rename(away, root)
    await this.h.start(n)
    return note
  }

  /** Links up, disk freed, every node running; answers what the nodes ask of their users. Returns those answers. */
  async healAll (model: Model): Promise<string[]> {
    if (model.cut != null) await this.h.restore(model.cut)
    model.cut = undefined
    if (model.full) await rm(this.filler(), { force: true })
    model.full = false
    for (const n of NODES) if (!this.running(n)) await this.h.start(n)
    const answered: string[] = []
    for (const n of NODES) {
      // A root the user emptied (its last file deleted just before a crash)
      // pauses the arena until the user confirms (spec section 4, issue 11):
      // the user reads the notice and does.
      const status = await this.call(n, 'status').catch(() => undefined)
      const arena = status?.arenas?.find((a: { name: string }) => a.name === ARENA)
      if (arena?.state === 'paused' && arena.error?.code === 'ROOT_EMPTY') {
        const r = await this.h.cli(n, 'arena', 'resume', ARENA)
        answered.push(`${n}: realize-node arena resume ${ARENA} (the arena paused: ROOT_EMPTY)  -> ${r.code === 0 ? 'resumed' : `refused (exit ${r.code})`}`)
      }
    }
    return answered
  }

  async destroy (): Promise<void> {
    await this.closeClients()
    for (const n of NODES) await this.h.kill9(n).catch(() => {})
    await run('umount', ['-l', dirname(this.h.root(SMALL_DISK))]).catch(() => {})
    await this.h.destroy()
  }
}

function stableIndex (name: string, n: number): number {
  let x = 0
  for (const ch of name) x = (x * 31 + ch.charCodeAt(0)) >>> 0
  return n === 0 ? 0 : x % n
}

/** Bytes of the unique first line of every content: truncation never goes below it, so contents stay unique. */
const HEADER = 32

/** A content no other step writes: a header naming the step, then filler derived from it. */
export function contentFor (tag: string, size: number): Buffer {
  const head = Buffer.from(`#${tag}#`.padEnd(HEADER - 1, '.') + '\n')
  const body = Buffer.alloc(Math.max(0, size - head.length))
  let x = 0
  for (const ch of tag) x = (x * 31 + ch.charCodeAt(0)) >>> 0
  for (let i = 0; i < body.length; i++) { x = (x * 1103515245 + 12345) >>> 0; body[i] = 32 + ((x >>> 16) % 95) }
  return Buffer.concat([head, body])
}

/** Files below `dir` (relative), the node's temp files left out. */
/**
 * Writes `content` at `file` the way a user's program does (truncate, write),
 * reading what it held through the same descriptor first: the base is what
 * this write really overwrote, even when a realize puts a new version in
 * place a moment before (a separate read could see an older file, seed 1031).
 */
async function writeOver (file: string, content: Buffer): Promise<{ base: string | undefined, replaced: boolean }> {
  let fh: FileHandle
  let base: string | undefined
  try {
    fh = await open(file, 'wx')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    fh = await open(file, 'r+')
    base = sha(await fh.readFile())
  }
  try {
    await fh.truncate(0)
    await fh.write(content, 0, content.length, 0)
    return { base, replaced: (await fh.stat()).nlink === 0 }
  } finally {
    await fh.close()
  }
}

export async function realFiles (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (e.isFile() && !e.name.startsWith('.realize-')) out.push(join(e.parentPath, e.name).slice(dir.length + 1))
  }
  return out
}

async function fill (file: string): Promise<void> {
  const chunk = Buffer.alloc(1 << 20, 0x2e)
  for (let size = chunk.length; size >= 4096; size >>= 1) {
    try {
      for (;;) await appendFile(file, chunk.subarray(0, size))
    } catch {}
  }
}

function snapshotMarks (model: Model, n: NodeName): Map<string, import('./model.js').UserMark> {
  return new Map(model.marks[n])
}

/** After a rename by `n`: the xattr marks that were under `from` apply under `to`. */
function restoreMoved (model: Model, n: NodeName, before: Map<string, import('./model.js').UserMark>, from: string, to: string): void {
  model.forgetMarks(to)
  for (const [p, m] of before) {
    if (p !== '' && (p === from || p.startsWith(`${from}/`)) && m.stored === 'xattr') model.setMark(n, to + p.slice(from.length), m)
  }
}
