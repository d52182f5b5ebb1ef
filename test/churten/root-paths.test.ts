import assert from 'node:assert/strict'
import { mkdir, readdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'

/**
 * Spec section 8: nothing is ever written outside an arena root. A symbolic
 * link in the root (which the watcher never follows) must not carry a
 * realize out of it — not the file, not its temporary file, not even one of
 * the directories on its way.
 */
describe('churten: nothing is written outside the root through a symlinked directory', function () {
  this.timeout(60_000)
  let c: Cluster
  let a: TestPeer
  let b: TestPeer
  let outside: string

  beforeEach(async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    a = c.get('a')
    b = c.get('b')
    outside = join(c.base, 'outside')
    await mkdir(outside)
    await symlink(outside, a.abs('escape'))
  })
  afterEach(async () => { await c.cleanup() })

  for (const [what, size] of [['a small file (direct)', 10], ['a file through a blob', 1024 * 1024 + 1]] as const) {
    it(`${what} under the link fails with PATH_OUTSIDE_ARENA and creates nothing outside`, async () => {
      await b.write('escape/newdir/deeper/f.bin', new Uint8Array(size).fill(7))
      const failed = await a.waitJob('escape/newdir/deeper/f.bin', 'failed')
      assert.deepEqual(await readdir(outside, { recursive: true }), [])
      assert.equal(failed.code, 'PATH_OUTSIDE_ARENA', failed.error)
      assert.match(failed.error ?? '', /escape is a symbolic link; nothing is written through it/)
      // A file beside the link still arrives.
      await b.write('newdir/g.txt', 'fine')
      await a.waitForReal('newdir/g.txt', 'fine')
    })
  }
})
