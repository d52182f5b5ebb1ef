import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ControlClient } from '../../node/control/api/client.js'
import { NodeProcess } from '../helpers/node-process.js'
import { processPlans, type ProcessPlan } from '../helpers/nodes.js'
import { mountFixture } from './fixture.js'
import { until } from '../helpers/wait.js'
import { q, sh } from './shell.js'

/**
 * The mount read-write (issue 12): programs change files through B's mount
 * (child processes, the real kernel client); the changes land in B's root,
 * are indexed and published, and A's root follows.
 */
describe('fs: writing through the mount (issue 12)', function () {
  this.timeout(240_000)
  const { tmp, procs, clients, mounts } = mountFixture('realize-fuse-rw-')

  /** Waits until `check` holds, trying again on every index change `plan`'s node reports. */
  /** Starts A, then B with its mount; `m` quotes a path inside the mount for the shell. */
  async function startPair (a: ProcessPlan, b: ProcessPlan): Promise<{ mnt: string, m: (p: string) => string }> {
    const mnt = join(tmp.dir, 'mnt')
    const pa = new NodeProcess(['--data', a.dataDir])
    procs.push(pa)
    await pa.waitForEvent('ready')
    const pb = new NodeProcess(['--data', b.dataDir, '--mount', mnt])
    procs.push(pb)
    mounts.push(mnt)
    await pb.waitForEvent('ready')
    return { mnt, m: (p) => q(join(mnt, p)) }
  }

  async function when (plan: ProcessPlan, check: () => Promise<boolean>, what: string): Promise<void> {
    const client = await ControlClient.connect(plan.dataDir)
    clients.push(client)
    const bus = new EventEmitter()
    await client.subscribe(['index'], () => { bus.emit('event') })
    // And every 250 ms, as TestPeer.waitFor does: a file a peer's job moves can change after the index event announcing it.
    const poll = setInterval(() => { bus.emit('event') }, 250)
    try {
      await until(bus, 'event', check, what, 60_000)
    } finally {
      clearInterval(poll)
    }
  }

  const exists = async (p: string): Promise<boolean> => (await sh(`test -e ${q(p)}`)).code === 0
  const content = async (p: string): Promise<string | undefined> => await readFile(p, 'utf8').catch(() => undefined)

  it('cp in and out, mkdir, echo >>, truncate, touch, mv and rm through B\'s mount reach A; what cannot apply fails with its errno', async () => {
    // A and B both own docs; on B it is marked watch, so A's files are remote there until written.
    const [a, b] = await processPlans(tmp.dir, [
      { name: 'a', arenas: [{ name: 'docs' }] },
      { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }, { name: 'notes' }] }
    ])
    const ra = a!.roots.docs!
    const rb = b!.roots.docs!
    await writeFile(join(ra, 'hello.txt'), 'hello from A\n')
    await writeFile(join(ra, 'remote.txt'), 'only on A\n')
    const { mnt, m } = await startPair(a!, b!)
    await when(b!, async () => await exists(join(mnt, 'docs/hello.txt')) && await exists(join(mnt, 'docs/remote.txt')), "A's files in B's mount")

    const local = join(tmp.dir, 'local.bin')
    const bytes = randomBytes(300_000)
    await writeFile(local, bytes)
    const steps = await sh([
      `mkdir ${m('docs/d')}`,
      `cp ${q(local)} ${m('docs/d/copy.bin')}`,
      `echo one > ${m('docs/new.txt')}`,
      `echo two >> ${m('docs/new.txt')}`,
      // A remote file written: made real on B first, then appended to.
      `echo 'more from B' >> ${m('docs/hello.txt')}`,
      `cp ${m('docs/d/copy.bin')} ${q(join(tmp.dir, 'out.bin'))}`,
      `printf 0123456789 > ${m('docs/t.txt')}`,
      `truncate -s 4 ${m('docs/t.txt')}`,
      `touch ${m('docs/touched.txt')}`,
      `mv ${m('docs/new.txt')} ${m('docs/d/moved.txt')}`,
      `mkdir ${m('docs/gone')} && rmdir ${m('docs/gone')}`
    ].join(' && '))
    assert.equal(steps.code, 0, steps.stderr)
    assert.deepEqual(await readFile(join(tmp.dir, 'out.bin')), bytes, 'cp out returns what cp in wrote')
    assert.equal((await sh(`cat ${m('docs/d/moved.txt')}`)).stdout, 'one\ntwo\n')
    // The listing shows the changes at once (new.txt may still show as A's copy until the move reaches A).
    const listed = (await sh(`ls ${m('docs')}`)).stdout.split('\n').filter((n) => n !== '' && n !== 'new.txt').join(' ')
    assert.equal(listed, 'd hello.txt remote.txt t.txt touched.txt')
    assert.equal(await exists(join(rb, 'new.txt')), false, 'moved away in B\'s root')
    // Writes went to B's root; the remote file written became real and own there.
    assert.equal(await content(join(rb, 'hello.txt')), 'hello from A\nmore from B\n')
    assert.equal((await sh(`getfattr --only-values -n user.realize.mark ${m('docs/hello.txt')}`)).stdout, 'own')
    assert.equal(await content(join(rb, 'remote.txt')), undefined, 'an unwritten remote file stays remote')

    // Published like any local change: A's root follows.
    await when(a!, async () =>
      await content(join(ra, 'd/moved.txt')) === 'one\ntwo\n' &&
      await content(join(ra, 't.txt')) === '0123' &&
      await exists(join(ra, 'touched.txt')) &&
      await exists(join(ra, 'd/copy.bin')) &&
      await content(join(ra, 'hello.txt')) === 'hello from A\nmore from B\n' &&
      !await exists(join(ra, 'new.txt')), "B's changes on A").catch(async (err) => {
      // What differs, for the failure message.
      const files = async (root: string): Promise<string> => (await sh(`cd ${q(root)} && find . -type f | sort | while read f; do echo "$f: $(head -c 40 "$f" | tr '\\n' '|')"; done`)).stdout
      throw new Error(`${(err as Error).message}\nA:\n${await files(ra)}B:\n${await files(rb)}`)
    })
    assert.deepEqual(await readFile(join(ra, 'd/copy.bin')), bytes)

    const rm = await sh(`rm ${m('docs/hello.txt')}`)
    assert.equal(rm.code, 0, rm.stderr)
    assert.equal(await exists(join(rb, 'hello.txt')), false, 'rm of a real file removes it from the root')

    // What cannot apply fails with the errno a program understands.
    const cross = await sh(`echo x > ${m('docs/x.txt')} && mv ${m('docs/x.txt')} ${m('notes/x.txt')}`)
    assert.equal(cross.code, 0, `mv across arenas copies then deletes (rename said EXDEV): ${cross.stderr}`)
    assert.equal(await content(join(b!.roots.notes!, 'x.txt')), 'x\n')
    assert.equal(await exists(join(rb, 'x.txt')), false)
    assert.match((await sh(`ln ${m('docs/touched.txt')} ${m('docs/hard')}`)).stderr, /Operation not permitted/)
    assert.match((await sh(`rmdir ${m('docs/d')}`)).stderr, /not empty/, 'd holds moved.txt (remote or real)')
    assert.match((await sh(`mkdir ${m('docs/d')}`)).stderr, /File exists/)
  })

  it('rm and mv of files only on peers through B\'s mount delete them household-wide', async () => {
    const [a, b] = await processPlans(tmp.dir, [
      { name: 'a', arenas: [{ name: 'docs' }] },
      { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }] }
    ])
    const ra = a!.roots.docs!
    await mkdir(join(ra, 'dir/sub'), { recursive: true })
    await writeFile(join(ra, 'gone.txt'), 'rm me\n')
    await writeFile(join(ra, 'f.txt'), 'rename me\n')
    await writeFile(join(ra, 'dir/x.txt'), 'x\n')
    await writeFile(join(ra, 'dir/sub/y.txt'), 'y\n')
    await writeFile(join(ra, 'kept.txt'), 'stays\n')
    const { mnt, m } = await startPair(a!, b!)
    await when(b!, async () => await exists(join(mnt, 'docs/dir/sub/y.txt')) && await exists(join(mnt, 'docs/kept.txt')), "A's files in B's mount")

    const rm = await sh(`rm ${m('docs/gone.txt')}`)
    assert.equal(rm.code, 0, `rm of a file only on A: ${rm.stderr}`)
    assert.equal(await exists(join(mnt, 'docs/gone.txt')), false, 'gone from B\'s mount at once, before A follows')
    // A directory only on peers: rename says EXDEV, so mv copies it (reading through the mount) and deletes the original.
    const mv = await sh(`mv ${m('docs/dir')} ${m('docs/moved')} && mv ${m('docs/f.txt')} ${m('docs/g.txt')}`)
    assert.equal(mv.code, 0, mv.stderr)
    // f.txt shows as A's copy until B's watcher indexed the rename (then B's own Remove hides it).
    const files = async (): Promise<string> => (await sh(`cd ${m('docs')} && find . -type f | sort`)).stdout
    await when(b!, async () => await files() === './g.txt\n./kept.txt\n./moved/sub/y.txt\n./moved/x.txt\n', "B's mount after rm and mv")

    // A follows: the deletions are household-wide, the copies arrive.
    await when(a!, async () =>
      !await exists(join(ra, 'gone.txt')) && !await exists(join(ra, 'f.txt')) && !await exists(join(ra, 'dir/x.txt')) && !await exists(join(ra, 'dir/sub/y.txt')) &&
      await content(join(ra, 'g.txt')) === 'rename me\n' && await content(join(ra, 'moved/x.txt')) === 'x\n' && await content(join(ra, 'moved/sub/y.txt')) === 'y\n', "B's deletions and copies on A").catch(async (err) => {
      throw new Error(`${(err as Error).message}; A's root: ${(await sh(`cd ${q(ra)} && find . -type f | sort | tr '\\n' ' '`)).stdout}`)
    })
    assert.equal(await content(join(ra, 'kept.txt')), 'stays\n')
    // And the deleted files do not come back to B's mount once A has followed.
    await when(b!, async () => !(await sh(`ls ${m('docs')}`)).stdout.split('\n').includes('dir'), "A's Remove of dir/ reaches B")
    assert.equal((await sh(`cd ${m('docs')} && find . -type f | sort`)).stdout, './g.txt\n./kept.txt\n./moved/sub/y.txt\n./moved/x.txt\n')
  })
})
