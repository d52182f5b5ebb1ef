import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { household, readOr, sameTree, tree } from './helpers.js'
import type { HostPlan } from '../../scripts/harness/household.js'

/**
 * {#multi-peer} A new peer subscribes with no progress and gets a full
 * catch-up from each peer it meets: the listing of their real files, not
 * their (already trimmed) history. The household learns of it through
 * `realize-node peer add` on each running node.
 */
describe('e2e: a fourth host joins an existing household {#multi-peer}', function () {
  this.timeout(180_000)
  const e2e = household()

  it('catches up on every arena from the others and is followed by them at once', async () => {
    const arenas: HostPlan['arenas'] = [{ name: 'docs', mark: 'own' }, { name: 'photos', mark: 'own' }]
    const h = await e2e.create({ hosts: [{ name: 'a', arenas }, { name: 'b', arenas }, { name: 'c', arenas }] })
    await mkdir(join(h.root('a', 'docs'), 'letters'), { recursive: true })
    await writeFile(join(h.root('a', 'docs'), 'letters/2024.txt'), 'dear d')
    await writeFile(join(h.root('b', 'docs'), 'todo.txt'), 'buy milk')
    await writeFile(join(h.root('c', 'photos'), 'cat.jpg'), 'not really a jpeg')
    await h.start()
    const want = {
      docs: { 'letters/2024.txt': 'dear d', 'todo.txt': 'buy milk' },
      photos: { 'cat.jpg': 'not really a jpeg' }
    }
    for (const n of ['a', 'b', 'c']) {
      await h.waitFor(`${n} has both arenas complete`, async () => sameTree(await tree(h.root(n, 'docs')), want.docs) && sameTree(await tree(h.root(n, 'photos')), want.photos))
    }
    // The household has acknowledged and trimmed what it published: a newcomer cannot be given history.
    await h.waitFor('a\'s docs history trimmed', () => h.lines('a').some((l) => l.event === 'history-trimmed' && l.arena === 'docs'))

    await h.addHost({ name: 'd', arenas })
    await h.start('d')
    await h.waitFor('d has both arenas complete', async () => sameTree(await tree(h.root('d', 'docs')), want.docs) && sameTree(await tree(h.root('d', 'photos')), want.photos))
    for (const n of ['a', 'b', 'c']) {
      const subs = h.lines(n).filter((l) => l.event === 'history-subscribed' && l.peer === 'd')
      assert.ok(subs.length >= 2, `d subscribed to both of ${n}'s arenas`)
      assert.ok(subs.every((l) => l.catchup === true && l.lastSeen === 0), `${n} gave d full catch-ups`)
    }

    // The others follow d without a restart.
    await writeFile(join(h.root('d', 'photos'), 'dog.jpg'), 'from the newcomer')
    for (const n of ['a', 'b', 'c']) {
      await h.waitFor(`${n} has d's new photo`, async () => await readOr(join(h.root(n, 'photos'), 'dog.jpg')) === 'from the newcomer')
    }
  })
})
