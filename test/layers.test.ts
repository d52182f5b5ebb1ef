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
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LAYERS = ['datastore', 'protocols', 'node', 'tui'] as const
type Layer = typeof LAYERS[number]

/** node/ files that may load tui/: the commands that attach it. */
const NODE_TO_TUI = new Set(['node/cli/commands/start.ts', 'node/cli/commands/tui.ts'])

interface Import { file: string, line: number, spec: string, target: string }

/**
 * Every module specifier of a TypeScript source: `import … from`,
 * `import type … from`, `export … from`, bare `import 'x'` and dynamic
 * `import('x')`, on one line or many. Comments are blanked first (keeping
 * line numbers) so a path named in prose is not taken for an import.
 */
export function specifiers (source: string): Array<{ line: number, spec: string }> {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/^(\s*)\/\/.*$/gm, '$1')
  const found: Array<{ line: number, spec: string }> = []
  for (const m of code.matchAll(/(?<![.\w$])(?:from|import)\s*\(?\s*(['"])([^'"\n]+)\1/g)) {
    found.push({ line: code.slice(0, m.index).split('\n').length, spec: m[2]! })
  }
  return found
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
      for (const { line, spec } of specifiers(await readFile(join(ROOT, file), 'utf8'))) {
        if (!spec.startsWith('.')) continue
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).split(sep).join('/')
        all.push({ file, line, spec, target })
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
      { line: 1, spec: './a.js' },
      { line: 2, spec: '../b.js' },
      { line: 6, spec: '../../c.js' },
      { line: 7, spec: './e.js' },
      { line: 8, spec: './f.js' },
      { line: 9, spec: './side-effect.js' },
      { line: 10, spec: '../g.js' },
      { line: 11, spec: './h.js' },
      { line: 14, spec: 'node:fs/promises' }
    ])
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
      ['tui/app.tsx', 'node/control/client.js', true]
    ]
    for (const [file, target, ok] of cases) {
      assert.equal(broken({ file, line: 1, spec: '', target }) === undefined, ok, `${file} -> ${target}`)
    }
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
