import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { decide, type Job, type RemoteState } from '../consensus/decide.js'
import { download } from './executors/download.js'
import { install, LocalChangedError } from './executors/install.js'
import { AbandonedError } from './errors.js'
import { hashEquals } from '../types/hash.js'
import type { ExecutorContext } from './executors/context.js'
import type { ArenaWorker, JobRun } from './types.js'
import type { RelPath } from '../types/path.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'

/**
 * One arena's jobs: gathers what the stores say about a dirty path, asks
 * consensus what it needs, and runs it with the executors.
 */
export function arenaWorker (ctx: ExecutorContext): ArenaWorker {
  const { arena, tree, blobs } = ctx
  return {
    name: arena.name,
    store: arena.store,

    async decide (path, signal) {
      const [resolved, real, stat] = await Promise.all([arena.marks.resolve(path), arena.index.get(path), tree.statPath(path).catch(() => undefined)])
      if (real == null && (stat?.kind === 'dir' || (stat == null && await hasRealUnder(arena, path)))) {
        // A directory's mark changed: every file under it is decided again.
        await expandDirectory(ctx, path, signal)
        return undefined
      }
      let remote: RemoteState | undefined
      if (stat?.kind === 'file') {
        const info = stat.blobId == null ? undefined : await blobs.get(stat.blobId)
        remote = {
          chosen: stat.chosen,
          chain: stat.chain,
          peersWithChosen: stat.peers.filter((p) => hashEquals(p.version.hash, stat.chosen.hash)).map((p) => p.peer),
          blob: info == null ? undefined : { complete: info.written.contains(0, info.size), verified: info.verified },
          conflict: stat.conflict
        }
      }
      return decide({ path, mark: resolved.mark, real, remote })
    },

    async run (job: Job, run: JobRun) {
      switch (job.kind) {
        case 'download': {
          await download(ctx, job.path, job.version, run, { keep: true })
          return
        }
        case 'realize': {
          if (arena.root == null) throw new AbandonedError(`arena ${arena.name} has no root here: nothing to realize into`)
          const blobId = await download(ctx, job.path, job.version, run, { keep: false })
          run.action('realize')
          await install(ctx, job.path, job.version, blobId, job.replaces)
          return
        }
        case 'unrealize': {
          run.action('unrealize')
          await unrealize(ctx, job.path, job.real, 'drop')
          return
        }
        case 'delete': {
          run.action('delete')
          await unrealize(ctx, job.path, job.real, 'remove')
          return
        }
        case 'conflict': {
          await arena.store.store.write(async (b) => {
            const c = await arena.store.conflicts.getIn(b, job.path) ?? { remote: [] }
            arena.store.conflicts.put(b, job.path, { ...c, ...(job.real != null ? { local: { hash: job.real.hash, size: job.real.size, mtime: job.real.mtime } } : {}) })
          })
        }
      }
    },

    onDirty (listener) {
      const onHistory = (entries: Array<{ notification: { path: RelPath } }>): void => { listener(entries.map((e) => e.notification.path)) }
      const onMarks = (changes: Array<{ path: RelPath }>): void => { listener(changes.map((c) => c.path)) }
      const onTree = (paths: RelPath[]): void => { listener(paths) }
      arena.index.on('history', onHistory)
      arena.index.on('marks', onMarks)
      tree.on('changed', onTree)
      return () => {
        arena.index.off('history', onHistory)
        arena.index.off('marks', onMarks)
        tree.off('changed', onTree)
      }
    }
  }
}

async function hasRealUnder (arena: ExecutorContext['arena'], dir: RelPath): Promise<boolean> {
  for await (const _ of arena.store.index.under(dir)) return true
  return false
}

/** Marks every file under `dir`, real or known from peers, dirty, a thousand per batch. */
async function expandDirectory (ctx: ExecutorContext, dir: RelPath, signal: AbortSignal): Promise<void> {
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
}

/**
 * Unrealize (and the local delete of a version a peer removed): the real
 * file's content moves into the blob store, never to the bin (spec section
 * 1). Only when a connected peer has the same version (for unrealize), and
 * only if size and mtime still match the index right before and after the
 * move. Published as Drop (unrealize) or Remove (delete).
 */
async function unrealize (ctx: ExecutorContext, path: RelPath, real: IndexEntry, as: 'drop' | 'remove'): Promise<void> {
  const { arena, tree, blobs } = ctx
  if (arena.root == null) return
  if (as === 'drop' && (await ctx.source.peersWith(arena.name, path, real.hash)).length === 0) {
    throw new AbandonedError(`${arena.name}/${path}: no connected peer has this version; the only copy stays real`)
  }
  const target = join(arena.root, path)
  const same = async (): Promise<boolean> => {
    const st = await lstat(target).catch(() => undefined)
    const indexed = await arena.index.get(path)
    return st?.isFile() === true && indexed != null && hashEquals(indexed.hash, real.hash) && st.size === indexed.size && st.mtimeMs === indexed.mtime
  }
  if (!await same()) throw new LocalChangedError(`${path}: the local file changed`)
  const blobId = await blobs.adopt(target, real.hash, real.size, { queue: as === 'drop' ? 'working' : 'pending', expectMtime: real.mtime })
  await arena.index.apply([{ path, version: undefined, drop: as === 'drop' }])
  if (as === 'drop') await tree.write(async (tx) => await tx.setBlob(path, real.hash, blobId))
}
