import { decodeNumber, decodeText, encodeNumber, encodeText, bytesToU64, u64ToBytes } from './keys.js'
import type { KeyCodec, ValueCodec } from './table.js'

/** Keys that are arena paths or names, in byte order. */
export const textKey = <K extends string = string>(): KeyCodec<K> => ({
  encode: (k) => encodeText(k),
  decode: (s) => decodeText(s) as K
})

/** Keys that are counters, in numeric order. */
export const numberKey: KeyCodec<number> = { encode: encodeNumber, decode: decodeNumber }

/** Values that are counters: 8 bytes big-endian. */
export const u64Value: ValueCodec<number> = { encode: u64ToBytes, decode: bytesToU64 }

/** Values that are UTF-8 text. */
export const textValue = <V extends string = string>(): ValueCodec<V> => ({
  encode: (v) => Buffer.from(v, 'utf8'),
  decode: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') as V
})

/** Values that are opaque bytes (store ids, settings). */
export const bytesValue: ValueCodec<Uint8Array> = { encode: (v) => v, decode: (b) => b }
