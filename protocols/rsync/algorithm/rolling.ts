/**
 * rsync's weak rolling checksum: two 16-bit sums over a window of L bytes,
 *   a = Σ x_i            b = Σ (L - i)·x_i        (mod 2^16)
 * packed as `a | b << 16`. Sliding the window by one byte is O(1):
 *   a' = a - out + in    b' = b - L·out + a'
 * so the delta search can test every offset of the new data.
 */

/** The packed weak sum of `data[start, end)`. */
export function weakSum (data: Uint8Array, start: number, end: number): number {
  let a = 0
  let b = 0
  // a stays below 255 · 2^17 for the largest block; b wraps as an int32,
  // which keeps its low 16 bits exact and avoids a mask per byte.
  for (let i = start; i < end; i++) {
    a = a + data[i]!
    b = (b + a) | 0
  }
  return ((a & 0xffff) | (b << 16)) >>> 0
}

export function sumA (weak: number): number {
  return weak & 0xffff
}

export function sumB (weak: number): number {
  return weak >>> 16
}

/** One roll step, for tests and callers that do not keep a and b apart. */
export function roll (weak: number, out: number, inn: number, windowLength: number): number {
  const a = (sumA(weak) - out + inn) & 0xffff
  const b = (sumB(weak) - windowLength * out + a) & 0xffff
  return (a | (b << 16)) >>> 0
}
