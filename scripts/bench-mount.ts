/**
 * Benchmark: the FUSE mount (issue 12, docs/BENCHMARKS.md "FUSE mount").
 * Two real nodes on loopback, each mounting its arenas; A owns a random
 * file of `--size` (default 512M), B has the arena as a watch cache.
 *
 *   npm run build && npx node dist/scripts/bench-mount.js [--size 512M]
 *
 * Prints ms for: cat of the real file directly and through A's mount
 * (pass-through); the first 4 KiB of the remote file through B's mount
 * (fetched by range: its first chunk, not the file); cat of the now cached file
 * through B's mount and of its blob file directly; ls -lR of A's mount.
 * One run, page cache as it is (root: dropped once before the real reads).
 * It reports, it never fails.
 */
import { execSync } from 'node:child_process'
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { parseSize } from '../node/config/units.js'
import { NodeProcess } from './harness/node-process.js'
import { processPlans } from '../test/helpers/nodes.js'

const { values } = parseArgs({ options: { size: { type: 'string', default: '512M' } } })
const size = parseSize(values.size)
const base = mkdtempSync('/tmp/realize-bench-mount-')
const sh = (c: string): string => execSync(c, { encoding: 'utf8', shell: '/bin/bash' })
const time = (c: string): number => { const t0 = process.hrtime.bigint(); sh(c); return Math.round(Number(process.hrtime.bigint() - t0) / 1e6) }

const [a, b] = await processPlans(base, [{ name: 'a', arenas: [{ name: 'docs' }] }, { name: 'b', arenas: [{ name: 'docs', root: false, mark: 'watch' }] }])
if (a == null || b == null) throw new Error('no plans')
const file = join(a.roots.docs as string, 'big.bin')
sh(`head -c ${size} /dev/urandom > ${file}`)
const mntA = join(base, 'mnt-a')
const mntB = join(base, 'mnt-b')
const pa = new NodeProcess(['--data', a.dataDir, '--mount', mntA])
const pb = new NodeProcess(['--data', b.dataDir, '--mount', mntB])
try {
  await pa.waitForEvent('ready', 300_000)
  await pb.waitForEvent('ready', 300_000)
  for (let i = 0; i < 3000; i++) {
    try { statSync(join(mntB, 'docs/big.bin')); break } catch { await new Promise((resolve) => setTimeout(resolve, 100)) }
  }
  sh('sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true')
  const r: Record<string, number> = {}
  r.realDirect = time(`cat ${file} > /dev/null`)
  r.realThroughMount = time(`cat ${mntA}/docs/big.bin > /dev/null`)
  r.remoteFirst4KiB = time(`dd if=${mntB}/docs/big.bin bs=4096 count=1 status=none > /dev/null`)
  r.cachedThroughMount = time(`cat ${mntB}/docs/big.bin > /dev/null`)
  const blobs = join(b.dataDir, 'blobs', 'docs')
  const blob = readdirSync(blobs, { recursive: true }).map((n) => join(blobs, String(n))).filter((p) => statSync(p).isFile()).sort((x, y) => statSync(y).size - statSync(x).size)[0]
  if (blob != null) r.cachedBlobDirect = time(`cat ${blob} > /dev/null`)
  r.lsRThroughMount = time(`ls -lR ${mntA} > /dev/null`)
  console.log(JSON.stringify({ size, ms: r }, null, 2))
} finally {
  pa.kill('SIGTERM')
  pb.kill('SIGTERM')
  await pa.waitForExit()
  await pb.waitForExit()
  sh(`rm -rf ${base}`)
}
