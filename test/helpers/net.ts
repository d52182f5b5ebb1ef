import { EventEmitter } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { baseConfig } from '../../node/config/config.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { FAST, freePort, newIdentity } from './node-basics.js'
import { household, TestPeer } from './nodes.js'
import { tempDir } from './tmp.js'
import { until } from './wait.js'
import type { RunNodeOptions } from '../../node/node.js'
import type { Mark } from '../../datastore/types/mark.js'

/**
 * Nodes for the network and protocol tests: the same in-process node as
 * churten's (TestPeer, ./nodes.ts), listening on both loopbacks, with
 * household edits by hand (`asPeer`) where a test needs them.
 */
export { captureLogger, FAST, freePort, newIdentity, type LogLine } from './node-basics.js'

/** The in-process node (one class for every in-process fixture). */
export type TestNode = TestPeer

export interface ArenaPlan { name: string, root?: boolean, mark?: Mark }

export interface TestNodePlan {
  name: string
  arenas?: ArenaPlan[]
  /** Listen addresses; default IPv4 and IPv6 loopback on a fixed free port. */
  listen?: (port: number) => string[]
}

export async function testNode (plan: TestNodePlan, base: string, tuning = FAST): Promise<TestNode> {
  const dir = join(base, plan.name)
  const dataDir = join(dir, 'data')
  const roots: Record<string, string> = {}
  const config = baseConfig()
  const port = await freePort()
  config.node.listen = plan.listen?.(port) ?? [`/ip4/127.0.0.1/tcp/${port}`, `/ip6/::1/tcp/${port}`]
  config.node.mdns = false
  for (const a of plan.arenas ?? [{ name: 'docs', root: true, mark: 'own' }]) {
    const name = parseArenaName(a.name)
    if (a.root === false) {
      config.arenas.push({ name, mark: a.mark ?? 'watch' })
    } else {
      roots[a.name] = join(dir, 'arenas', a.name)
      await mkdir(roots[a.name] as string, { recursive: true })
      config.arenas.push({ name, root: roots[a.name], mark: a.mark ?? 'own' })
    }
  }
  return new TestPeer(plan.name, await newIdentity(), dataDir, roots, port, config, undefined, tuning)
}

/** A temp base directory and the nodes made in it, all stopped and removed by `cleanup`. */
export { household }

export async function testNet (): Promise<{ base: string, nodes: TestNode[], make: (plan: TestNodePlan, tuning?: RunNodeOptions['network']) => Promise<TestNode>, cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('realize-net-')
  const nodes: TestNode[] = []
  return {
    base: dir,
    nodes,
    make: async (plan, tuning) => {
      const n = await testNode(plan, dir, tuning)
      nodes.push(n)
      return n
    },
    cleanup: async () => {
      for (const n of nodes) await n.stop().catch(() => {})
      await cleanup()
    }
  }
}


/** `until` for EventTarget emitters (libp2p's host). */
export async function untilTarget<T> (target: EventTarget, event: string, check: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const emitter = new EventEmitter()
  const relay = (): void => { emitter.emit('x') }
  target.addEventListener(event, relay)
  try {
    return await until(emitter, 'x', check, what, ms)
  } finally {
    target.removeEventListener(event, relay)
  }
}
