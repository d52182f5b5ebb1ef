/**
 * Benchmark: the FUSE mount against its references (issue 12, figures in
 * docs/BENCHMARKS.md "FUSE mount"). Two real nodes on loopback, each
 * mounting its arenas: A owns the files, B has the arena as a watch cache
 * (no root). Every run measures, in this order, with fresh random files
 * (a version B has never seen) and the page cache dropped where it says
 * "cold":
 *
 * - remote first byte: `dd` of the first 4 KiB of a remote file through B's mount;
 * - remote whole: `cat` of the rest of that file through B's mount,
 *   against `realize-node cat` of another fresh remote file of the same size;
 * - cached, cold and warm: `cat` of that now cached file through B's mount,
 *   against `cat` of its blob file;
 * - write: `dd conv=fsync` of a staged file through A's mount, against the
 *   same into A's root;
 * - `ls -lR` of a `--files` tree through A's mount, against the root.
 *
 *   npm run build && npx node dist/scripts/bench-mount.js [--size 1G] [--runs 3] [--files 10000]
 *
 * Medians over the runs, and each target's ratio. It reports, it never fails.
 * (REALIZE_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" profiles the nodes.)
 */
import { execSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { parseSize } from '../node/config/units.js'
import { CLI, NodeProcess } from './harness/node-process.js'
import { processPlans } from '../test/helpers/nodes.js'
import { median } from './bench/common.js'

const { values } = parseArgs({ options: { size: { type: 'string', default: '1G' }, runs: { type: 'string', default: '3' }, files: { type: 'string', default: '10000' } } })
const size = parseSize(values.size)
const runs = Number(values.runs)
const files = Number(values.files)
const base = mkdtempSync('/tmp/realize-bench-mount-')
const sh = (c: string): string => execSync(c, { encoding: 'utf8', shell: '/bin/bash', maxBuffer: 1 << 30 })
const time = (c: string): number => { const t0 = process.hrtime.bigint(); sh(c); return Number(process.hrtime.bigint() - t0) / 1e6 }
const dropCaches = (): void => { sh('sync; echo 3 > /proc/sys/vm/drop_caches') }
const random = (path: string): void => { sh(`head -c ${size} /dev/urandom > ${path}`) }

const [a, b] = await processPlans(base, [{ name: 'a', arenas: [{ name: 'docs' }] }, { name: 'b', arenas: [{ name: 'docs', root: false, mark: 'watch' }] }])
if (a == null || b == null) throw new Error('no plans')
const rootA = a.roots.docs as string
// Fresh versions, made before the nodes start so that indexing them is not timed.
for (let r = 0; r < runs; r++) {
  random(join(rootA, `remote-${r}.bin`))
  random(join(rootA, `catpath-${r}.bin`))
}
const staged = join(base, 'staged.bin')
random(staged)
for (let d = 0; d < Math.ceil(files / 100); d++) {
  mkdirSync(join(rootA, 'tree', `d${d}`), { recursive: true })
  for (let f = 0; f < Math.min(100, files - d * 100); f++) writeFileSync(join(rootA, 'tree', `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`)
}
sh('sync')
const mntA = join(base, 'mnt-a')
const mntB = join(base, 'mnt-b')
const pa = new NodeProcess(['--data', a.dataDir, '--mount', mntA])
const pb = new NodeProcess(['--data', b.dataDir, '--mount', mntB])
const blobOf = (): string => {
  const dir = join(b.dataDir, 'blobs', 'docs')
  return readdirSync(dir, { recursive: true }).map((n) => join(dir, String(n))).filter((p) => statSync(p).isFile()).sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs).find((p) => statSync(p).size === size) ?? ''
}
const m: Record<string, number[]> = {}
const put = (k: string, ms: number): void => { (m[k] ??= []).push(ms) }
try {
  await pa.waitForEvent('ready', 600_000)
  await pb.waitForEvent('ready', 600_000)
  const last = join(mntB, 'docs', `catpath-${runs - 1}.bin`)
  for (let i = 0; i < 6000; i++) {
    try { statSync(last); statSync(join(mntA, 'docs/tree')); break } catch { await new Promise((resolve) => setTimeout(resolve, 100)) }
  }
  for (let r = 0; r < runs; r++) {
    const remote = join(mntB, 'docs', `remote-${r}.bin`)
    dropCaches()
    put('remoteFirst4KiB', time(`dd if=${remote} bs=4096 count=1 status=none > /dev/null`))
    put('remoteRestThroughMount', time(`cat ${remote} > /dev/null`))
    dropCaches()
    put('remoteCatCommand', time(`${process.execPath} ${CLI} cat --data ${b.dataDir} docs:catpath-${r}.bin > /dev/null`))
    const blob = blobOf()
    dropCaches()
    put('cachedColdThroughMount', time(`cat ${remote} > /dev/null`))
    dropCaches()
    put('cachedColdBlobDirect', time(`cat ${blob} > /dev/null`))
    put('cachedWarmThroughMount', time(`cat ${remote} > /dev/null`))
    put('cachedWarmBlobDirect', time(`cat ${blob} > /dev/null`))
    sh(`cat ${staged} > /dev/null`)
    put('writeThroughMount', time(`dd if=${staged} of=${join(mntA, 'docs', `w-${r}.bin`)} bs=1M conv=fsync status=none`))
    put('writeRootDirect', time(`dd if=${staged} of=${join(rootA, `d-${r}.bin`)} bs=1M conv=fsync status=none`))
    sh(`ls -lR ${rootA}/tree > /dev/null; ls -lR ${mntA}/docs/tree > /dev/null`)
    put('lsRThroughMount', time(`ls -lR ${mntA}/docs/tree > /dev/null`))
    put('lsRRootDirect', time(`ls -lR ${rootA}/tree > /dev/null`))
  }
  const med = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(median(v))]))
  const pct = (x: string, y: string): string => `${Math.round(100 * (med[y] ?? NaN) / (med[x] ?? NaN))}%`
  console.log(JSON.stringify({ size, runs, files, medianMs: med, allMs: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.map(Math.round)])) }, null, 2))
  console.log([
    `remote first 4 KiB through the mount: ${med.remoteFirst4KiB} ms (goal < 150 ms)`,
    `remote whole through the mount: ${pct('remoteRestThroughMount', 'remoteCatCommand')} of the cat command's rate (goal >= 70%)`,
    `cached, cold: ${pct('cachedColdThroughMount', 'cachedColdBlobDirect')} of reading the blob directly; warm: ${pct('cachedWarmThroughMount', 'cachedWarmBlobDirect')} (goal >= 70%)`,
    `write through the mount: ${pct('writeThroughMount', 'writeRootDirect')} of writing to the root (goal >= 50%)`,
    `ls -lR of ${files} files through the mount: ${(med.lsRThroughMount! / med.lsRRootDirect!).toFixed(1)}x the root's time (goal <= 3x)`
  ].join('\n'))
} finally {
  pa.kill('SIGTERM')
  pb.kill('SIGTERM')
  await pa.waitForExit()
  await pb.waitForExit()
  sh(`rm -rf ${base}`)
}
