/**
 * Side by side with Syncthing and rsync (issue 8, spec section 9): one
 * command sets up and measures Realize, Syncthing, rsync over ssh and the
 * reference ceilings (raw libp2p stream, cp, in-memory SHA-256) on the same
 * data on this machine, and writes the table into docs/BENCHMARKS.md.
 *
 *   npm run bench -- [--runs 3] [--size 1G] [--files 10000] [--file-size 4K]
 *                    [--limit 64M] [--catchup-files 100000]
 *                    [--tools realize,rsync,syncthing]
 *                    [--workloads large,delta,small,limit,catchup]
 *                    [--dir /tmp] [--doc docs/BENCHMARKS.md] [--no-doc] [--profile DIR]
 *
 * All tools run at once and the rounds are interleaved (round r: the
 * references, then each tool's large file, delta and small files), so load
 * from others on a shared machine falls on every tool alike. Every child
 * process is stopped and the temp directory removed on exit, failure or
 * Ctrl-C. A tool that fails is reported as such; the others go on.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { exec, GiB, humanSize, killAll, log, median, MiB, onCleanup, parseSize, writeRandom, type Measure, type Wire } from './bench/common.js'
import { ensureInstalled } from './bench/install.js'
import { RealizePair } from './bench/realize.js'
import { cpSeconds, sha256Seconds, startRaw } from './bench/references.js'
import { renderReport, type Report } from './bench/report.js'
import { RsyncSsh } from './bench/rsync-ssh.js'
import { SyncthingPair } from './bench/syncthing.js'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    size: { type: 'string', default: '1G' },
    files: { type: 'string', default: '10000' },
    'file-size': { type: 'string', default: '4K' },
    limit: { type: 'string', default: '64M' },
    'catchup-files': { type: 'string', default: '100000' },
    tools: { type: 'string', default: 'realize,rsync,syncthing' },
    workloads: { type: 'string', default: 'large,delta,small,limit,catchup' },
    dir: { type: 'string', default: tmpdir() },
    doc: { type: 'string', default: join(REPO, 'docs', 'BENCHMARKS.md') },
    'no-doc': { type: 'boolean', default: false },
    profile: { type: 'string' }
  }
})
const runs = Number(values.runs)
const size = parseSize(values.size)
const files = Number(values.files)
const fileSize = parseSize(values['file-size'])
const limit = parseSize(values.limit)
const tools = values.tools.split(',').filter((t) => t !== '')
const workloads = new Set(values.workloads.split(','))
const want = (t: string): boolean => tools.includes(t)

process.on('SIGINT', () => { log('interrupted: stopping everything'); void killAll().then(() => process.exit(130)) })
process.on('SIGTERM', () => { void killAll().then(() => process.exit(143)) })

/** Runs `fn`, recording seconds (and bytes) into `into`; a failure is noted and the suite goes on. */
async function measure (into: Measure, what: string, fn: () => Promise<number | Wire>): Promise<void> {
  try {
    const r = await fn()
    if (typeof r === 'number') {
      into.seconds.push(r)
      log(`${what}: ${r.toFixed(2)} s`)
    } else {
      into.seconds.push(r.seconds)
      ;(into.bytes ??= []).push(r.bytes)
      ;(into.bytesIn ??= []).push(r.bytesIn)
      log(`${what}: ${r.seconds.toFixed(2)} s, ${humanSize(r.bytes)} on the wire, ${humanSize(r.bytesIn)} of it to B`)
    }
  } catch (err) {
    into.note = `failed: ${(err as Error).message.split('\n')[0]}`
    log(`${what}: FAILED ${(err as Error).stack ?? String(err)}`)
  }
}

