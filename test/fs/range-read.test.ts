import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { open, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ControlClient } from '../../node/control/api/client.js'
import { CLI, NodeProcess } from '../helpers/node-process.js'
import { processPlans, type ProcessPlan } from '../helpers/nodes.js'
import { mountFixture } from './fixture.js'
import { until } from '../helpers/wait.js'
import { q, sh } from './shell.js'

/**
 * Range reads (issue 12): a remote file read through the mount or with
 * `realize-node cat` fetches only the chunks read (node/blobs/range-read.ts),
 * is verified once complete, and shares its chunks with a churten download
 * of the same blob. What was fetched is read from B's blob (the cached
 * bytes `ls --json` reports) and from B's connection to A (bytes in).
 */
const MiB = 1024 * 1024

describe('fs: remote files read by range (issue 12)', function () {
  this.timeout(300_000)
  const { tmp, procs, clients, mounts } = mountFixture('realize-range-')

  /** A owns docs with `files`; B has docs as a watch cache and mounts it. */
  async function twoNodes (files: Record<string, Buffer>, bLimits: { churtenDownload?: number } = {}): Promise<{ a: ProcessPlan, b: ProcessPlan, pb: NodeProcess, mnt: string }> {
    const [a, b] = await processPlans(tmp.dir, [
      { name: 'a', arenas: [{ name: 'docs' }] },
      { name: 'b', arenas: [{ name: 'docs', root: false, mark: 'watch' }], limits: bLimits }
    ])
    for (const [name, data] of Object.entries(files)) await writeFile(join(a!.roots.docs!, name), data)
    const mnt = join(tmp.dir, 'mnt')
    const pa = new NodeProcess(['--data', a!.dataDir])
    procs.push(pa)
    await pa.waitForEvent('ready')
    const pb = new NodeProcess(['--data', b!.dataDir, '--mount', mnt], { env: { REALIZE_LOG: 'debug' } })
    procs.push(pb)
    mounts.push(mnt)
    await pb.waitForEvent('ready')
    const client = await ControlClient.connect(b!.dataDir)
    clients.push(client)
    const bus = new EventEmitter()
    await client.subscribe(['index'], () => { bus.emit('event') })
    const all = Object.keys(files).map((n) => `test -f ${q(join(mnt, 'docs', n))}`).join(' && ')
    await until(bus, 'event', async () => (await sh(all)).code === 0, "A's files in B's mount", 60_000)
    return { a: a!, b: b!, pb, mnt }
  }

  async function cli (plan: ProcessPlan, args: string): Promise<{ code: number, stdout: string, stderr: string }> {
    return await sh(`${q(process.execPath)} ${q(CLI)} ${args} --data ${q(plan.dataDir)}`)
  }

  /**
   * Bytes of a remote file's version B's cache holds (the mount's st_blocks
   * count exactly those, in 512-byte units) and whether they are verified.
   */
  async function cached (path: string): Promise<{ cachedBytes: number, complete: boolean }> {
    const st = await sh(`stat -c %b ${q(path)}`)
    assert.equal(st.code, 0, st.stderr)
    const status = await sh(`getfattr --only-values -n user.realize.status ${q(path)}`)
    return { cachedBytes: Number(st.stdout.trim()) * 512, complete: status.stdout === 'cached' }
  }

  /** Bytes B received from A on their connection so far. */
  async function received (b: ProcessPlan): Promise<number> {
    const r = await cli(b, 'peers --json')
    assert.equal(r.code, 0, r.stderr)
    const peers = JSON.parse(r.stdout) as Array<{ name: string, bytesIn: number }>
    return peers.find((p) => p.name === 'a')?.bytesIn ?? 0
  }

  it('the first bytes of a large remote file arrive without the rest; dd at an offset fetches that part only; read whole, it verifies', async () => {
    const big = randomBytes(64 * MiB)
    const { b, mnt } = await twoNodes({ 'big.bin': big })
    const path = join(mnt, 'docs/big.bin')
    const before = await received(b)

    const head = await sh(`dd if=${q(path)} bs=4096 count=1 status=none`)
    assert.equal(head.code, 0, head.stderr)
    assert.ok(Buffer.from(head.stdout, 'latin1').equals(big.subarray(0, 4096)), 'the first 4 KiB')
    const first = await cached(path)
    assert.ok(first.cachedBytes > 0 && first.cachedBytes <= 8 * MiB, `the first read fetched its chunk and some read-ahead, not the file: ${first.cachedBytes} bytes cached`)
    assert.equal(first.complete, false)

    // 12 KiB at 40 MiB: the chunk there, nothing between.
    const at = await sh(`dd if=${q(path)} bs=4096 skip=${40 * 256} count=3 status=none`)
    assert.ok(Buffer.from(at.stdout, 'latin1').equals(big.subarray(40 * MiB, 40 * MiB + 12288)), 'dd at 40 MiB returns the bytes there')
    const second = await cached(path)
    // Around it: the chunk and what the kernel's read-ahead (raised to 4 MiB on the mount, node/fs/mount.ts) asks after it.
    assert.ok(second.cachedBytes - first.cachedBytes <= 5 * MiB, `a read at an offset fetched only around it: ${first.cachedBytes} -> ${second.cachedBytes}`)
    assert.ok(await received(b) - before < 16 * MiB, 'the connection carried chunks, not the file')

    const whole = await sh(`sha256sum ${q(path)}`)
    assert.equal(whole.stdout.split(' ')[0], createHash('sha256').update(big).digest('hex'))
    assert.deepEqual(await cached(path), { cachedBytes: big.length, complete: true })
    assert.ok(await received(b) - before < big.length * 1.1, 'every byte fetched once')
  })

  it('cat of a remote file fetches only what the cache lacks and verifies it: a corrupted cached chunk fails the cat (exit 1), is dropped, and the next cat is right', async () => {
    const data = randomBytes(6 * MiB + 17)
    const { b, mnt } = await twoNodes({ 'file.bin': data })
    const file = join(mnt, 'docs/file.bin')
    // The mount reads the first chunk into B's cache (a partial blob).
    assert.equal((await sh(`dd if=${q(file)} bs=4096 skip=1 count=1 status=none > /dev/null`)).code, 0)
    assert.ok((await cached(file)).cachedBytes < data.length)
    // A disk fault: one byte of the cached chunk changes behind the node's back.
    const dir = join(b.dataDir, 'blobs', 'docs')
    const [blob] = await readdir(dir)
    const fh = await open(join(dir, blob!), 'r+')
    await fh.write(Buffer.from([data[100]! ^ 0xff]), 0, 1, 100)
    await fh.close()

    // `cat` streams as it reads (issue 16): the bad byte goes out, and the
    // hash at the end says so with exit 1; the blob's bytes are dropped.
    const out = join(tmp.dir, 'out.bin')
    const cat = await cli(b, `cat docs:file.bin > ${q(out)}`)
    assert.equal(cat.code, 1)
    assert.match(cat.stderr, /docs:file\.bin: the bytes streamed from \S+ hash to [0-9a-f]{12}, expected/)
    const again = await cli(b, `cat docs:file.bin > ${q(out)}`)
    assert.equal(again.code, 0, again.stderr)
    assert.equal((await stat(out)).size, data.length)
    assert.equal((await sh(`sha256sum ${q(out)}`)).stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'), 'the next cat fetched the file again')
    assert.deepEqual(await cached(file), { cachedBytes: Math.ceil(data.length / 512) * 512, complete: true })
  })

  it('a keep download and a reader of the same file share its chunks: nothing is fetched twice', async () => {
    const size = 48 * MiB
    const data = randomBytes(size)
    // B's churten downloads at 8 MiB/s (reads through the mount are not throttled): it is still at the start when the reader reads the end.
    const { b, pb, mnt } = await twoNodes({ 'big.bin': data }, { churtenDownload: 8 * MiB })
    const path = join(mnt, 'docs/big.bin')
    const before = await received(b)
    assert.equal((await sh(`setfattr -n user.realize.mark -v keep ${q(path)}`)).code, 0)
    await pb.waitForEvent('download-checkpoint', 60_000)
    const tail = await sh(`dd if=${q(path)} bs=1M skip=40 count=8 status=none | sha256sum`)
    assert.equal(tail.stdout.split(' ')[0], createHash('sha256').update(data.subarray(40 * MiB)).digest('hex'), 'the reader gets the end of the file')
    const ended = await until(pb, 'log', () => pb.lines.find((l) => l.event === 'job-ended' && l.path === 'big.bin'), 'the keep download ended', 120_000)
    assert.equal(ended.result, 'done', String(ended.error))
    assert.ok(Number(ended.fetched) <= size - 8 * MiB, `the download skipped the chunks the reader fetched: it fetched ${String(ended.fetched)} of ${size}`)
    const total = await received(b) - before
    assert.ok(total < size * 1.1, `${total} bytes received for a ${size}-byte file: no chunk twice`)
    assert.equal((await sh(`sha256sum ${q(path)}`)).stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'))
    assert.deepEqual(await cached(path), { cachedBytes: size, complete: true })
  })
})
