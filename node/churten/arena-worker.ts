import { join } from 'node:path'
import { decide, type Job, type RemoteState } from '../consensus/decide.js'
import { ConflictRecords } from '../consensus/conflict-records.js'
import { chosenStat, download } from '../fetch/download.js'
import { install } from './executors/install.js'
import { DIRECT_MAX_BYTES, realizeDirect } from './executors/direct.js'
import { unrealize } from './executors/unrealize.js'
import { AbandonedError } from '../fetch/errors.js'
import { MarkCache } from './mark-cache.js'
import { UndoGuard } from './undo-guard.js'
import { describeError } from '../../datastore/types/errors.js'
import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import type { ExecutorContext } from './executors/context.js'
import type { ArenaWorker, JobRun, JobStats } from './types.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { HistoryEntry } from '../../datastore/types/history.js'
import type { Mark } from '../../datastore/types/mark.js'
import type { UnrealFileStat } from '../unreal/unreal-tree.js'
import type { Version } from '../../datastore/types/version.js'

/**
 * One arena's jobs: gathers what the stores say about a dirty path, asks
 * consensus what it needs, and runs it with the executors.
 */
export function arenaWorker (ctx: ExecutorContext): ArenaWorker {
  const { arena, tree, blobs } = ctx
  const marks = new MarkCache(arena)
  const conflicts = new ConflictRecords(arena.store)
  const listeners = new Set<(paths: readonly RelPath[]) => void>()
  const dirtied = (paths: readonly RelPath[]): void => { for (const l of listeners) l(paths) }
  // The tree entry each decision saw, for the job it starts: one read per
  // job less. A change after it marks the path dirty, and churten decides
  // again (or cancels the job) on its own.
  const seen = new Map<RelPath, UnrealFileStat>()
  const statFor = async (path: RelPath, version: Version): Promise<UnrealFileStat> => {
    const st = seen.get(path)
    seen.delete(path)
    return st != null && hashEquals(st.chosen.hash, version.hash) ? st : await chosenStat(ctx, path, version)
  }
  const undo = new UndoGuard()
  // The mark generation each job was decided under: a mark that changes
  // while the job runs must still count as a change after it (a realize
  // finishing after `mark watch` must not block the unrealize that follows).
  const decidedAt = new WeakMap<Job, number>()
  const runJob = async (job: Job, run: JobRun): Promise<JobStats | undefined> => {
    switch (job.kind) {
      case 'download': {
        const r = await download(ctx, job.path, job.version, run, { keep: true, stat: await statFor(job.path, job.version) })
        return statsOf(r)
      }
      case 'realize': {
        const root = arena.root
        if (root == null) throw new AbandonedError(`arena ${arena.name} has no root here: nothing to realize into`)
        const stat = await statFor(job.path, job.version)
        if (job.version.size <= DIRECT_MAX_BYTES && !await isCached(ctx, stat, job.version.hash)) {
          return await realizeDirect(ctx, job.path, job.version, job.replaces, stat, run)
        }
        // The real file being replaced is the local basis of a delta download {#delta}.
        const basis = job.replaces == null ? undefined : { file: join(root, ...job.path.split('/')) }
        const r = await download(ctx, job.path, job.version, run, { keep: false, basis, stat })
        run.action('realize')
        await install(ctx, job.path, job.version, r.blobId, job.replaces)
        return statsOf(r)
      }
      case 'unrealize':
        run.action('unrealize')
        await unrealize(ctx, job.path, job.real, 'drop', job.keep ? 'keep' : 'watch', run.signal)
        return undefined
      case 'delete':
        run.action('delete')
        await unrealize(ctx, job.path, job.real, 'remove', 'own')
        return undefined
      case 'conflict':
        // Recorded when decided (ConflictRecords), never resolved by
        // overwriting: both versions stay where they are.
        ctx.log.warn({ path: job.path, event: 'conflict' }, 'conflict: the local file and a peer\'s version are not one history chain; both are kept')
        return undefined
    }
  }
  return {
    name: arena.name,
    store: arena.store,

    async decide (path, signal) {
      // A failed read throws (churten keeps the path dirty and tries again):
      // taken as "absent" it would decide the path needs nothing and clear it.
      const generation = marks.changes
      const [mark, real, stat] = await Promise.all([marks.resolve(path), arena.index.get(path), tree.statPath(path)])
      if (real == null && (stat?.kind === 'dir' || (stat == null && await hasRealUnder(ctx, path)))) {
        // A directory's mark changed: every file under it is decided again.
        dirtied(await expandDirectory(ctx, path, signal))
        return undefined
      }
      let remote: RemoteState | undefined
      seen.delete(path)
      if (stat?.kind === 'file') {
        const info = stat.blobId == null ? undefined : await blobs.get(stat.blobId)
        if (info != null) await protectAsMarked(ctx, info.id, info.keep, mark, info.verified)
        remote = {
          chosen: stat.chosen,
          chain: stat.chain,
          peersWithChosen: stat.peers.filter((p) => hashEquals(p.version.hash, stat.chosen.hash)).map((p) => p.peer),
          held: stat.peers.map((p) => p.version.hash),
          blob: info == null || !hashEquals(info.hash, stat.chosen.hash) ? undefined : { complete: info.written.contains(0, info.size), verified: info.verified },
          conflict: stat.conflict
        }
      }
      const deleted = real == null && remote != null ? await arena.store.tombstones.get(path) : undefined
      const decided = decide({ path, mark, real, remote, hasRoot: arena.root != null, deleted })
      let job = decided
      if (decided != null && !undo.allows(decided, marks.changes)) {
        ctx.log.warn({ path, job: decided.kind, event: 'job-undo-refused' }, 'refused a job that would undo the previous one for the same version with no mark change in between')
        job = undefined
      }
      await conflicts.note(path, real, stat?.kind === 'file' ? stat : undefined, job?.kind === 'conflict')
      if (stat?.kind === 'file' && (job?.kind === 'download' || job?.kind === 'realize')) seen.set(path, stat)
      if (job != null) decidedAt.set(job, generation)
      return job
    },

    async run (job: Job, run: JobRun): Promise<JobStats | undefined> {
      const stats = await runJob(job, run)
      undo.done(job, decidedAt.get(job) ?? marks.changes)
      return stats
    },

    onDirty (listener) {
      listeners.add(listener)
      const onHistory = (entries: HistoryEntry[]): void => { listener(entries.map((e) => e.notification.path)) }
      const onMarks = (changes: Array<{ path: RelPath }>): void => { listener(changes.map((c) => c.path)) }
      const onTree = (paths: RelPath[]): void => { listener(paths) }
      arena.index.on('history', onHistory)
      arena.index.on('marks', onMarks)
      arena.marks.on('changed', onTree)
      tree.on('changed', onTree)
      return () => {
        listeners.delete(listener)
        arena.index.off('history', onHistory)
        arena.index.off('marks', onMarks)
        arena.marks.off('changed', onTree)
        tree.off('changed', onTree)
      }
    },

    isPaused: () => arena.paused != null,

    onPauseChange (listener) {
      const w = arena.watcher
      if (w == null) return () => {}
      const paused = (): void => { listener(true) }
      const resumed = (): void => { listener(false) }
      w.on('paused', paused)
      w.on('resumed', resumed)
      return () => {
        w.off('paused', paused)
        w.off('resumed', resumed)
      }
    }
  }
}