async function machine (): Promise<Report['machine']> {
  const v = async (cmd: string, args: string[], pick: (s: string) => string): Promise<string> => {
    try { const r = await exec(cmd, args); return pick(r.stdout + r.stderr) } catch { return 'not installed' }
  }
  // The checkout measured: this script's, or the working directory's when run from a copy of dist/.
  let git = await v('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], (s) => s.trim())
  if (git === 'not installed') git = await v('git', ['rev-parse', '--short', 'HEAD'], (s) => s.trim())
  return {
    cpu: `${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores)`,
    memory: `${(totalmem() / GiB).toFixed(0)} GiB`,
    kernel: `Linux ${release()}`,
    fs: await v('df', ['-T', values.dir], (s) => s.trim().split('\n')[1]?.split(/\s+/)[1] ?? '?'),
    load: loadavg().map((x) => x.toFixed(2)).join(' '),
    versions: {
      realize: `${git} (Node ${process.version})`,
      syncthing: await v('syncthing', ['--version'], (s) => s.split(' ').slice(1, 2).join(' ')),
      rsync: await v('rsync', ['--version'], (s) => s.split('\n')[0]!.replace(/^rsync\s+version\s+/, '').replace(/\s+protocol.*/, '')),
      openssh: await v('ssh', ['-V'], (s) => s.trim().split(',')[0]!)
    }
  }
}

async function catchup (n: number): Promise<{ seconds: number[], find: number, rss: number } | string> {
  // Reuses scripts/bench-catchup.ts (index once, then three restarts of an unchanged arena).
  const script = join(dirname(fileURLToPath(import.meta.url)), 'bench-catchup.js')
  try {
    const { stdout } = await exec(process.execPath, [script, '--files', String(n)], { maxBuffer: 16 * MiB, timeout: 900_000 })
    process.stdout.write(stdout)
    const runsLine = /restarts: ([\d. ]+) s/.exec(stdout)?.[1]
    const med = Number(/unchanged catch-up \(median of 3\): ([\d.]+) s/.exec(stdout)?.[1])
    const find = Number(/find -printf \(walk \+ stat\) of the same tree: ([\d.]+) s/.exec(stdout)?.[1])
    const rss = Number(/peak RSS (\d+) MB\n/.exec(stdout.split('unchanged catch-up')[1] ?? '')?.[1] ?? NaN)
    return { seconds: runsLine != null ? runsLine.trim().split(' ').map(Number) : [med], find, rss }
  } catch (err) {
    return `failed: ${(err as Error).message.split('\n')[0]}`
  }
}

async function main (): Promise<void> {
  const started = performance.now()
  // Where the doc goes does not change the figures: left out of the command shown.
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--doc' && all[i - 1] !== '--doc' && !a.startsWith('--doc='))
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`
  log(`side-by-side suite: ${runs} runs, ${humanSize(size)} file, ${files} x ${humanSize(fileSize)}, tools ${tools.join(',')}, workloads ${[...workloads].join(',')}`)
  await ensureInstalled(tools)
  const base = await mkdtemp(join(values.dir, 'realize-bench-suite-'))
  onCleanup(async () => { await rm(base, { recursive: true, force: true }) })
  const m = await machine()
  log(`machine: ${m.cpu}, ${m.memory}, ${m.kernel}, ${m.fs}, load ${m.load}`)

  const raw = await startRaw()
  onCleanup(async () => { await raw.close() })
  const realize = want('realize') ? await RealizePair.create({ base: join(base, 'realize'), nodeOptions: values.profile == null ? undefined : `--cpu-prof --cpu-prof-dir=${values.profile}` }) : undefined
  const rsync = want('rsync') ? new RsyncSsh(join(base, 'rsync')) : undefined
  const syncthing = want('syncthing') ? new SyncthingPair(join(base, 'syncthing')) : undefined
  const notes: Record<string, string> = {}
  const setup = async (name: string, fn: () => Promise<void>): Promise<boolean> => {
    try { await fn(); log(`${name} ready`); return true } catch (err) { notes[name] = `setup failed: ${(err as Error).message.split('\n')[0]}`; log(`${name}: SETUP FAILED ${(err as Error).stack}`); return false }
  }
  const on = {
    realize: realize != null && await setup('realize', async () => { await realize.start() }),
    rsync: rsync != null && await setup('rsync', async () => { await rsync.start() }),
    syncthing: syncthing != null && await setup('syncthing', async () => { await syncthing.start() })
  }

  const M = (): Measure => ({ seconds: [] })
  const r = {
    raw: M(), cp: M(), sha: M(),
    large: { realize: M(), rsync: M(), syncthing: M() },
    delta: { realize: M(), rsync: M(), syncthing: M() },
    small: { realize: M(), rsync: M(), syncthing: M() },
    limit: M()
  }
  const refFile = join(base, 'ref.bin')
  await writeRandom(refFile, size)
  await raw.read(Math.min(size, 64 * MiB)) // warm-up: connection, JIT

  for (let round = 0; round < runs; round++) {
    log(`── round ${round + 1} of ${runs}`)
    await measure(r.raw, 'raw libp2p stream', async () => await raw.read(size))
    await measure(r.cp, 'cp', async () => await cpSeconds(refFile, join(base, 'ref-copy.bin')))
    await measure(r.sha, 'sha256 in memory', async () => sha256Seconds(size))
    const large = `large-${round}.bin`
    if (workloads.has('large') || workloads.has('delta')) {
      if (on.realize) await measure(r.large.realize, 'realize large', async () => await realize!.large(large, join(base, 'realize', `stage-${large}`), size))
      if (on.rsync) await measure(r.large.rsync, 'rsync large', async () => await rsync!.large(large, size))
      if (on.syncthing) await measure(r.large.syncthing, 'syncthing large', async () => await syncthing!.large(large, join(base, 'syncthing', `stage-${large}`), size))
    }
    if (workloads.has('delta')) {
      if (on.realize && r.large.realize.note == null) await measure(r.delta.realize, 'realize delta', async () => await realize!.delta(large, size))
      if (on.rsync && r.large.rsync.note == null) await measure(r.delta.rsync, 'rsync delta', async () => await rsync!.delta(large, size))
      if (on.syncthing && r.large.syncthing.note == null) await measure(r.delta.syncthing, 'syncthing delta', async () => await syncthing!.delta(large, size))
    }
    if (workloads.has('small')) {
      const small = `small-${round}`
      if (on.realize) await measure(r.small.realize, 'realize small', async () => await realize!.small(small, join(base, 'realize', `stage-${small}`), files, fileSize))
      if (on.rsync) await measure(r.small.rsync, 'rsync small', async () => await rsync!.small(small, files, fileSize))
      if (on.syncthing) await measure(r.small.syncthing, 'syncthing small', async () => await syncthing!.small(small, join(base, 'syncthing', `stage-${small}`), files, fileSize))
    }
    // Other tools' copies of this round's data are no longer needed: keep the disk from filling.
    await rsync?.remove(large).catch(() => {})
  }
  await rm(refFile, { force: true })

  // Peers stop before the limit and catch-up runs, which need the machine to themselves less but share nothing with them.
  if (on.syncthing) await syncthing!.stop()
  if (on.rsync) await rsync!.stop()
  if (workloads.has('limit') && on.realize) {
    log(`── limits.churten_download = ${humanSize(limit)}/s on B`)
    const limited = await realize!.setChurtenDownload(limit).then(() => true, (err: Error) => { r.limit.note = `restart with the limit failed: ${err.message}`; return false })
    for (let round = 0; limited && round < runs; round++) {
      const name = `limited-${round}.bin`
      await measure(r.limit, 'realize large, limited', async () => await realize!.large(name, join(base, 'realize', `stage-${name}`), size))
    }
  }
  if (realize != null) await realize.stop()
  let cu: Awaited<ReturnType<typeof catchup>> | undefined
  if (workloads.has('catchup') && want('realize')) {
    log(`── catch-up of an unchanged ${values['catchup-files']}-file arena (scripts/bench-catchup.ts)`)
    cu = await catchup(Number(values['catchup-files']))
  }

  const report: Report = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    command,
    minutes: (performance.now() - started) / 60_000,
    machine: m,
    loadEnd: loadavg().map((x) => x.toFixed(2)).join(' '),
    size, files, fileSize, limit, runs,
    notes,
    results: r,
    catchup: cu,
    catchupFiles: Number(values['catchup-files'])
  }
  const md = renderReport(report)
  console.log('\n' + md)
  if (!values['no-doc']) {
    await writeSection(values.doc, md)
    log(`written to ${values.doc}`)
  }
}

const BEGIN = '<!-- bench-suite:begin (generated by scripts/bench-suite.ts; text outside these markers is kept) -->'
const END = '<!-- bench-suite:end -->'
const HEADING = '## Side by side with Syncthing and rsync (issue 8)'

/** Replaces the generated block in our section, or appends the section; other sections are left as they are. */
async function writeSection (path: string, md: string): Promise<void> {
  const doc = await readFile(path, 'utf8').catch(() => '# Benchmarks\n')
  const block = `${BEGIN}\n${md}\n${END}`
  const b = doc.indexOf(BEGIN)
  const e = doc.indexOf(END)
  const next = b >= 0 && e > b
    ? doc.slice(0, b) + block + doc.slice(e + END.length)
    : `${doc.trimEnd()}\n\n${HEADING}\n\n${block}\n`
  await writeFile(path, next)
}

try {
  await main()
} catch (err) {
  console.error(err)
  process.exitCode = 1
} finally {
  await killAll()
}
