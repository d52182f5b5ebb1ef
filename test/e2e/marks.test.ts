import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { household, lsFile, readOr, tree, userEntries, type LsEntry } from './helpers.js'
import type { Household } from '../../scripts/harness/household.js'

/** `ls shared:` by name; each name must be listed once. */
async function ls (h: Household, host: string): Promise<Record<string, LsEntry>> {
  const list = await h.cliJson<LsEntry[]>(host, 'ls', 'shared:')
  const byName = Object.fromEntries(list.map((e) => [e.name, e]))
  assert.equal(Object.keys(byName).length, list.length, `${host}: ls lists each name once: ${list.map((e) => e.name).join(', ')}`)
  return byName
}

/**
 * Spec section 1 (what the marks mean), one arena on three hosts marked
 * differently: a `own` (every file real), b `keep` (every file complete in
 * the cache, none real), c `watch` (nothing real; content fetched on demand).
 * Each host starts with a file of its own.
 */
describe('e2e: mixed marks on one arena', function () {
  this.timeout(180_000)
  const e2e = household()

  it('own realizes everything, keep caches everything and unrealizes, watch unrealizes and reads on demand', async () => {
    const h = await e2e.create({
      hosts: [
        { name: 'a', arenas: [{ name: 'shared', mark: 'own' }] },
        { name: 'b', arenas: [{ name: 'shared', mark: 'keep' }] },
        { name: 'c', arenas: [{ name: 'shared', mark: 'watch' }] }
      ]
    })
    const files = { 'from-a.txt': 'written on a', 'from-b.txt': 'written on b', 'from-c.txt': 'written on c' }
    await writeFile(join(h.root('a'), 'from-a.txt'), files['from-a.txt'])
    await writeFile(join(h.root('b'), 'from-b.txt'), files['from-b.txt'])
    await writeFile(join(h.root('c'), 'from-c.txt'), files['from-c.txt'])
    await h.start()

    // own: every file real on a.
    await h.waitFor('a (own) has every file real', async () => JSON.stringify(await tree(h.root('a'))) === JSON.stringify(files))
    // keep: b's own file goes to its cache once a has it; the others are downloaded there.
    await h.waitFor('b (keep) has every file cached complete and none real', async () => {
      const l = await ls(h, 'b')
      return (await userEntries(h.root('b'))).length === 0 && Object.keys(files).every((f) => l[f]?.location === 'cached')
    })
    // watch: c's own file is unrealized into the cache; nothing else is fetched.
    await h.waitFor('c (watch) has nothing real', async () => (await userEntries(h.root('c'))).length === 0)
    const c = await ls(h, 'c')
    assert.equal(c['from-c.txt']?.location, 'cached', 'c\'s unrealized file stays available offline in its cache')
    assert.equal(c['from-a.txt']?.location, 'remote', 'watch fetches nothing by itself')
    assert.equal(c['from-b.txt']?.location, 'remote')
    for (const [name, e] of Object.entries(c)) assert.equal(e.mark, 'watch', `${name} inherits the arena's mark`)

    // watch reads on demand through a peer, and the read fills the cache.
    const cat = await h.cli('c', 'cat', 'shared:from-b.txt')
    assert.equal(cat.code, 0, cat.stderr)
    assert.equal(cat.stdout, files['from-b.txt'])
    const after = await lsFile(h, 'c', 'shared:from-b.txt')
    assert.ok(after?.location === 'cached' || after?.location === 'partial', `an on-demand read is cached (${after?.location})`)
    assert.equal(await readOr(join(h.root('c'), 'from-b.txt')), undefined, 'and still not realized')

    // A change on a reaches each host as its mark asks: real on a, re-cached on b, known on c.
    await writeFile(join(h.root('a'), 'from-b.txt'), 'b\'s file, edited on a')
    await h.waitFor('b caches the new version of from-b.txt', async () => {
      const e = (await ls(h, 'b'))['from-b.txt']
      return e?.location === 'cached' && e.size === 'b\'s file, edited on a'.length
    })
    await h.waitFor('c knows the new version of from-b.txt', async () => (await ls(h, 'c'))['from-b.txt']?.size === 'b\'s file, edited on a'.length)
    assert.equal((await h.cli('c', 'cat', 'shared:from-b.txt')).stdout, 'b\'s file, edited on a')
    assert.equal((await userEntries(h.root('b'))).length + (await userEntries(h.root('c'))).length, 0, 'b and c still hold nothing real')
  })
})
