/**
 * Benchmark: rsync delta generation (protocols/rsync/algorithm) on a 1 GiB file vs plain
 * hashing of the same file (node/real/hasher.ts), same run.
 *
 * Each delta and the signature also run in the worker pool (protocols/workers/,
 * what the node runs): reads on this thread, the search on another.
 *
 *   npm run build && npx node dist/scripts/bench-rsync.js [--size 1G] [--runs 3] [--dir /tmp]
 *
 * A random basis file is written once; new versions are derived from it:
 *   identical   the same bytes: the best case, one strong hash per block
 *   1 MiB edit  1 MiB of random bytes in the middle (SPEC §9's delta case)
 *   unrelated   fresh random bytes: the worst case, the weak sum rolls and
 *               probes the block table at every byte offset
 * For each: the signature of the basis (the receiver's cost) and the delta
 * of the new version against it (the sender's cost), both reading from the
 * page cache, plus the delta's literal bytes (what goes on the wire). Rounds
 * are interleaved; figures are medians. It reports, it never fails.
 */
import { randomFillSync } from 'node:crypto'
import { copyFile, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { hashFile } from '../node/real/hasher.js'
import { computeSignatureOffThread, generateDeltaOffThread } from '../protocols/workers/off-thread.js'
import { chooseBlockSize, computeSignature, fileReader, generateDelta, type DeltaSummary, type Signature } from '../protocols/rsync/algorithm/index.js'

const MiB = 1024 * 1024

function parseSize (text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim())
  if (m == null) throw new Error(`invalid size ${JSON.stringify(text)}: expected e.g. 1G, 512M, 4096`)
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G']
  return Math.round(Number(m[1]) * unit)
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function writeFileOf (path: string, size: number, fill: (buf: Buffer, offset: number) => void): Promise<void> {
  const block = Buffer.allocUnsafe(Math.min(64 * MiB, Math.max(1, size)))
  const fh = await open(path, 'w')
  try {
    for (let off = 0; off < size;) {
      const n = Math.min(block.byteLength, size - off)
      fill(block.subarray(0, n), off)
      await fh.write(block, 0, n, off)
      off += n
    }
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function withFile<T> (path: string, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
  const fh = await open(path)
  try {
    return await fn(fh)
  } finally {
    await fh.close()
  }
}

async function timed<T> (fn: () => Promise<T>): Promise<{ seconds: number, value: T }> {
  const t0 = process.hrtime.bigint()
  const value = await fn()
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, value }
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1G' },
      runs: { type: 'string', default: '3' },
      dir: { type: 'string', default: tmpdir() }
    }
  })
  const size = parseSize(values.size)
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`invalid --runs ${values.runs}`)
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores), Node ${process.version}`)
  console.log(`File: ${size / MiB} MiB, block size ${chooseBlockSize(size) / 1024} KiB, median of ${runs} interleaved rounds, MB = 10^6 bytes`)

  const dir = await mkdtemp(join(values.dir, 'realize-bench-rsync-'))
  process.once('SIGINT', () => { void rm(dir, { recursive: true, force: true }).then(() => process.exit(130)) })
  try {
    const basis = join(dir, 'basis')
    await writeFileOf(basis, size, (buf) => { randomFillSync(buf) })
    const versions: Record<string, string> = { identical: basis, '1 MiB edit': join(dir, 'edited'), unrelated: join(dir, 'unrelated') }
    // The edited version: the basis with 1 MiB of fresh random bytes in the middle.
    const editLen = Math.min(MiB, size)
    await copyFile(basis, versions['1 MiB edit']!)
    const efh = await open(versions['1 MiB edit']!, 'r+')
    try {
      await efh.write(randomFillSync(Buffer.alloc(editLen)), 0, editLen, Math.floor((size - editLen) / 2))
      await efh.sync()
    } finally {
      await efh.close()
    }
    await writeFileOf(versions.unrelated!, size, (buf) => { randomFillSync(buf) })

    // Warm the page cache and the JIT.
    for (const p of new Set(Object.values(versions))) await hashFile(p)
    const sig: Signature = await withFile(basis, async (fh) => await computeSignature(fileReader(fh), size))

    const deltaOf = async (path: string, rangeHash: boolean): Promise<DeltaSummary> => await withFile(path, async (fh) => {
      const gen = generateDelta(sig, fileReader(fh), size, { rangeHash })
      let r = await gen.next()
      while (r.done !== true) r = await gen.next()
      return r.value
    })
    // The same in the worker pool (protocols/workers, what the rsync server runs): the
    // signature is copied per run, the pool takes its arrays.
    const deltaOffThread = async (path: string): Promise<DeltaSummary> => await withFile(path, async (fh) => {
      const gen = generateDeltaOffThread({ ...sig, weak: sig.weak.slice(), strong: sig.strong.slice() }, fileReader(fh), size, { rangeHash: true })
      let r = await gen.next()
      while (r.done !== true) r = await gen.next()
      return r.value
    })
    const cases: Array<{ label: string, run: () => Promise<DeltaSummary | undefined> }> = [
      { label: 'hashFile (reference)', run: async () => { await hashFile(basis); return undefined } },
      { label: 'signature of the basis', run: async () => { await withFile(basis, async (fh) => await computeSignature(fileReader(fh), size)); return undefined } },
      ...Object.entries(versions).flatMap(([name, path]) => [
        { label: `delta: ${name}`, run: async () => await deltaOf(path, false) },
        { label: `delta: ${name} + range hash`, run: async () => await deltaOf(path, true) },
        { label: `delta: ${name} + range hash, worker pool`, run: async () => await deltaOffThread(path) }
      ]),
      { label: 'signature of the basis, worker pool', run: async () => { await withFile(basis, async (fh) => await computeSignatureOffThread(fileReader(fh), size)); return undefined } }
    ]
    const seconds = cases.map(() => [] as number[])
    const summaries: Array<DeltaSummary | undefined> = []
    for (let round = 0; round < runs; round++) {
      for (const [i, c] of cases.entries()) {
        const r = await timed(c.run)
        seconds[i]!.push(r.seconds)
        summaries[i] = r.value
      }
    }
    const rate = cases.map((_, i) => size / median(seconds[i]!) / 1e6)
    const width = Math.max(...cases.map((c) => c.label.length))
    console.log('')
    console.log(`${'case'.padEnd(width)}  ${'MB/s'.padStart(6)}  vs hashing  literal bytes  runs (s)`)
    for (const [i, c] of cases.entries()) {
      const s = summaries[i]
      const lit = s == null ? '' : `${s.literalBytes}${s.identical ? ' (unchanged)' : ''}`
      console.log(`${c.label.padEnd(width)}  ${rate[i]!.toFixed(0).padStart(6)}  ${(100 * rate[i]! / rate[0]!).toFixed(1).padStart(9)}%  ${lit.padStart(13)}  ${seconds[i]!.map((x) => x.toFixed(2)).join(' ')}`)
    }
    console.log(`\nsignature: ${sig.weak.length} blocks of ${sig.blockSize} bytes = ${(sig.weak.length * 20 / 1024).toFixed(0)} KiB on the wire`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
