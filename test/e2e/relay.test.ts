import assert from 'node:assert/strict'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connectedLine, household, lsFile, readOr } from './helpers.js'
import type { Household } from '../../scripts/harness/household.js'

/**
 * {#multi-peer} Changes reach a peer that never talks to their origin: a
 * and c are on the same bridge but isolated from each other (bridge port
 * isolation: no unicast, no mDNS between them), both reach b. Each peer
 * publishes only its own history; b realizes a's file (`own`) and so
 * publishes it in its own history, which c follows.
 */
describe('e2e: changes propagate through a peer in the middle {#multi-peer}', function () {
  this.timeout(180_000)
  const e2e = household()

  /** a, b, c on one bridge, a and c kept apart; started and b connected to both. */
  async function relay (): Promise<Household> {
    const h = await e2e.create({ hosts: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] })
    await h.net.isolate('a', 'c')
    await h.start()
    await h.waitFor('b connected to a and to c', () => connectedLine(h, 'b', 'a') != null && connectedLine(h, 'b', 'c') != null)
    return h
  }

  it('a file added and replaced on a reaches c, which only talks to b; and back', async () => {
    const h = await relay()

    const file = 'docs/notes/hello.txt'
    await mkdir(join(h.root('a'), 'docs/notes'), { recursive: true })
    await writeFile(join(h.root('a'), file), 'hello from a')
    await h.waitFor('a\'s new file realized on c (via b)', async () => await readOr(join(h.root('c'), file)) === 'hello from a')
    // On c the file is known from b only: a never reached c.
    const seen = await lsFile(h, 'c', `shared:${file}`)
    assert.deepEqual(seen?.peers, ['b'], 'c learnt of the file from b')
    assert.equal(seen?.location, 'real')

    await writeFile(join(h.root('a'), file), 'hello again from a, longer')
    await h.waitFor('a\'s replacement realized on c', async () => await readOr(join(h.root('c'), file)) === 'hello again from a, longer')

    await writeFile(join(h.root('c'), 'from-c.txt'), 'c writes back')
    await h.waitFor('c\'s new file realized on a (via b)', async () => await readOr(join(h.root('a'), 'from-c.txt')) === 'c writes back')

    assert.equal(connectedLine(h, 'a', 'c'), undefined, 'a never connected to c')
    assert.equal(connectedLine(h, 'c', 'a'), undefined, 'c never connected to a')
  })

  it('a file deleted on a is deleted on b and c, and stays deleted on a', async () => {
    const h = await relay()
    await writeFile(join(h.root('a'), 'doomed.txt'), 'short-lived')
    await h.waitFor('c has a\'s file', async () => await readOr(join(h.root('c'), 'doomed.txt')) === 'short-lived')
    await rm(join(h.root('a'), 'doomed.txt'))
    // own follows remote deletions (spec section 1); b and c still holding the version a removed is no reason to bring it back.
    await h.waitFor('a\'s deletion followed on b and c', async () => await readOr(join(h.root('b'), 'doomed.txt')) == null && await readOr(join(h.root('c'), 'doomed.txt')) == null, 30_000)
    assert.equal(await readOr(join(h.root('a'), 'doomed.txt')), undefined, 'a\'s own deletion was not undone')
    const seen = await h.cliJson<unknown[]>('c', 'ls', 'shared:')
    assert.deepEqual(seen, [], 'c knows of no copy left anywhere')
  })
})
