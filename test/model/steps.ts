import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { Mark } from '../../datastore/types/mark.js'

/**
 * The steps of the randomized model check (issue 11, spec section 8): what
 * users and machines do to a household, as plain data so a sequence can be
 * printed, replayed and shrunk. A step names its targets from a small fixed
 * namespace (a few directories and file names), so steps collide often
 * (edits of one file on two nodes, renames onto names in use); whether a
 * step applies is decided when it runs, against the real disk (a user can
 * only edit a file that is real on their machine).
 */

export const NODES = ['a', 'b', 'c'] as const
export type NodeName = typeof NODES[number]
/** The node whose arena root lives on a small tmpfs (disk-full steps). */
export const SMALL_DISK: NodeName = 'c'

export const DIRS = ['', 'd1', 'd2', 'd1/e'] as const
/** Rename targets for directories: names not in DIRS too, so a renamed directory lands somewhere new. */
export const DIR_TARGETS = ['d2', 'd3', 'd1/e', 'd1/e2'] as const
export const FILE_NAMES = ['f1', 'f2', 'f3'] as const

export type MarkChange = Mark | 'rm'

export type Step =
  | { k: 'write', node: NodeName, path: string, size: number }
  | { k: 'append', node: NodeName, path: string, size: number }
  | { k: 'truncate', node: NodeName, path: string, keep: number }
  | { k: 'delete', node: NodeName, path: string }
  | { k: 'rmdir', node: NodeName, dir: string }
  | { k: 'rename', node: NodeName, from: string, to: string }
  | { k: 'renameDir', node: NodeName, from: string, to: string }
  /** `realize-node mark MARK TARGET` (or `mark rm`); target '' is the arena itself. */
  | { k: 'markCli', node: NodeName, target: string, mark: MarkChange }
  /** `setfattr -n user.realize.mark` (or `-x`) on a file or directory in the root. */
  | { k: 'markXattr', node: NodeName, target: string, mark: MarkChange }
  /** Stop the node, move its root away, start it, let the others react, stop, move the root back, start. */
  | { k: 'rootAway', node: NodeName }
  /** Fill the small disk holding SMALL_DISK's root / free it again. */
  | { k: 'fill' }
  | { k: 'unfill' }
  /** kill -9 and start again. */
  | { k: 'kill', node: NodeName }
  /** Take the node's link down (partition it from the other two) / bring every link up. */
  | { k: 'cut', node: NodeName }
  | { k: 'heal' }
  /** Wait (bounded) until every node's job runner is idle: lets changes spread before the next step. */
  | { k: 'pause' }

export type StepKind = Step['k']
export const STEP_KINDS: StepKind[] = ['write', 'append', 'truncate', 'delete', 'rmdir', 'rename', 'renameDir', 'markCli', 'markXattr', 'rootAway', 'fill', 'unfill', 'kill', 'cut', 'heal', 'pause']

/** A seed's household: each node's arena mark at the start. */
export interface Plan {
  seed: number
  arenaMarks: Record<NodeName, Mark>
  steps: Step[]
}

export function describeStep (s: Step): string {
  switch (s.k) {
    case 'write': return `${s.node}: write ${s.path} (${s.size} bytes, new content)`
    case 'append': return `${s.node}: append ${s.size} bytes to ${s.path}`
    case 'truncate': return `${s.node}: truncate ${s.path} to ${Math.round(s.keep * 100)}%`
    case 'delete': return `${s.node}: rm ${s.path}`
    case 'rmdir': return `${s.node}: rm -r ${s.dir}/`
    case 'rename': return `${s.node}: mv ${s.from} ${s.to}`
    case 'renameDir': return `${s.node}: mv ${s.from}/ ${s.to}/`
    case 'markCli': return `${s.node}: realize-node mark ${s.mark} shared:${s.target}`
    case 'markXattr': return s.mark === 'rm' ? `${s.node}: setfattr -x user.realize.mark ${s.target}` : `${s.node}: setfattr -n user.realize.mark -v ${s.mark} ${s.target}`
    case 'rootAway': return `${s.node}: stop, mv root root.away, start, (others settle), stop, mv root.away root, start`
    case 'fill': return `${SMALL_DISK}: fill the disk holding its root`
    case 'unfill': return `${SMALL_DISK}: free the disk holding its root`
    case 'kill': return `${s.node}: kill -9, start`
    case 'cut': return `${s.node}: link down (partitioned from the others)`
    case 'heal': return 'every link up'
    case 'pause': return 'wait until every job runner is idle'
  }
}

/** Relative weights: edits dominate, machine faults are rarer. */
const WEIGHTS: Array<[StepKind, number]> = [
  ['write', 14], ['append', 5], ['truncate', 3], ['delete', 5], ['rmdir', 2], ['rename', 4], ['renameDir', 2],
  ['markCli', 6], ['markXattr', 5], ['rootAway', 1], ['fill', 1], ['unfill', 1], ['kill', 2], ['cut', 2], ['heal', 2], ['pause', 6]
]
const MARKS: MarkChange[] = ['own', 'keep', 'watch', 'rm']

/** The seeded sequence for `seed`: the same seed always gives the same plan. */
export function generate (seed: number, steps: number): Plan {
  const rng = xoroshiro128plus(seed)
  const int = (lo: number, hi: number): number => uniformInt(rng, lo, hi)
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T
  const node = (): NodeName => pick(NODES)
  const dir = (): string => pick(DIRS)
  const file = (): string => { const d = dir(); const f = pick(FILE_NAMES); return d === '' ? f : `${d}/${f}` }
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0)
  const arenaMarks = { a: pick(['own', 'own', 'keep', 'watch'] as Mark[]), b: pick(['own', 'keep', 'watch'] as Mark[]), c: pick(['own', 'keep', 'watch'] as Mark[]) }
  const out: Step[] = []
  // Most files are small; some are large enough to make a transfer take a moment (and fill the small disk).
  const size = (): number => int(0, 9) === 0 ? int(256 << 10, 2 << 20) : int(16, 16 << 10)
  while (out.length < steps) {
    let r = int(0, total - 1)
    let kind: StepKind = 'write'
    for (const [k, w] of WEIGHTS) { if (r < w) { kind = k; break } r -= w }
    switch (kind) {
      case 'write': out.push({ k: 'write', node: node(), path: file(), size: size() }); break
      case 'append': out.push({ k: 'append', node: node(), path: file(), size: int(1, 4096) }); break
      case 'truncate': out.push({ k: 'truncate', node: node(), path: file(), keep: int(0, 100) / 100 }); break
      case 'delete': out.push({ k: 'delete', node: node(), path: file() }); break
      case 'rmdir': out.push({ k: 'rmdir', node: node(), dir: pick(DIRS.filter((d) => d !== '')) }); break
      case 'rename': out.push({ k: 'rename', node: node(), from: file(), to: file() }); break
      case 'renameDir': out.push({ k: 'renameDir', node: node(), from: pick(DIRS.filter((d) => d !== '')), to: pick(DIR_TARGETS) }); break
      case 'markCli': out.push({ k: 'markCli', node: node(), target: int(0, 2) === 0 ? dir() : file(), mark: pick(MARKS) }); break
      case 'markXattr': out.push({ k: 'markXattr', node: node(), target: int(0, 1) === 0 ? pick(DIRS.filter((d) => d !== '')) : file(), mark: pick(MARKS) }); break
      case 'rootAway': case 'kill': case 'cut': out.push({ k: kind, node: node() }); break
      case 'fill': case 'unfill': case 'heal': case 'pause': out.push({ k: kind }); break
    }
  }
  return { seed, arenaMarks, steps: out }
}
