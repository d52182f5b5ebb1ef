import assert from 'node:assert/strict'
import { formatCapacity, formatDuration, formatSize, parseCapacity, parseDuration, parseSize } from '../../node/config/units.js'
import { InvalidInputError } from '../../datastore/types/errors.js'

describe('config/units', function () {
  it('parses sizes 1024-based, any suffix case', function () {
    assert.equal(parseSize('0'), 0)
    assert.equal(parseSize('100'), 100)
    assert.equal(parseSize('512k'), 512 * 1024)
    assert.equal(parseSize('512K'), 512 * 1024)
    assert.equal(parseSize('1M'), 1024 ** 2)
    assert.equal(parseSize('1m'), 1024 ** 2)
    assert.equal(parseSize('2G'), 2 * 1024 ** 3)
    assert.equal(parseSize('1T'), 1024 ** 4)
    assert.equal(parseSize('1.5G'), 1.5 * 1024 ** 3)
    assert.equal(parseSize('3MiB'), 3 * 1024 ** 2)
    assert.equal(parseSize('7B'), 7)
    assert.equal(parseSize(' 8M '), 8 * 1024 ** 2)
    assert.equal(parseSize(4096), 4096)
  })

  it('rejects malformed sizes naming the value', function () {
    for (const bad of ['', 'x', '12x', '-1', '1 2', 'M', '1.5.2G', '1e6', '0x10']) {
      assert.throws(() => parseSize(bad), (err: unknown) => err instanceof InvalidInputError && err.message.includes(JSON.stringify(bad)), bad)
    }
    assert.throws(() => parseSize(-1), InvalidInputError)
    assert.throws(() => parseSize(1.5), InvalidInputError)
    assert.throws(() => parseSize(true), InvalidInputError)
    assert.throws(() => parseSize('99999999999T'), /too large/)
  })

  it('formats sizes with the largest exact suffix and parses them back', function () {
    assert.equal(formatSize(0), '0')
    assert.equal(formatSize(1000), '1000')
    assert.equal(formatSize(8 * 1024 ** 2), '8M')
    assert.equal(formatSize(1536), '1536')
    assert.equal(formatSize(1.5 * 1024 ** 3), '1536M')
    for (const n of [0, 1, 1023, 1024, 5 * 1024 ** 3, 3 * 1024 ** 4 + 1]) assert.equal(parseSize(formatSize(n)), n)
  })

  it('parses capacities as percent or bytes, never zero', function () {
    assert.deepEqual(parseCapacity('10%'), { percent: 10 })
    assert.deepEqual(parseCapacity('2.5%'), { percent: 2.5 })
    assert.deepEqual(parseCapacity('100%'), { percent: 100 })
    assert.deepEqual(parseCapacity('20G'), { bytes: 20 * 1024 ** 3 })
    for (const bad of ['0%', '101%', 'x%', '%', '0', '-5%']) assert.throws(() => parseCapacity(bad), InvalidInputError, bad)
    assert.equal(formatCapacity({ percent: 10 }), '10%')
    assert.equal(formatCapacity({ bytes: 20 * 1024 ** 3 }), '20G')
  })

  it('parses and formats durations', function () {
    assert.equal(parseDuration('30d'), 30 * 24 * 3600_000)
    assert.equal(parseDuration('12h'), 12 * 3600_000)
    assert.equal(parseDuration('90m'), 90 * 60_000)
    assert.equal(parseDuration('45s'), 45_000)
    assert.equal(parseDuration('2w'), 14 * 24 * 3600_000)
    for (const bad of ['0d', '30', 'd', '1.5d', '3x', '']) assert.throws(() => parseDuration(bad), InvalidInputError, bad)
    assert.equal(formatDuration(30 * 24 * 3600_000), '30d')
    assert.equal(formatDuration(14 * 24 * 3600_000), '2w')
    assert.equal(formatDuration(90 * 60_000), '90m')
  })
})
