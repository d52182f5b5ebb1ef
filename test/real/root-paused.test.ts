import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { ROOT_MARKER } from '../../node/real/root-check.js'
import { CLI, NodeProcess, type LogLine } from '../helpers/node-process.js'
import { processPlans, type ProcessPlan } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import type { ArenaInfo, StatusInfo } from '../../node/control/api/model.js'

const exec = promisify(execFile)

/**
 * Spec section 4, issue 11 path 1: a root that disappears is not a
 * deletion. Real `realize-node` processes: A owns `docs` with FILES, B
 * realizes them; then A's root goes away (moved, unmounted, emptied) and
 * B must keep every file, while A's other arena (`notes`) keeps syncing.
 * Settling is awaited on events: a sentinel file written into A's `notes`
 * after A paused reaches B, then B's churten has no job left.
 */
const FILES: Record<string, string> = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [i % 3 === 0 ? `album/p${i}.txt` : `f${i}.txt`, `content of file ${i} `.repeat(i + 1)]))

async function cli (plan: ProcessPlan, ...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args, '--data', plan.dataDir])
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

async function status (plan: ProcessPlan): Promise<StatusInfo> {
  const r = await cli(plan, 'status', '--json')
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as StatusInfo
}

async function arenaInfo (plan: ProcessPlan, name: string): Promise<ArenaInfo> {
  return (await status(plan)).arenas.find((a) => a.name === name) as ArenaInfo
}

/** Every file under `root` but the node's own, as path -> content. */
async function files (root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!e.isFile() || e.name.startsWith('.realize-')) continue
    const abs = join(e.parentPath, e.name)
    out[relative(root, abs)] = await readFile(abs, 'utf8')
  }
  return Object.fromEntries(Object.entries(out).sort())
}

const sorted = (o: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(o).sort())

async function waitLine (n: NodeProcess, check: (l: LogLine) => boolean, what: string, ms = 60_000, from = 0): Promise<LogLine> {
  return await until(n, 'log', () => n.lines.slice(from).find(check), what, ms)
}

const ended = (arena: string, path: string, job?: string) => (l: LogLine): boolean =>
  l.event === 'job-ended' && l.result === 'done' && l.arena === arena && l.path === path && (job == null || l.job === job)

