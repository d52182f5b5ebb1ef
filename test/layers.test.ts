import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The layer rule of docs/decisions.md ("Layers"), read from the sources
 * (not dist/: type-only imports leave no trace there):
 *
 *   tui ─> node ─> protocols ─> datastore
 *
 * every import points down. datastore imports nothing of the layers above;
 * protocols takes only the shared vocabulary of datastore (datastore/types/),
 * never the store; node never loads the TUI except where the CLI's `start`
 * and `tui` commands attach it. No layer imports test/ or scripts/.
 *
 * Inside node/, the control API is two folders (docs/control.md): the
 * contract and client (node/control/api/), which the CLI and the TUI
 * import and which loads nothing else of node/ at run time (type-only
 * imports of the engine's vocabulary are fine), and the server side
 * (node/control/server/), which only node/node.ts wires. The engine below
 * (churten, fetching from peers) imports nothing of control.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LAYERS = ['datastore', 'protocols', 'node', 'tui'] as const
type Layer = typeof LAYERS[number]

/** node/ files that may load tui/: the commands that attach it. */
const NODE_TO_TUI = new Set(['node/cli/commands/start.ts', 'node/cli/commands/tui.ts'])

interface Import { file: string, line: number, spec: string, target: string, typeOnly?: boolean }

/**
 * Every module specifier of a TypeScript source: `import … from`,
 * `import type … from`, `export … from`, bare `import 'x'` and dynamic
 * `import('x')`, on one line or many. Comments are blanked first (keeping
 * line numbers) so a path named in prose is not taken for an import.
 */
export function specifiers (source: string): Array<{ line: number, spec: string, typeOnly: boolean }> {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/^(\s*)\/\/.*$/gm, '$1')
  const found: Array<{ line: number, spec: string, typeOnly: boolean }> = []
  for (const m of code.matchAll(/(?<![.\w$])(?:from|import)\s*\(?\s*(['"])([^'"\n]+)\1/g)) {
    const typeOnly = m[0].startsWith('from') && isTypeOnly(code.slice(0, m.index))
    found.push({ line: code.slice(0, m.index).split('\n').length, spec: m[2]!, typeOnly })
  }
  return found
}

/**
 * Whether the `import`/`export` statement ending where `before` ends loads
 * nothing at run time: `import type …`, `export type …`, or braces holding
 * only `type X` names (TypeScript erases those).
 */
function isTypeOnly (before: string): boolean {
  const start = Math.max(before.lastIndexOf('import'), before.lastIndexOf('export'))
  const head = before.slice(start)
  if (/^(?:import|export)\s+type\b/.test(head)) return true
  const names = /^(?:import|export)\s*\{([^}]*)\}\s*$/.exec(head)?.[1]
  if (names == null) return false
  const list = names.split(',').map((n) => n.trim()).filter((n) => n !== '')
  return list.length > 0 && list.every((n) => n.startsWith('type '))
}

async function sources (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`
    if (e.isDirectory()) out.push(...await sources(p))
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Relative imports of every source file of the four layers, as project paths. */
async function imports (): Promise<Import[]> {
  const all: Import[] = []
  for (const layer of LAYERS) {
    for (const file of await sources(layer)) {
      for (const { line, spec, typeOnly } of specifiers(await readFile(join(ROOT, file), 'utf8'))) {
        if (!spec.startsWith('.')) continue
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).split(sep).join('/')
        all.push({ file, line, spec, target, typeOnly })
      }
    }
  }
  return all
}

/** Why this import breaks the rule, or undefined when it is allowed. */
function broken (i: Import): string | undefined {
  const from = i.file.split('/')[0] as Layer
  const to = i.target.split('/')[0]!
  if (to === 'test' || to === 'scripts' || to.startsWith('..')) return `${from}/ imports nothing outside the layers`
  if (from === 'datastore' && to !== 'datastore') return 'datastore/ is the ground floor: it imports no layer above'
  if (from === 'protocols') {
    if (to === 'node' || to === 'tui') return 'protocols/ imports nothing of node/ or tui/'
    if (to === 'datastore' && !i.target.startsWith('datastore/types/')) return 'protocols/ takes only datastore/types/ (the vocabulary), never the store'
  }
  if (from === 'node' && to === 'tui' && !NODE_TO_TUI.has(i.file)) return 'node/ loads tui/ only in the CLI\'s start and tui commands'
  return brokenControl(i)
}

const CONTROL = 'node/control/'
const CONTROL_API = 'node/control/api/'
const CONTROL_SERVER = 'node/control/server/'

/** The control API's split (see the top of this file), or undefined when allowed. */
function brokenControl (i: Import): string | undefined {
  const { file, target } = i
  const intoControl = target.startsWith(CONTROL) && !file.startsWith(CONTROL)
  if (intoControl && (file.startsWith('tui/') || file.startsWith('node/cli/')) && !target.startsWith(CONTROL_API)) {
    return 'the CLI and the TUI import only the control contract and client (node/control/api/)'
  }
  if (intoControl && (file.startsWith('node/churten/') || file.startsWith('node/fetch/'))) {
    return 'churten and fetching from peers import nothing of node/control/ (control reads them through its views)'
  }
  if (target.startsWith(CONTROL_SERVER) && !file.startsWith(CONTROL_SERVER) && file !== 'node/node.ts') {
    return 'only node/node.ts wires the control server side (node/control/server/)'
  }
  if (file.startsWith(CONTROL_API) && i.typeOnly !== true && !target.startsWith(CONTROL_API) && !target.startsWith('datastore/types/')) {
    return 'node/control/api/ loads nothing outside itself but datastore/types/ at run time (type-only imports are fine)'
  }
  return undefined
}

describe('layers: every import points down (tui -> node -> protocols -> datastore)', () => {
  it('finds every kind of import, type-only and dynamic ones included, and skips comments', () => {
    const src = [
      "import { a } from './a.js'",
      "import type { B } from '../b.js'",
      'import {',
      '  c,',
      '  type D',
      "} from '../../c.js'",
      "export { e } from './e.js'",
      "export * from './f.js'",
      "import './side-effect.js'",
      "const g = await import('../g.js')",
      "type H = import('./h.js').H",
      "// import { no } from '../comment.js'",
      "/* export * from '../block.js' */",
      "import { readFile } from 'node:fs/promises'",
      "const buf = Buffer.from('./not-an-import')"
    ].join('\n')
    assert.deepEqual(specifiers(src), [
      { line: 1, spec: './a.js', typeOnly: false },
      { line: 2, spec: '../b.js', typeOnly: true },
      { line: 6, spec: '../../c.js', typeOnly: false },
      { line: 7, spec: './e.js', typeOnly: false },
      { line: 8, spec: './f.js', typeOnly: false },
      { line: 9, spec: './side-effect.js', typeOnly: false },
      { line: 10, spec: '../g.js', typeOnly: false },
      { line: 11, spec: './h.js', typeOnly: false },
      { line: 14, spec: 'node:fs/promises', typeOnly: false }
    ])
    assert.deepEqual(specifiers("import { type A, type B } from './types.js'\nexport type { C } from './c.js'\nimport { type D, e } from './mixed.js'").map((s) => s.typeOnly), [true, true, false])
  })

  it('flags each kind of break', () => {
    const cases: Array<[string, string, boolean]> = [
      ['datastore/tables/x.ts', 'datastore/types/path.js', true],
      ['datastore/tables/x.ts', 'node/types/path.js', false],
      ['datastore/x.ts', 'protocols/common/x.js', false],
      ['protocols/blob/x.ts', 'datastore/types/hash.js', true],
      ['protocols/blob/x.ts', 'datastore/store.js', false],
      ['protocols/blob/x.ts', 'node/log.js', false],
      ['protocols/blob/x.ts', 'tui/app.js', false],
      ['node/x.ts', 'protocols/blob/index.js', true],
      ['node/x.ts', 'tui/attach.js', false],
      ['node/cli/commands/start.ts', 'tui/attach.js', true],
      ['node/x.ts', 'test/helpers/tmp.js', false],
      ['tui/app.tsx', 'node/control/api/client.js', true],
      ['tui/app.tsx', 'node/control/server/local-model.js', false],
      ['node/cli/commands/ls.ts', 'node/control/server/listing.js', false],
      ['node/cli/commands/ls.ts', 'node/control/api/format.js', true],
      ['node/churten/service.ts', 'node/control/api/model.js', false],
      ['node/fetch/download.ts', 'node/control/server/sources.js', false],
      ['node/node.ts', 'node/control/server/server.js', true],
      ['node/sync/sync.ts', 'node/control/server/server.js', false],
      ['node/control/api/errors.ts', 'node/cli/exit.js', false],
      ['node/control/api/client.ts', 'datastore/types/errors.js', true],
      ['node/control/server/local-model.ts', 'node/arena.js', true]
    ]
    for (const [file, target, ok] of cases) {
      assert.equal(broken({ file, line: 1, spec: '', target }) === undefined, ok, `${file} -> ${target}`)
    }
    // The contract may name the engine's types; loading it is what the rule forbids.
    assert.equal(broken({ file: 'node/control/api/model.ts', line: 1, spec: '', target: 'node/churten/types.js', typeOnly: true }), undefined)
  })

  it('holds for every .ts and .tsx file of datastore/, protocols/, node/ and tui/', async () => {
    const all = await imports()
    // The walk really read the tree: each layer has imports of its own.
    for (const layer of LAYERS) assert.ok(all.some((i) => i.file.startsWith(`${layer}/`)), `no imports read in ${layer}/`)
    const breaks = all.flatMap((i) => {
      const why = broken(i)
      return why === undefined ? [] : [`${i.file}:${i.line} imports '${i.spec}': ${why}`]
    })
    assert.deepEqual(breaks, [], `layer rule broken:\n${breaks.join('\n')}`)
  })
})
