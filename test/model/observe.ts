import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ConflictInfo, LsEntry } from '../../node/control/api/model.js'
import { sha } from './model.js'
import { NODES, type NodeName } from './steps.js'
import type { World } from './world.js'

/**
 * What one look at the household sees, from the nodes' own reports
 * (control API: the same answers as `status --json`, `ls --json`,
 * `conflicts --json`, `peers --json`) and from the disks (roots, blobs).
 */
export interface NodeView {
  running: boolean
  /** Every file the merged listing shows, by path (directories walked). */
  ls: Map<string, LsEntry>
  /** Real files in the root: path -> SHA-256 of the bytes on disk. */
  real: Map<string, string>
  /** Leftover `.realize-*` files in the root. */
  temps: string[]
  /** Hashes of every file in the blob cache (complete blobs hash to their version). */
  blobs: Set<string>
  conflicts: ConflictInfo[]
  jobs: number
  /** Bytes in + out over every connection to a peer. */
  wire: number
  error?: string
}

export type View = Record<NodeName, NodeView>

export async function observe (w: World): Promise<View> {
  const out: Partial<View> = {}
  for (const n of NODES) out[n] = await observeNode(w, n)
  return out as View
}

async function observeNode (w: World, n: NodeName): Promise<NodeView> {
  const root = w.root(n)
  const real = new Map<string, string>()
  const temps: string[] = []
  for (const e of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!e.isFile()) continue
    const abs = join(e.parentPath, e.name)
    const rel = abs.slice(root.length + 1)
    if (e.name.startsWith('.realize-')) { temps.push(rel); continue }
    const data = await readFile(abs).catch(() => undefined)
    if (data != null) real.set(rel, sha(data))
  }
  const blobs = new Set<string>()
  const blobDir = join(w.h.node(n).dataDir, 'blobs')
  for (const e of await readdir(blobDir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!e.isFile()) continue
    const data = await readFile(join(e.parentPath, e.name)).catch(() => undefined)
    if (data != null) blobs.add(sha(data))
  }
  const view: NodeView = { running: w.running(n), ls: new Map(), real, temps, blobs, conflicts: [], jobs: 0, wire: 0 }
  if (!view.running) return view
  try {
    const dirs = ['']
    while (dirs.length > 0) {
      const dir = dirs.pop() as string
      const page = await w.call(n, 'ls', { arena: 'shared', path: dir })
      for (const e of page.entries as LsEntry[]) {
        if (e.type === 'dir') dirs.push(e.path)
        else view.ls.set(e.path, e)
      }
    }
    view.conflicts = await w.call(n, 'conflicts')
    view.jobs = (await w.call(n, 'churten.status')).jobs
    const peers = await w.call(n, 'peers') as Array<{ bytesIn: number | null, bytesOut: number | null }>
    view.wire = peers.reduce((s, p) => s + (p.bytesIn ?? 0) + (p.bytesOut ?? 0), 0)
  } catch (err) {
    view.error = (err as Error).message
  }
  return view
}