/** Some of the chosen version's content is in the cache already (a keep download, a resumed one). */
async function isCached (ctx: ExecutorContext, st: UnrealFileStat, hash: Hash): Promise<boolean> {
  if (st.blobId == null) return false
  const info = await ctx.blobs.get(st.blobId)
  return info != null && hashEquals(info.hash, hash) && !info.written.isEmpty
}

function statsOf (r: { fetched: number, resumed: number, fromBasis: number, method: JobStats['method'] }): JobStats {
  return { fetched: r.fetched, resumed: r.resumed, fromBasis: r.fromBasis, method: r.method }
}

/**
 * A cached copy follows its file's mark {#bloblru}: protected while marked
 * `keep` (complete and verified), an ordinary cache entry otherwise.
 */
async function protectAsMarked (ctx: ExecutorContext, blobId: number, isKept: boolean, mark: Mark, verified: boolean): Promise<void> {
  const keep = mark === 'keep' || (mark === 'own' && ctx.arena.root == null)
  if (keep === isKept || (keep && !verified)) return
  // The job goes on either way (the copy is there); the cache may evict it or keep it too long, so say so.
  await ctx.blobs.keep(blobId, keep).catch((err) => {
    // {#bloblru}
    ctx.log.warn({ blobId, keep, err: describeError(err), event: 'blob-protect-failed' }, `could not ${keep ? 'protect' : 'unprotect'} a cached copy`)
  })
}

async function hasRealUnder (ctx: ExecutorContext, dir: RelPath): Promise<boolean> {
  for await (const _ of ctx.arena.store.index.under(dir)) return true
  return false
}

/** Marks every file under `dir`, real or known from peers, dirty, a thousand per batch; returns them. */
async function expandDirectory (ctx: ExecutorContext, dir: RelPath, signal: AbortSignal): Promise<RelPath[]> {
  const paths = new Set<RelPath>()
  for await (const [p] of ctx.arena.store.index.under(dir, { signal })) paths.add(p)
  const top = await ctx.tree.lookupPath(dir).catch(() => undefined)
  const stack = top?.kind === 'dir' ? [{ inode: top.inode, path: dir }] : []
  for (let d = stack.pop(); d != null; d = stack.pop()) {
    for (const e of await ctx.tree.readdir(d.inode, { signal })) {
      const p = (d.path === '' ? e.name : `${d.path}/${e.name}`) as RelPath
      if (e.kind === 'dir') stack.push({ inode: e.inode, path: p })
      else paths.add(p)
    }
  }
  const list = [...paths]
  for (let i = 0; i < list.length; i += 1000) {
    const chunk = list.slice(i, i + 1000)
    await ctx.arena.store.store.write(async (b) => {
      await ctx.arena.store.dirty.prefetch(b, chunk)
      for (const p of chunk) await ctx.arena.store.dirty.mark(b, p)
    })
  }
  return list
}
