import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { household, readOr, sameTree, sha256, tree } from './helpers.js'
import type { Household } from '../../scripts/harness/household.js'

interface Conflict { arena: string, path: string, local: { hash: string } | null, remote: Array<{ peer: string, hash: string }> }

/** True once `n` logged that `peer` disconnected. */
function disconnected (h: Household, n: string, peer: string): boolean {
  const id = h.node(peer).peerId
  return h.lines(n).some((l) => l.event === 'peer-disconnected' && l.peerId === id)
}

/**
 * {#multi-peer} A host cut off from the household (its link down) while
 * both sides change files, then back: each side's changes reach the other,
 * and a file both sides changed is a conflict, recorded, not overwritten.
 */
/** What a holds before the partition: c has seen these entries (1 to 4) of a's history. */
const start = { 'both.txt': 'original', 'c-edits.txt': 'original, c will edit', 'a-edits.txt': 'original, a will edit', 'a-deletes.txt': 'a will delete this while c is away' }

describe('e2e: partition and reunion {#multi-peer}', function () {
  this.timeout(240_000)
  const e2e = household()

  async function partitioned (options: { inactiveAfter?: string } = {}): Promise<Household> {
    const config = options.inactiveAfter == null
      ? undefined
      : (c: { history: { inactiveAfterMs: number } }) => { c.history.inactiveAfterMs = Number.parseInt(options.inactiveAfter as string) * 1000 }
    const h = await e2e.create({ hosts: ['a', 'b', 'c'].map((name) => ({ name, config })) })
    for (const [f, text] of Object.entries(start)) await writeFile(join(h.root('a'), f), text)
    await h.start()
    for (const n of ['b', 'c']) await h.waitFor(`${n} has a's files`, async () => sameTree(await tree(h.root(n)), start))

    await h.cut('c')
    // Both sides notice (connection monitor pings): from now on nothing is in flight between them.
    await h.waitFor('a, b and c notice the partition', () => disconnected(h, 'a', 'c') && disconnected(h, 'b', 'c') && disconnected(h, 'c', 'a') && disconnected(h, 'c', 'b'), 90_000)
    await writeFile(join(h.root('a'), 'both.txt'), 'changed on a while c was away')
    await writeFile(join(h.root('a'), 'a-edits.txt'), 'edited on a')
    await writeFile(join(h.root('a'), 'a-new.txt'), 'new on a')
    await rm(join(h.root('a'), 'a-deletes.txt'))
    await writeFile(join(h.root('c'), 'both.txt'), 'changed on c while away, differently')
    await writeFile(join(h.root('c'), 'c-edits.txt'), 'edited on c')
    await writeFile(join(h.root('c'), 'c-new.txt'), 'new on c')
    await h.waitFor('b has a\'s changes', async () => await readOr(join(h.root('b'), 'a-new.txt')) === 'new on a' && await readOr(join(h.root('b'), 'both.txt')) === 'changed on a while c was away' && await readOr(join(h.root('b'), 'a-deletes.txt')) == null)
    return h
  }

  /** After the reunion: every file but the conflicting one converges (a's deletion included), and the conflict is recorded. */
  async function converged (h: Household): Promise<void> {
    const common = { 'a-edits.txt': 'edited on a', 'a-new.txt': 'new on a', 'c-edits.txt': 'edited on c', 'c-new.txt': 'new on c' }
    for (const n of ['a', 'b', 'c']) {
      await h.waitFor(`${n} has every change from both sides`, async () => {
        const t = await tree(h.root(n))
        delete t['both.txt']
        return sameTree(t, common)
      })
    }
    // both.txt: neither side's edit overwrote the other's.
    assert.equal(await readOr(join(h.root('a'), 'both.txt')), 'changed on a while c was away')
    assert.equal(await readOr(join(h.root('c'), 'both.txt')), 'changed on c while away, differently')
    for (const n of ['a', 'c']) {
      const list = await h.waitFor(`${n} records the conflict on both.txt`, async () => {
        const all = await h.cliJson<Conflict[]>(n, 'conflicts')
        return all.some((x) => x.path === 'both.txt') ? all : undefined
      })
      assert.deepEqual(list.map((x) => `${x.arena}:${x.path}`), ['shared:both.txt'], `${n}: only the file both sides changed is a conflict`)
    }
    for (const n of ['a', 'b', 'c']) console.log(`    conflicts on ${n}: ${JSON.stringify(await h.cliJson(n, 'conflicts'))}`)
  }

  it('a host back from a partition resumes from its progress; both sides\' changes converge, a double edit is a conflict', async () => {
    const h = await partitioned()
    const before = new Map(['a', 'b'].map((n) => [n, h.lines(n).length]))
    await h.restore('c')
    await converged(h)
    for (const n of ['a', 'b']) {
      const subs = h.lines(n).slice(before.get(n)).filter((l) => l.event === 'history-subscribed' && l.peer === 'c')
      assert.ok(subs.length > 0 && subs.every((l) => l.catchup === false), `${n} resumed c's subscription after its last acknowledged entry`)
    }
    // `conflicts` shows each side's version (spec section 7) on both hosts that changed the file.
    const versions = [sha256('changed on a while c was away'), sha256('changed on c while away, differently')].sort()
    for (const n of ['a', 'c']) {
      const c = (await h.cliJson<Conflict[]>(n, 'conflicts')).find((x) => x.path === 'both.txt')
      const shown = [...new Set([c?.local?.hash, ...(c?.remote ?? []).map((r) => r.hash)].filter((x) => x != null))].sort()
      assert.deepEqual(shown, versions, `${n}'s conflict record shows both versions: ${JSON.stringify(c)}`)
    }
  })

  it('a host away longer than history.inactive_after gets a full catch-up once history was trimmed without it, deletions included', async () => {
    const h = await partitioned({ inactiveAfter: '2s' })
    // b acknowledges a's changes; c, silent for longer than 2 s, no longer holds a's history back.
    await h.waitFor('a trims the history c has not seen', () => h.lines('a').some((l) => l.event === 'history-trimmed' && (l.through as number) > Object.keys(start).length))
    // b followed a's four changes (8 entries with the four originals) and trims them too: otherwise c
    // could learn of the deletion from b's live history first, and the listing's tombstones would have
    // nothing left to do.
    await h.waitFor('b trims the history c has not seen', () => h.lines('b').some((l) => l.event === 'history-trimmed' && (l.through as number) >= 2 * Object.keys(start).length))
    const before = h.lines('a').length
    await h.restore('c')
    await converged(h)
    const subs = h.lines('a').slice(before).filter((l) => l.event === 'history-subscribed' && l.peer === 'c')
    assert.ok(subs.some((l) => l.catchup === true), 'a gave c a full catch-up: the entries c missed are gone')
    assert.ok(h.lines('c').some((l) => l.event === 'history-catchup-removals'), 'c learnt of a-deletes.txt from the listing\'s tombstones, not from history')
  })
})
