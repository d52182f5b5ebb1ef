import { createHash } from 'node:crypto'
import type { Mark } from '../../datastore/types/mark.js'
import { NODES, type NodeName } from './steps.js'

/**
 * What the users wrote, as plain data beside the real household.
 *
 * Per path, the live *heads*: contents a user wrote and did not later
 * overwrite or delete. A user's write or deletion on a node supersedes
 * exactly the content the node's real file held just before (its base),
 * which is what the node reports to peers (`Replace`/`Remove` naming the old
 * hash). A write whose base is not a live head (the file was changed or
 * deleted elsewhere meanwhile, or created where other content lives) is
 * concurrent with something: the path may end in conflict, and only such
 * paths may. More than one head means the writes were concurrent and each
 * must survive somewhere.
 *
 * Marks: what each node's user set, and where it was stored (the xattr of
 * a real file or directory travels with it on renames; the config holds the
 * arena's). After a user deletes or renames a marked path the spec leaves
 * the fate of a table mark open, so such paths become *uncertain* and their
 * marks are not checked until the user sets one again.
 */
export function sha (data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

export interface UserMark { mark: Mark, stored: 'xattr' | 'table' | 'config' }

export class Model {
  readonly heads = new Map<string, Set<string>>()
  /** Paths where writes were concurrent at some point: conflicts are allowed only there. */
  readonly concurrent = new Set<string>()
  readonly marks: Record<NodeName, Map<string, UserMark>>
  readonly uncertain: Record<NodeName, Set<string>>
  /** Who wrote each content and at which step, for messages. */
  readonly origin = new Map<string, string>()
  cut: NodeName | undefined
  full = false

  constructor (arenaMarks: Record<NodeName, Mark>) {
    this.marks = { a: new Map(), b: new Map(), c: new Map() }
    this.uncertain = { a: new Set(), b: new Set(), c: new Set() }
    for (const n of NODES) this.marks[n].set('', { mark: arenaMarks[n], stored: 'config' })
  }

  headsOf (path: string): Set<string> {
    return this.heads.get(path) ?? new Set()
  }

  /** A user on some node wrote `next` over `base` (undefined: the file did not exist there). */
  write (path: string, base: string | undefined, next: string, origin: string): void {
    const h = new Set(this.headsOf(path))
    if (base !== undefined && h.has(base)) h.delete(base)
    else if (h.size > 0 || base !== undefined) this.concurrent.add(path)
    h.add(next)
    if (h.size > 1) this.concurrent.add(path)
    this.heads.set(path, h)
    if (!this.origin.has(next)) this.origin.set(next, origin)
  }

  /** A user deleted the real file holding `base`. */
  delete (path: string, base: string): void {
    const h = new Set(this.headsOf(path))
    if (h.has(base)) h.delete(base)
    else this.concurrent.add(path)
    if (h.size === 0) this.heads.delete(path)
    else this.heads.set(path, h)
    this.forgetMarks(path)
  }

  setMark (node: NodeName, path: string, m: UserMark | undefined): void {
    if (m == null) this.marks[node].delete(path)
    else this.marks[node].set(path, m)
    this.uncertain[node].delete(path)
  }

  /** Every node's marks at `path` and below become uncertain (the user deleted or moved it). */
  forgetMarks (path: string): void {
    for (const n of NODES) {
      for (const p of [...this.marks[n].keys()]) {
        if (p !== '' && under(p, path)) { this.marks[n].delete(p); this.uncertain[n].add(p) }
      }
      this.uncertain[n].add(path)
    }
  }

  /** The mark `node` should show for `path`, or undefined when a user action left it open. */
  expectedMark (node: NodeName, path: string): Mark | undefined {
    for (let p: string | undefined = path; p !== undefined; p = parent(p)) {
      if (this.uncertain[node].has(p)) return undefined
      const m = this.marks[node].get(p)
      if (m != null) return m.mark
    }
    return undefined
  }

  /** Paths with live content. */
  paths (): string[] {
    return [...this.heads.keys()].sort()
  }
}

export function under (p: string, dir: string): boolean {
  return dir === '' || p === dir || p.startsWith(`${dir}/`)
}

export function parent (p: string): string | undefined {
  if (p === '') return undefined
  const i = p.lastIndexOf('/')
  return i < 0 ? '' : p.slice(0, i)
}
