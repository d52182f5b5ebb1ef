import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connectedLine, household, readOr, sha256 } from './helpers.js'
import type { Household } from '../../scripts/harness/household.js'

const MiB = 1024 * 1024

/** Bytes the host's blob files hold on disk (sparse: allocated blocks), i.e. how far a download got. */
async function blobBytes (h: Household, host: string, arena = 'shared'): Promise<number> {
  const dir = join(h.node(host).dataDir, 'blobs', arena)
  let total = 0
  for (const name of await readdir(dir).catch(() => [])) total += (await stat(join(dir, name)).catch(() => ({ blocks: 0 }))).blocks * 512
  return total
}

/**
 * Spec section 8: killing a node at any moment (kill -9) and restarting
 * loses no local file and no acknowledged history, and downloads resume.
 * The receiver's link is slowed with tc so the kill lands mid-transfer.
 */
describe('e2e: kill -9 mid-transfer', function () {
  this.timeout(240_000)
  const e2e = household()

  it('the receiver killed mid-download resumes from its checkpoint after a restart; nothing is lost', async () => {
    const h = await e2e.create({ hosts: [{ name: 'a' }, { name: 'b' }] })
    const big = randomBytes(48 * MiB)
    await writeFile(join(h.root('a'), 'big.bin'), big)
    await writeFile(join(h.root('b'), 'notes.txt'), 'b wrote this before the crash')
    // 64 Mbit/s: about 6 s for the file, time enough to stop it in the middle.
    await h.net.shape('b', '64mbit')
    await h.start()
    await h.waitFor('a has b\'s notes (b\'s history acknowledged)', async () => await readOr(join(h.root('a'), 'notes.txt')) === 'b wrote this before the crash')

    const atKill = await h.waitFor('b\'s download of big.bin past 20 MiB', async () => {
      const n = await blobBytes(h, 'b')
      return n >= 20 * MiB && n < big.length ? n : undefined
    })
    await h.kill9('b')
    console.log(`    killed b with ${(atKill / MiB).toFixed(1)} MiB of ${big.length / MiB} MiB downloaded`)
    assert.equal(await readOr(join(h.root('b'), 'big.bin')), undefined, 'not realized yet: the kill was mid-transfer')

    await h.start('b')
    await h.waitFor('big.bin realized on b after the restart', async () => {
      const st = await stat(join(h.root('b'), 'big.bin')).catch(() => undefined)
      return st?.size === big.length
    }, 120_000)
    assert.equal(sha256(await readFile(join(h.root('b'), 'big.bin'))), sha256(big), 'b has a\'s content exactly')
    // The restarted process's connection to a carried only what was missing after the last checkpoint (8 MiB apart).
    assert.ok(connectedLine(h, 'b', 'a') != null)
    const peers = await h.cliJson<Array<{ name: string, bytesIn: number }>>('b', 'peers')
    const fromA = peers.find((p) => p.name === 'a')?.bytesIn ?? 0
    console.log(`    after the restart b received ${(fromA / MiB).toFixed(1)} MiB from a`)
    assert.ok(fromA < big.length - (atKill - 8 * MiB) + 2 * MiB, `resumed: ${fromA} bytes fetched after the restart, ${atKill} were on disk at the kill`)

    // Nothing lost: b's own file, and a's copy of it, and the source untouched.
    assert.equal(await readOr(join(h.root('b'), 'notes.txt')), 'b wrote this before the crash')
    assert.equal(await readOr(join(h.root('a'), 'notes.txt')), 'b wrote this before the crash')
    assert.equal(sha256(await readFile(join(h.root('a'), 'big.bin'))), sha256(big))
    const caught = h.lines('b').find((l) => l.event === 'caught-up')
    assert.equal(caught?.changed, 0, 'the restarted b found its index in step with its disk')
  })

  it('the sender killed mid-upload: the receiver keeps what it got and finishes once the sender is back', async () => {
    const h = await e2e.create({ hosts: [{ name: 'a' }, { name: 'b' }] })
    const big = randomBytes(40 * MiB)
    await writeFile(join(h.root('a'), 'big.bin'), big)
    await h.net.shape('b', '64mbit')
    await h.start()
    const atKill = await h.waitFor('b\'s download of big.bin past 20 MiB', async () => {
      const n = await blobBytes(h, 'b')
      return n >= 20 * MiB && n < big.length ? n : undefined
    })
    await h.kill9('a')
    console.log(`    killed a with ${(atKill / MiB).toFixed(1)} MiB of ${big.length / MiB} MiB at b`)
    await h.start('a')
    await h.waitFor('big.bin realized on b once a is back', async () => {
      const st = await stat(join(h.root('b'), 'big.bin')).catch(() => undefined)
      return st?.size === big.length
    }, 120_000)
    assert.equal(sha256(await readFile(join(h.root('b'), 'big.bin'))), sha256(big))
    // a's new process sent only what b was missing.
    const peers = await h.cliJson<Array<{ name: string, bytesOut: number }>>('a', 'peers')
    const toB = peers.find((p) => p.name === 'b')?.bytesOut ?? 0
    console.log(`    after the restart a sent ${(toB / MiB).toFixed(1)} MiB to b`)
    assert.ok(toB < big.length - (atKill - 8 * MiB) + 2 * MiB, `resumed: ${toB} bytes sent after the restart, ${atKill} were at b at the kill`)
    assert.equal(sha256(await readFile(join(h.root('a'), 'big.bin'))), sha256(big), 'the sender\'s file survived the kill')
  })
})