describe('a root that disappears is not a deletion (spec section 4, issue 11)', function () {
  this.timeout(180_000)
  let tmp: { dir: string, cleanup: () => Promise<void> }
  let a: ProcessPlan
  let b: ProcessPlan
  let sentinels = 0
  const procs: NodeProcess[] = []
  const mounts: string[] = []

  beforeEach(async () => {
    tmp = await tempDir('realize-root-paused-')
    const arenas = [{ name: 'docs' }, { name: 'notes' }]
    ;[a, b] = await processPlans(tmp.dir, [{ name: 'a', arenas }, { name: 'b', arenas }]) as [ProcessPlan, ProcessPlan]
  })

  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.exitCode !== undefined) continue
      p.kill('SIGKILL')
      await p.waitForExit()
    }
    for (const m of mounts.splice(0).reverse()) await exec('umount', [m]).catch(() => {})
    await tmp.cleanup()
  })

  function start (plan: ProcessPlan): NodeProcess {
    // debug: each job's own job-ended line, which these tests wait on (info sums them up).
    const p = new NodeProcess(['--data', plan.dataDir], { env: { REALIZE_LOG: 'debug' } })
    procs.push(p)
    return p
  }

  async function stop (p: NodeProcess): Promise<void> {
    p.kill('SIGTERM')
    assert.equal((await p.waitForExit()).code, 0)
  }

  /** A writes FILES into its docs root (already there, or now), both run, B realizes every file. */
  async function synced (writeFiles = true): Promise<{ pa: NodeProcess, pb: NodeProcess }> {
    if (writeFiles) {
      for (const [p, c] of Object.entries(FILES)) {
        await mkdir(join(a.roots.docs!, p, '..'), { recursive: true })
        await writeFile(join(a.roots.docs!, p), c)
      }
    }
    const pa = start(a)
    await pa.waitForEvent('ready')
    const pb = start(b)
    for (const p of Object.keys(FILES)) await waitLine(pb, ended('docs', p), `b realized ${p}`)
    assert.deepEqual(await files(b.roots.docs!), sorted(FILES))
    return { pa, pb }
  }

  /**
   * A and B have settled: a file written into A's other arena now reaches B
   * (so A runs, is connected and publishing), and then B has no job left.
   * Had A published removes of docs at its start, B would have acted on them.
   */
  async function settled (pa: NodeProcess, pb: NodeProcess): Promise<void> {
    const name = `sentinel-${sentinels++}.txt`
    await writeFile(join(a.roots.notes!, name), `written after A's docs root went (${name})`)
    await waitLine(pb, ended('notes', name), `b realized notes:${name}`)
    await until(pb, 'log', async () => (await status(b)).churten.jobs === 0, 'b has no job left')
    assert.equal(pa.exitCode, undefined, 'a keeps running')
  }

  async function paused (pa: NodeProcess, code: string, from = 0): Promise<ArenaInfo> {
    const line = await waitLine(pa, (l) => l.event === 'arena-paused' && l.arena === 'docs', 'a paused docs', 60_000, from)
    assert.equal(line.code, code, line.msg)
    assert.equal(line.level, 50, 'logged as an error, so it is a notice too')
    const info = await arenaInfo(a, 'docs')
    assert.equal(info.state, 'paused')
    assert.equal(info.error?.code, code)
    assert.equal((await arenaInfo(a, 'notes')).state, 'active', 'the other arena runs')
    return info
  }

  it('moved away while A was stopped: A pauses docs instead of re-creating it, B keeps every file; moved back, A resumes by itself', async () => {
    const { pa, pb } = await synced()
    await stop(pa)
    await rename(a.roots.docs!, `${a.roots.docs!}.away`)
    const pa2 = start(a)
    await pa2.waitForEvent('ready')
    await settled(pa2, pb)
    assert.deepEqual(await files(b.roots.docs!), sorted(FILES), 'B deleted none of its copies')

    const info = await paused(pa2, 'ROOT_MISSING')
    assert.match(info.error?.message ?? '', new RegExp(`^arena "docs" paused: its root ${a.roots.docs!} does not exist$`))
    assert.match(info.error?.hint ?? '', /Move the folder back or mount its disk and the arena resumes by itself/)
    assert.equal(await stat(a.roots.docs!).catch(() => undefined), undefined, 'the root was not made again')
    const text = await cli(a, 'status')
    assert.match(text.stdout, /docs\s+own\s+paused\s/)
    assert.ok(text.stdout.includes(`arena "docs" paused: its root ${a.roots.docs!} does not exist\n  Move the folder back`), text.stdout)

    const from = pa2.lines.length
    await rename(`${a.roots.docs!}.away`, a.roots.docs!)
    await waitLine(pa2, (l) => l.event === 'arena-resumed' && l.arena === 'docs', 'a resumed docs', 30_000, from)
    await waitLine(pa2, (l) => l.event === 'caught-up' && l.arena === 'docs', 'a caught up with docs', 30_000, from)
    assert.equal((await arenaInfo(a, 'docs')).state, 'active')
    assert.equal((await arenaInfo(a, 'docs')).error, null)
    await settled(pa2, pb)
    assert.deepEqual(await files(a.roots.docs!), sorted(FILES), 'nothing lost on A')
    assert.deepEqual(await files(b.roots.docs!), sorted(FILES), 'nothing lost on B')
  })

  it('a disk unmounted while A runs (the root an empty folder on another file system): A pauses, B keeps every file; mounted again, A resumes', async () => {
    // The "disk": a tmpfs with the files, mounted on A's root (through a bind mount, so it can come back with its content).
    const disk = join(tmp.dir, 'disk')
    await mkdir(disk)
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', disk])
    mounts.push(disk)
    await exec('mount', ['--bind', disk, a.roots.docs!])
    mounts.push(a.roots.docs!)
    const { pa, pb } = await synced()

    const from = pa.lines.length
    await exec('umount', [a.roots.docs!])
    mounts.pop()
    // Paused on the next check of the root (every 2 s) or on the watcher's events.
    await waitLine(pa, (l) => l.event === 'arena-paused' || (l.event === 'job-ended' && l.arena === 'docs'), 'a paused docs (or acted on it)', 60_000, from)
    await settled(pa, pb)
    assert.deepEqual(await files(b.roots.docs!), sorted(FILES), 'B deleted none of its copies')
    await paused(pa, 'ROOT_MARKER_MISSING', from)
    assert.deepEqual(await readdir(a.roots.docs!), [], 'nothing was written into the mount point')

    const back = pa.lines.length
    await exec('mount', ['--bind', disk, a.roots.docs!])
    mounts.push(a.roots.docs!)
    await waitLine(pa, (l) => l.event === 'arena-resumed' && l.arena === 'docs', 'a resumed docs', 30_000, back)
    await waitLine(pa, (l) => l.event === 'caught-up' && l.arena === 'docs', 'a caught up with docs', 30_000, back)
    await settled(pa, pb)
    assert.deepEqual(await files(a.roots.docs!), sorted(FILES))
    assert.deepEqual(await files(b.roots.docs!), sorted(FILES))
  })

  it('emptied while A was stopped: paused until the user confirms with `arena resume`, then the deletions reach B', async () => {
    const { pa, pb } = await synced()
    await stop(pa)
    for (const name of await readdir(a.roots.docs!)) if (name !== ROOT_MARKER) await rm(join(a.roots.docs!, name), { recursive: true })
    const pa2 = start(a)
    await pa2.waitForEvent('ready')
    await settled(pa2, pb)
    assert.deepEqual(await files(b.roots.docs!), sorted(FILES), 'B deleted none of its copies')
    const info = await paused(pa2, 'ROOT_EMPTY')
    assert.match(info.error?.hint ?? '', /run `realize-node arena resume docs`: the deletions are then published/)

    const notPaused = await cli(a, 'arena', 'resume', 'notes')
    assert.deepEqual([notPaused.code, notPaused.stdout], [0, 'arena notes is not paused\n'])
    const unknown = await cli(a, 'arena', 'resume', 'nope')
    assert.equal(unknown.code, 2, unknown.stderr)

    const r = await cli(a, 'arena', 'resume', 'docs', '--json')
    assert.equal(r.code, 0, r.stderr)
    const resumed = JSON.parse(r.stdout) as { resumed: boolean, arena: ArenaInfo }
    assert.equal(resumed.resumed, true)
    assert.equal(resumed.arena.state, 'active')
    for (const p of Object.keys(FILES)) await waitLine(pb, ended('docs', p, 'delete'), `b deleted ${p}`)
    assert.deepEqual(await files(b.roots.docs!), {}, 'the confirmed deletions reached B')
  })

  it('an unreadable root pauses that arena with its name and a hint; the node and its other arena run; readable again, it resumes', async () => {
    // Root reads a mode-000 directory anyway: A runs as nobody, owning its files but for docs' permission.
    await writeFile(join(a.roots.docs!, 'locked.txt'), 'behind a closed door')
    await writeFile(join(a.roots.notes!, 'open.txt'), 'anyone may read this')
    await exec('chmod', ['755', tmp.dir])
    await exec('chown', ['-R', '65534:65534', join(tmp.dir, 'a')])
    await exec('chmod', ['000', a.roots.docs!])
    const pa = new NodeProcess(['--data', a.dataDir], { uid: 65534, env: { HOME: join(tmp.dir, 'a'), REALIZE_LOG: 'debug' } })
    procs.push(pa)
    await pa.waitForEvent('ready')
    const info = await paused(pa, 'ROOT_UNREADABLE')
    assert.match(info.error?.message ?? '', /^arena "docs" paused: its root .*docs cannot be read: EACCES/)
    assert.match(info.error?.hint ?? '', /Give the user running the node \(uid 65534\) read and search permission on it/)
    assert.ok(pa.lines.some((l) => l.event === 'caught-up' && l.arena === 'notes' && l.files === 1), 'notes was indexed')

    const from = pa.lines.length
    await exec('chmod', ['700', a.roots.docs!])
    await waitLine(pa, (l) => l.event === 'arena-resumed' && l.arena === 'docs', 'a resumed docs', 30_000, from)
    const caught = await waitLine(pa, (l) => l.event === 'caught-up' && l.arena === 'docs', 'a caught up with docs', 30_000, from)
    assert.equal(caught.files, 1)
    assert.equal((await arenaInfo(a, 'docs')).state, 'active')
  })

  it('`arena resume` on a root that is still missing fails with the reason (exit 1)', async () => {
    const { pa } = await synced()
    await stop(pa)
    await rename(a.roots.docs!, `${a.roots.docs!}.away`)
    const pa2 = start(a)
    await pa2.waitForEvent('ready')
    await paused(pa2, 'ROOT_MISSING')
    const r = await cli(a, 'arena', 'resume', 'docs')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^error: arena "docs" paused: its root .* does not exist\n$/)
  })
})
