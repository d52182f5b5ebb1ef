import assert from 'node:assert/strict'
import { ancestorsOf, isWithin, joinPath, parentOf, parsePath } from '../../../datastore/types/path.js'
import { checkArenaNames, parseArenaName } from '../../../datastore/types/arena.js'
import { hashFromHex, hashToHex, asHash, hashEquals } from '../../../datastore/types/hash.js'
import { parseMark } from '../../../datastore/types/mark.js'

describe('path rules {#colon}', () => {
  it('accepts relative paths with colons and any UTF-8', () => {
    for (const p of ['a', 'a/b/c.txt', 'c:/x', 'Photos/2024:01:02 12:00.jpg', 'ü/日本語/😀', '...', '.hidden', 'a b/ c ']) {
      assert.equal(parsePath(p), p)
    }
  })

  it('rejects absolute, empty, dot, dot-dot, NUL and empty components', () => {
    const bad: Array<[string, RegExp]> = [
      ['/etc/passwd', /absolute/],
      ['', /empty/],
      ['a//b', /empty component/],
      ['a/', /empty component/],
      ['./a', /"\."/],
      ['a/./b', /"\."/],
      ['..', /"\.\."/],
      ['a/../../etc', /"\.\."/],
      ['a\0b', /NUL/],
      ['\uD800x', /UTF-8/]
    ]
    for (const [p, why] of bad) {
      assert.throws(() => parsePath(p), (err: Error & { code?: string }) => err.code === 'INVALID_PATH' && why.test(err.message), p)
    }
  })

  it('limits paths to 4096 UTF-8 bytes, 256 components and 255-byte names (PATH_TOO_LONG)', () => {
    assert.equal(parsePath(Array(256).fill('d').join('/')).split('/').length, 256)
    assert.throws(() => parsePath(Array(257).fill('d').join('/')), { code: 'PATH_TOO_LONG', message: /257 components, more than 256/ })
    const name = 'n'.repeat(255)
    assert.equal(parsePath(`${name}/${name}`), `${name}/${name}`)
    assert.throws(() => parsePath(`${name}n`), { code: 'PATH_TOO_LONG', message: /a name longer than 255 bytes/ })
    // Counted in UTF-8 bytes: 86 three-byte characters are 258 bytes.
    assert.throws(() => parsePath('€'.repeat(86)), { code: 'PATH_TOO_LONG' })
    const long = Array(16).fill('n'.repeat(255)).join('/')
    assert.equal(Buffer.byteLength(long), 4095)
    assert.equal(parsePath(long), long)
    assert.throws(() => parsePath(`${long}/x`), { code: 'PATH_TOO_LONG', message: /longer than 4096 bytes/ })
  })

  it('allows the root only when asked', () => {
    assert.equal(parsePath('', { allowRoot: true }), '')
  })

  it('joins, splits and nests paths', () => {
    assert.equal(joinPath(parsePath('a/b'), 'c:d'), 'a/b/c:d')
    assert.throws(() => joinPath(parsePath('a'), '..'))
    assert.equal(parentOf(parsePath('a/b/c')), 'a/b')
    assert.equal(parentOf(parsePath('a')), '')
    assert.deepEqual(ancestorsOf(parsePath('a/b/c')), ['', 'a', 'a/b'])
    assert.ok(isWithin(parsePath('a/b'), parsePath('a')))
    assert.ok(!isWithin(parsePath('ab'), parsePath('a')))
  })
})

describe('arena names', () => {
  it('accepts names with slashes and rejects bad ones', () => {
    assert.equal(parseArenaName('docs/office'), 'docs/office')
    assert.throws(() => parseArenaName('../x'), /invalid arena name/)
    assert.throws(() => parseArenaName('a:b'), /contains ':'/)
  })

  it('rejects a name that is a /-prefix of another, allows plain prefixes', () => {
    assert.throws(() => { checkArenaNames(['photos', 'docs', 'docs/office']) }, /"docs" is a prefix of "docs\/office"/)
    checkArenaNames(['doc', 'docs', 'docs-old', 'do/c'])
    assert.throws(() => { checkArenaNames(['a', 'a']) }, /defined twice/)
  })
})

describe('hashes and marks', () => {
  it('round-trips hex and checks length', () => {
    const hex = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    assert.equal(hashToHex(hashFromHex(hex)), hex)
    assert.throws(() => hashFromHex('abc'), /64 hex digits/)
    assert.throws(() => asHash(new Uint8Array(31)), /32 bytes/)
    assert.ok(hashEquals(hashFromHex(hex), hashFromHex(hex.toUpperCase())))
  })

  it('parses marks', () => {
    assert.equal(parseMark('keep'), 'keep')
    assert.throws(() => parseMark('mine'), /expected own, keep or watch/)
  })
})
