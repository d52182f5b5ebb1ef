import assert from 'node:assert/strict'
import { createElement } from 'react'
import { render } from 'ink-testing-library'
import { Header } from '../../tui/components/header.js'
import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeConfig } from '../../node/config/config.js'
import { ControlClient } from '../../node/control/api/client.js'
import { CLI, NodeProcess } from '../helpers/node-process.js'
import { processPlans, type ProcessPlan } from '../helpers/nodes.js'
import { mountFixture } from './fixture.js'
import { isMounted, pattern, q, sh } from './shell.js'
import { until } from '../helpers/wait.js'

/**
 * The FUSE mount (issue 12), read-only: real `realize-node` processes mount
 * their arenas, and child processes (never the node) use the mount through
 * the kernel as any program would: ls, stat, cat, dd, getfattr, setfattr.
 */

describe('fs: the arenas mounted with FUSE (issue 12, read-only)', function () {
  this.timeout(180_000)
  const { tmp, procs, clients, mounts } = mountFixture('realize-fuse-')

  function start (plan: ProcessPlan, mnt?: string): NodeProcess {
    const p = new NodeProcess(['--data', plan.dataDir, ...(mnt == null ? [] : ['--mount', mnt])])
    procs.push(p)
    if (mnt != null) mounts.push(mnt)
    return p
  }

  /** Waits until `cmd` succeeds in a child, trying again on every index change B reports. */
  async function whenVisible (plan: ProcessPlan, cmd: string, what: string): Promise<void> {
    const client = await ControlClient.connect(plan.dataDir)
    clients.push(client)
    const bus = new EventEmitter()
    await client.subscribe(['index'], () => { bus.emit('event') })
    await until(bus, 'event', async () => (await sh(cmd)).code === 0, what, 60_000)
  }

  async function twoNodes (o: { readTimeoutMs?: number } = {}): Promise<{ a: ProcessPlan, b: ProcessPlan, pa: NodeProcess, pb: NodeProcess, mnt: string, big: Buffer }> {
    // A owns docs; B has docs only as a cache (watch: nothing is fetched until read) and its own notes/work.
    const [a, b] = await processPlans(tmp.dir, [
      { name: 'a', arenas: [{ name: 'docs' }] },
      { name: 'b', arenas: [{ name: 'docs', root: false, mark: 'watch' }, { name: 'notes/work' }] }
    ])
    const big = pattern(3 * 1024 * 1024 + 123, 1)
    await writeFile(join(a!.roots.docs!, 'hello.txt'), 'hello from A\n')
    await mkdir(join(a!.roots.docs!, 'sub'))
    await writeFile(join(a!.roots.docs!, 'sub', 'big.bin'), big)
    await writeFile(join(a!.roots.docs!, 'sub', 'other.bin'), pattern(200_000, 2))
    await writeFile(join(b!.roots['notes/work']!, 'todo.txt'), 'buy milk\n')
    if (o.readTimeoutMs != null) {
      b!.config.fuse = { readTimeoutMs: o.readTimeoutMs }
      await writeConfig(b!.dataDir, b!.config)
    }
    const mnt = join(tmp.dir, 'mnt')
    const pa = start(a!)
    await pa.waitForEvent('ready')
    const pb = start(b!, mnt)
    await pb.waitForEvent('ready')
    await whenVisible(b!, `test -f ${q(join(mnt, 'docs/sub/other.bin'))} && test -f ${q(join(mnt, 'docs/sub/big.bin'))}`, "A's files in B's mount")
    return { a: a!, b: b!, pa, pb, mnt, big }
  }

  it("B's mount shows A's files and its own; ls, stat, cat, dd at offsets and getfattr read them through the kernel", async () => {
    const { b, pb, mnt, big } = await twoNodes()

    const ls = await sh(`ls -lR ${q(mnt)}`)
    assert.equal(ls.code, 0, ls.stderr)
    for (const name of ['docs:', 'notes:', 'work', 'hello.txt', 'big.bin', 'todo.txt']) assert.match(ls.stdout, new RegExp(name.replace('.', '\\.')), `ls -lR lists ${name}\n${ls.stdout}`)
    assert.deepEqual((await sh(`ls ${q(mnt)}`)).stdout.split('\n').filter(Boolean), ['docs', 'notes'], 'one directory per arena (notes/work nests)')

    // statfs: the blob cache's capacity in 4 KiB blocks (what `df` shows for the mount).
    const fsStat = await sh(`stat -f -c '%S %b' ${q(mnt)}`)
    assert.equal(fsStat.code, 0, fsStat.stderr)
    const [bsize, blocks] = fsStat.stdout.trim().split(' ').map(Number)
    assert.equal(bsize, 4096)
    assert.ok((blocks ?? 0) > 0, `blocks ${blocks}`)
    const st = await sh(`stat -c '%s %F %A' ${q(join(mnt, 'docs/sub/big.bin'))} ${q(join(mnt, 'docs/sub'))}`)
    assert.equal(st.code, 0, st.stderr)
    assert.deepEqual(st.stdout.trim().split('\n'), [`${big.length} regular file -r--r--r--`, '4096 directory dr-xr-xr-x'])

    const bigPath = join(mnt, 'docs/sub/big.bin')
    const before = await sh(`getfattr --only-values -n user.realize.status ${q(bigPath)}`)
    assert.equal(before.stdout, 'remote', 'not read yet: not cached on B')

    // 3 blocks of 4 KiB at block 300 (offset 1,228,800): exactly those bytes.
    const dd = await sh(`dd if=${q(bigPath)} bs=4096 skip=300 count=3 status=none`)
    assert.equal(dd.code, 0, dd.stderr)
    assert.ok(Buffer.from(dd.stdout, 'latin1').equals(big.subarray(300 * 4096, 303 * 4096)), 'dd with an offset returns the bytes at that offset')
    const tail = await sh(`dd if=${q(bigPath)} bs=1 skip=${big.length - 50} status=none`)
    assert.ok(Buffer.from(tail.stdout, 'latin1').equals(big.subarray(big.length - 50)), 'the last bytes, past the last full block')

    const whole = await sh(`sha256sum ${q(bigPath)}`)
    assert.equal(whole.stdout.split(' ')[0], createHash('sha256').update(big).digest('hex'))
    assert.equal((await sh(`cat ${q(join(mnt, 'docs/hello.txt'))}`)).stdout, 'hello from A\n')
    assert.equal((await sh(`cat ${q(join(mnt, 'notes/work/todo.txt'))}`)).stdout, 'buy milk\n', "B's own file, from its root")

    const attrs = await sh(`getfattr -d -m 'user.realize' ${q(bigPath)} ${q(join(mnt, 'notes/work/todo.txt'))}`)
    assert.equal(attrs.code, 0, attrs.stderr)
    assert.match(attrs.stdout, /docs\/sub\/big\.bin\nuser\.realize\.mark="watch"\nuser\.realize\.status="cached"\nuser\.realize\.version="[0-9a-f]{64}"/)
    assert.match(attrs.stdout, new RegExp(`user\\.realize\\.version="${createHash('sha256').update(big).digest('hex')}"`))
    assert.match(attrs.stdout, /todo\.txt\nuser\.realize\.mark="own"\nuser\.realize\.status="own"/)

    // Marks are set through the mount as with `realize-node mark` {#marksxattrs}.
    const hello = join(mnt, 'docs/hello.txt')
    assert.equal((await sh(`setfattr -n user.realize.mark -v keep ${q(hello)}`)).code, 0)
    assert.equal((await sh(`getfattr --only-values -n user.realize.mark ${q(hello)}`)).stdout, 'keep')
    const markGet = await sh(`${q(process.execPath)} ${q(CLI)} mark get docs:hello.txt --data ${q(b.dataDir)} --json`)
    assert.equal(JSON.parse(markGet.stdout).mark, 'keep', markGet.stderr)
    const invalid = await sh(`setfattr -n user.realize.mark -v sometimes ${q(hello)}`)
    assert.notEqual(invalid.code, 0)
    assert.match(invalid.stderr, /Invalid argument/)

    // Read-only: a change is refused with EROFS, not silently dropped.
    const touch = await sh(`touch ${q(join(mnt, 'docs/new.txt'))}`)
    assert.notEqual(touch.code, 0)
    assert.match(touch.stderr, /Read-only file system/)

    const status = await sh(`${q(process.execPath)} ${q(CLI)} status --json --data ${q(b.dataDir)}`)
    const info = JSON.parse(status.stdout)
    const mount = info.mount
    assert.equal(mount.path, mnt)
    assert.equal(mount.state, 'mounted')
    // So do `id` and the TUI's header, from the same status.
    const id = await sh(`${q(process.execPath)} ${q(CLI)} id --json --data ${q(b.dataDir)}`)
    assert.equal(JSON.parse(id.stdout).mount?.path, mnt)
    assert.ok((await sh(`${q(process.execPath)} ${q(CLI)} id --data ${q(b.dataDir)}`)).stdout.includes(`mounted at ${mnt}`))
    const header = render(createElement(Header, { status: info })).lastFrame() ?? ''
    assert.match(header, new RegExp(`mounted at ${mnt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))

    // SIGTERM: the node unmounts before it exits.
    pb.kill('SIGTERM')
    assert.equal((await pb.waitForExit()).code, 0)
    assert.equal(await isMounted(mnt), false, 'unmounted on SIGTERM')
    assert.deepEqual(await readdir(mnt), [])
  })

  it('a read no peer can serve fails with EIO after the read timeout, and other reads go on meanwhile', async () => {
    const { pa, pb, mnt } = await twoNodes({ readTimeoutMs: 2_000 })
    // A stays connected but answers nothing: the read must not hang.
    assert.ok(pa.pid != null)
    process.kill(pa.pid, 'SIGSTOP')
    const other = join(mnt, 'docs/sub/other.bin')
    const [stalled, listing] = await Promise.all([
      sh(`cat ${q(other)} > /dev/null`),
      sh(`ls -lR ${q(mnt)} && cat ${q(join(mnt, 'notes/work/todo.txt'))}`)
    ])
    assert.notEqual(stalled.code, 0)
    assert.match(stalled.stderr, /Input\/output error/)
    // read_timeout is 2 s in this test's config; the binding's own deadline would be 12 s.
    assert.ok(stalled.ms >= 1_500 && stalled.ms < 8_000, `EIO after about the read timeout, took ${stalled.ms} ms`)
    // The user learns which file failed and which peers have it (a warning is a notice: TUI, `subscribe notice`).
    const notice = pb.lines.find((l) => l.event === 'mount-read-failed')
    assert.equal(notice?.path, 'sub/other.bin')
    assert.equal(notice?.arena, 'docs')
    assert.equal(notice?.peers, 'a')
    assert.equal(listing.code, 0, listing.stderr)
    assert.ok(listing.ms < stalled.ms, `listing (${listing.ms} ms) did not wait for the stalled read (${stalled.ms} ms)`)
    process.kill(pa.pid, 'SIGCONT')
  })

  it('8 reads of different remote files are in the node at once, not queued behind each other', async () => {
    const { a, b, pa, mnt } = await twoNodes()
    const files = Array.from({ length: 8 }, (_, i) => ({ name: `par/${i}.bin`, bytes: pattern(1024 * 1024 + i, 10 + i) }))
    await mkdir(join(a.roots.docs!, 'par'))
    for (const f of files) await writeFile(join(a.roots.docs!, f.name), f.bytes)
    await whenVisible(b, files.map((f) => `test -f ${q(join(mnt, 'docs', f.name))}`).join(' && '), 'the 8 files in B\'s mount')
    // A answers nothing until every read is under way: a mount serving one request at a time would have only one in the node.
    assert.ok(pa.pid != null)
    process.kill(pa.pid, 'SIGSTOP')
    const reads = files.map(async (f) => await sh(`date +%s%N; sha256sum ${q(join(mnt, 'docs', f.name))}; date +%s%N`))
    const status = async (f: { name: string }): Promise<string> => (await sh(`getfattr --only-values -n user.realize.status ${q(join(mnt, 'docs', f.name))}`)).stdout
    // No event to await from outside the node: look until each file says its read is under way.
    for (let t0 = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const states = await Promise.all(files.map(status))
      if (states.every((st) => st.startsWith('downloading'))) break
      assert.ok(Date.now() - t0 < 20_000, `not all 8 reads in flight at once: ${states.join(', ')}`)
    }
    process.kill(pa.pid, 'SIGCONT')
    const done = await Promise.all(reads)
    const spans = done.map((r) => { const [start, , end] = r.stdout.trim().split('\n'); return { start: Number(start) / 1e6, end: Number(end) / 1e6 } })
    done.forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout.split('\n')[1]?.split(' ')[0], createHash('sha256').update(files[i]!.bytes).digest('hex'))
    })
    // And they overlapped: every read began before any ended.
    assert.ok(Math.max(...spans.map((s) => s.start)) < Math.min(...spans.map((s) => s.end)), JSON.stringify(spans))
  })

  it('a file deleted on A while B reads it: the read ends with the old bytes or an error, never other bytes', async () => {
    const { a, b, mnt, big } = await twoNodes({ readTimeoutMs: 3_000 })
    const f = join(mnt, 'docs/sub/big.bin')
    const started = join(tmp.dir, 'started')
    const go = join(tmp.dir, 'go')
    // The reader holds the file open: the first MiB, then (once A deleted it) the rest, all hashed together.
    const reader = sh(`exec 3< ${q(f)}; { dd bs=1M count=1 status=none <&3; touch ${q(started)}; while [ ! -e ${q(go)} ]; do sleep 0.05; done; cat <&3; } | sha256sum`, 60_000)
    for (let t0 = Date.now(); !await sh(`test -e ${q(started)}`).then((r) => r.code === 0); await new Promise((resolve) => setTimeout(resolve, 50))) {
      assert.ok(Date.now() - t0 < 30_000, 'the reader did not start')
    }
    await rm(join(a.roots.docs!, 'sub/big.bin'))
    await whenVisible(b, `! test -e ${q(f)}`, "A's deletion in B's mount")
    await writeFile(go, '')
    const r = await reader
    const sum = r.stdout.split(' ')[0]
    // An error, never other bytes: EIO (no peer has the version any more) or ENOENT (the kernel
    // looks the attributes up again before a read, and the name is gone): docs/decisions.md.
    const failed = /Input\/output error|No such file or directory/.test(r.stderr)
    assert.ok(failed || sum === createHash('sha256').update(big).digest('hex'), `neither the old bytes nor an error: ${r.stdout} ${r.stderr}`)
  })

  it('after kill -9 the next start clears the stale mount; a mount point in use or not empty is a clear error', async () => {
    const [n] = await processPlans(tmp.dir, [{ name: 'n', arenas: [{ name: 'docs' }] }])
    await writeFile(join(n!.roots.docs!, 'a.txt'), 'first\n')
    const mnt = join(tmp.dir, 'mnt')
    const p1 = start(n!, mnt)
    await p1.waitForEvent('ready')
    assert.equal((await sh(`cat ${q(join(mnt, 'docs/a.txt'))}`)).stdout, 'first\n')
    p1.kill('SIGKILL')
    await p1.waitForExit()
    const stale = await sh(`ls ${q(mnt)}`)
    assert.match(stale.stderr, /Transport endpoint is not connected/, 'kill -9 leaves the mount stale')

    const p2 = start(n!, mnt)
    await p2.waitForEvent('ready')
    assert.ok(p2.lines.some((l) => l.event === 'stale-mount-cleared'))
    assert.equal((await sh(`cat ${q(join(mnt, 'docs/a.txt'))}`)).stdout, 'first\n')

    // Mounted already (by p2): a second node asked to mount there refuses, naming the problem.
    const [m] = await processPlans(join(tmp.dir, 'second'), [{ name: 'm', arenas: [{ name: 'docs' }] }])
    const busy = start(m!, mnt)
    const exit = await busy.waitForExit()
    assert.equal(exit.code, 1)
    assert.match(busy.stderr.join('\n'), /something is mounted there already \(fuse\.realize realize\)/)
    assert.equal((await sh(`cat ${q(join(mnt, 'docs/a.txt'))}`)).stdout, 'first\n', "the first node's mount is untouched")

    const full = join(tmp.dir, 'full')
    await mkdir(full)
    await writeFile(join(full, 'precious.txt'), 'mine')
    const refused = start(m!, full)
    assert.equal((await refused.waitForExit()).code, 1)
    assert.match(refused.stderr.join('\n'), /the directory is not empty/)
  })
})
