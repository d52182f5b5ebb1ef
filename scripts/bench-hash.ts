/**
 * Benchmark: hashing a cached file vs node:crypto's in-memory SHA-256 rate
 * (SPEC §9: hashFile must reach at least 75% of it).
 *
 *   npm run build && npx node dist/scripts/bench-hash.js [--size 1G] [--runs 3]
 *       [--chunks 256K,512K,1M,2M,4M,8M] [--dir /tmp]
 *
 * The reference hashes a 64 MiB random buffer `size / 64 MiB` times through
 * one Hash object: the same number of bytes as the file, all in memory, with
 * no I/O at all. A single 1 GiB buffer would measure the same SHA-256 rate
 * (64 MiB already overflows every CPU cache) while doubling the memory the
 * benchmark needs.
 *
 * Rounds are interleaved (reference, every chunk size, naive stream, then
 * again), so frequency drift or a noisy neighbour hits all of them alike;
 * each figure is the median of `runs` rounds, printed with the best round
 * and the load average. hashFile needs more than one core (SHA-256 on the
 * main thread, the page-cache copy in the threadpool) while the reference
 * needs one, so other load on the machine lowers the ratio: measure idle.
 * It reports, it never fails.
 */
import { createHash, randomFillSync } from 'node:crypto'
import { createReadStream, rmSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_CHUNK_SIZE, hashFile } from '../node/real/hasher.js'
import { hashToHex } from '../datastore/types/hash.js'

const MiB = 1024 * 1024

function parseSize (text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim())
  if (m == null) throw new Error(`invalid size ${JSON.stringify(text)}: expected e.g. 1G, 512M, 4096`)
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G']
  return Math.round(Number(m[1]) * unit)
}

function formatSize (bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} B`
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function timed (fn: () => Promise<string> | string): Promise<{ seconds: number, hex: string }> {
  const t0 = process.hrtime.bigint()
  const hex = await fn()
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, hex }
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1G' },
      runs: { type: 'string', default: '3' },
      chunks: { type: 'string', default: '256K,512K,1M,2M,4M,8M' },
      dir: { type: 'string', default: tmpdir() }
    }
  })
  const size = parseSize(values.size)
  const runs = Number(values.runs)
  const chunkSizes = values.chunks.split(',').map(parseSize)
  if (!chunkSizes.includes(DEFAULT_CHUNK_SIZE)) chunkSizes.push(DEFAULT_CHUNK_SIZE)
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`invalid --runs ${values.runs}`)

  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores), Node ${process.version}, ` +
    `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 'default (4)'}`)
  console.log(`File: ${formatSize(size)}, median of ${runs} interleaved rounds, MB = 10^6 bytes`)

  const block = Buffer.allocUnsafeSlow(Math.min(64 * MiB, Math.max(size, 1)))
  const dir = await mkdtemp(join(values.dir, 'realize-bench-hash-'))
  const path = join(dir, 'random.bin')
  // Sync: an async rm would not finish before process.exit.
  process.once('SIGINT', () => { rmSync(dir, { recursive: true, force: true }); process.exit(130) })
  try {
    // Fresh random bytes per block, so the file is not one block repeated.
    const fh = await open(path, 'w')
    try {
      for (let written = 0; written < size;) {
        const n = Math.min(block.byteLength, size - written)
        randomFillSync(block, 0, n)
        await fh.write(block, 0, n, written)
        written += n
      }
      // Flushed now, so background writeback does not steal a core mid-run.
      await fh.sync()
    } finally {
      await fh.close()
    }
    // One full read pulls every page into the page cache (and warms the JIT).
    const expected = hashToHex((await hashFile(path)).hash)

    const memory = async (): Promise<string> => {
      const h = createHash('sha256')
      for (let done = 0; done < size;) {
        const n = Math.min(block.byteLength, size - done)
        h.update(n === block.byteLength ? block : block.subarray(0, n))
        done += n
      }
      return h.digest('hex')
    }
    const naive = async (): Promise<string> => {
      const h = createHash('sha256')
      for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
      return h.digest('hex')
    }

    const cases: Array<{ label: string, run: () => Promise<string>, check: boolean }> = [
      { label: 'node:crypto in memory (64 MiB buffer, repeated)', run: memory, check: false },
      ...chunkSizes.map((c) => ({
        label: `hashFile, ${formatSize(c)} chunks${c === DEFAULT_CHUNK_SIZE ? ' (default)' : ''}`,
        run: async () => hashToHex((await hashFile(path, { chunkSize: c })).hash),
        check: true
      })),
      { label: 'createReadStream (64 KiB) + hash.update', run: naive, check: true }
    ]
    const seconds = cases.map(() => [] as number[])
    const loadBefore = loadavg()[0]!
    for (let round = 0; round < runs; round++) {
      for (const [i, c] of cases.entries()) {
        const r = await timed(c.run)
        if (c.check && r.hex !== expected) console.warn(`WARNING: ${c.label} gave ${r.hex}, expected ${expected}`)
        seconds[i]!.push(r.seconds)
      }
    }

    const loadAfter = loadavg()[0]!
    const rate = cases.map((_, i) => size / median(seconds[i]!) / 1e6)
    // Best-of next to the median: on a shared machine the median says what a
    // run typically gets, the best what the code can do when left alone.
    const best = cases.map((_, i) => size / Math.min(...seconds[i]!) / 1e6)
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`
    const width = Math.max(...cases.map((c) => c.label.length))
    console.log('')
    console.log(`${'case'.padEnd(width)}  median MB/s  vs memory   best MB/s  vs memory  runs (s)`)
    for (const [i, c] of cases.entries()) {
      const runsText = seconds[i]!.map((s) => s.toFixed(3)).join(' ')
      console.log(`${c.label.padEnd(width)}  ${rate[i]!.toFixed(0).padStart(11)}  ${pct(rate[i]! / rate[0]!).padStart(9)}  ` +
        `${best[i]!.toFixed(0).padStart(10)}  ${pct(best[i]! / best[0]!).padStart(9)}  ${runsText}`)
    }
    const def = cases.findIndex((c) => c.label.includes('(default)'))
    const ratio = rate[def]! / rate[0]!
    console.log('')
    console.log(`load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)}: ` +
      'well above 1 means something else shared the two cores hashFile uses (hashing + reads)')
    console.log(`hashFile (default ${formatSize(DEFAULT_CHUNK_SIZE)} chunks) / in-memory: median ${pct(ratio)}, ` +
      `best ${pct(best[def]! / best[0]!)} (goal >= 75%: ${ratio >= 0.75 ? 'met' : 'NOT met'})`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
