import type { Model } from './model.js'
import { NODES, type NodeName } from './steps.js'
import type { View } from './observe.js'

/**
 * The invariants (issue 11, spec section 8), checked against one look at
 * the household once it has settled:
 *
 * - no-loss: every live content (a user wrote it and did not overwrite or
 *   delete it) is on some node, byte-identical: a real file, or a cached
 *   blob whose bytes hash to it.
 * - convergence: a path with one live content is listed with that hash on
 *   every node, real where the node's mark is `own`, cached (or real) where
 *   it is `keep`; a path the users deleted is listed and real nowhere; a
 *   path with concurrent contents shows one of them everywhere and is
 *   recorded as a conflict.
 * - marks: where the model knows the mark a node's user set (on the path or
 *   an ancestor), the node shows it.
 * - conflicts only where writes were concurrent.
 * - crash: every node still runs and answers.
 *
 * The quiet invariant (no jobs, no bytes on the wire, no temp files, no
 * change over a window) is checked by the runner around two looks.
 */
export type ViolationKind = 'no-loss' | 'convergence' | 'mark' | 'conflict' | 'crash' | 'quiet'

export interface Violation {
  kind: ViolationKind
  message: string
}

export function check (model: Model, view: View): Violation[] {
  const out: Violation[] = []
  // A content by the step that wrote it (`s101.8 (b)`), else its hash.
  const short = (h: string | null | undefined): string => h == null ? '-' : `${h.slice(0, 8)}${model.origin.has(h) ? `=${model.origin.get(h) ?? ''}` : ''}`
  const v = (kind: ViolationKind, message: string): void => { out.push({ kind, message }) }
  for (const n of NODES) {
    if (!view[n].running) v('crash', `${n} is not running`)
    else if (view[n].error != null) v('crash', `${n} does not answer: ${view[n].error}`)
  }
  const paths = new Set<string>(model.paths())
  for (const n of NODES) { for (const p of view[n].ls.keys()) paths.add(p); for (const p of view[n].real.keys()) paths.add(p) }

  for (const p of [...paths].sort()) {
    const heads = model.headsOf(p)
    for (const h of heads) {
      const where = NODES.some((n) => view[n].real.get(p) === h || [...view[n].real.values()].includes(h) || view[n].blobs.has(h))
      if (!where) v('no-loss', `shared:${p}: content ${short(h)} is on no node (real or cached)`)
    }
    for (const n of NODES) {
      if (!view[n].running || view[n].error != null) continue
      const e = view[n].ls.get(p)
      const real = view[n].real.get(p)
      if (heads.size === 0) {
        if (real != null) v('convergence', `shared:${p} was deleted by the users (or never written), yet ${n} has it real (${short(real)})`)
        else if (e != null) v('convergence', `shared:${p} was deleted by the users, yet ${n} lists it (${e.location} ${short(e.hash)})`)
        continue
      }
      if (e == null) { v('convergence', `${n} does not list shared:${p} (live: ${[...heads].map(short).join(', ')})`); continue }
      if (e.hash == null || !heads.has(e.hash)) {
        v('convergence', `${n} lists shared:${p} at ${short(e.hash)} (${e.location}), not the live content ${[...heads].map(short).join(' or ')}`)
        continue
      }
      if (e.mark === 'own' && (real == null || !heads.has(real))) v('convergence', `shared:${p} is own on ${n} but ${real == null ? 'not real there' : `real at ${short(real)}`} (${e.location})`)
      // The listing must say what the disk says: a look that reads the disk just before a
      // realize commits its index entry would otherwise pass (seed 1002).
      else if (e.mark === 'own' && e.location !== 'real') v('convergence', `shared:${p} is own on ${n} and real on its disk, but listed ${e.location}`)
      if (e.location === 'real' && real == null) v('convergence', `${n} lists shared:${p} as real, but its root has no such file`)
      if (e.mark === 'keep' && e.location !== 'cached' && e.location !== 'real') v('convergence', `shared:${p} is keep on ${n} but ${e.location} there`)
      // Spec section 1: a keep or watch file that a peer has (real, same version) is unrealized.
      const alsoReal = NODES.filter((o) => o !== n && view[o].running && view[o].real.get(p) === real)
      if ((e.mark === 'keep' || e.mark === 'watch') && real != null && real === e.hash && alsoReal.length > 0) v('convergence', `shared:${p} is ${e.mark} on ${n} and ${alsoReal.join(', ')} has the same version real, yet ${n} has not unrealized it`)
      const expected = model.expectedMark(n, p)
      if (expected != null && expected !== e.mark) v('mark', `${n} shows shared:${p} as ${e.mark}; its user marked it ${expected} (${describeMarkSource(model, n, p)})`)
    }
    if (heads.size > 1 && !NODES.some((n) => view[n].conflicts.some((c) => c.path === p))) {
      v('convergence', `shared:${p} has concurrent contents ${[...heads].map(short).join(', ')} but no node records a conflict`)
    }
  }
  for (const n of NODES) {
    for (const c of view[n].conflicts) {
      if (!model.concurrent.has(c.path)) v('conflict', `${n} records a conflict on shared:${c.path}, but no two writes there were concurrent`)
    }
  }
  return out
}

function describeMarkSource (model: Model, n: NodeName, path: string): string {
  for (let p: string | undefined = path; p !== undefined; p = p === '' ? undefined : p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') {
    const m = model.marks[n].get(p)
    if (m != null) return p === '' ? `arena mark in the ${m.stored}` : p === path ? `on the file, in the ${m.stored}` : `on ${p}/, in the ${m.stored}`
  }
  return '?'
}
