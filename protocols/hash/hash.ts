import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HashRange {
  offset: number
  length: number
}

export namespace HashRange {
  let _codec: Codec<HashRange>

  export const codec = (): Codec<HashRange> => {
    if (_codec == null) {
      _codec = message<HashRange>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.length)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          offset: 0,
          length: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.offset = reader.uint64Number()
              break
            }
            case 2: {
              obj.length = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HashRangeOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface HashRangeLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export function encode (obj: Partial<HashRange>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HashRange.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HashRange>): HashRange {
    return decodeMessage(buf, HashRange.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HashRange>): Generator<HashRangeOffsetFieldEvent | HashRangeLengthFieldEvent> {
    return streamMessage(buf, HashRange.codec(), opts)
  }
}

export interface HashRequest {
  arena: string
  path: string
  hash: Uint8Array<ArrayBuffer>
  ranges: HashRange[]
}

export namespace HashRequest {
  let _codec: Codec<HashRequest>

  export const codec = (): Codec<HashRequest> => {
    if (_codec == null) {
      _codec = message<HashRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.arena != null && obj.arena !== '')) {
          w.uint32(10)
          w.string(obj.arena)
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(18)
          w.string(obj.path)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.hash)
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(34)
            HashRange.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          arena: '',
          path: '',
          hash: uint8ArrayAlloc(0),
          ranges: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.arena = reader.string()
              break
            }
            case 2: {
              obj.path = reader.string()
              break
            }
            case 3: {
              obj.hash = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(HashRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ranges: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.arena`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of HashRange.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HashRequestArenaFieldEvent {
    field: '$.arena'
    value: string
  }

  export interface HashRequestPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface HashRequestHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HashRequestRangesOffsetFieldEvent {
    field: '$.ranges[].offset'
    value: number
    index: number
  }

  export interface HashRequestRangesLengthFieldEvent {
    field: '$.ranges[].length'
    value: number
    index: number
  }

  export function encode (obj: Partial<HashRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HashRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HashRequest>): HashRequest {
    return decodeMessage(buf, HashRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HashRequest>): Generator<HashRequestArenaFieldEvent | HashRequestPathFieldEvent | HashRequestHashFieldEvent | HashRequestRangesOffsetFieldEvent | HashRequestRangesLengthFieldEvent> {
    return streamMessage(buf, HashRequest.codec(), opts)
  }
}

export interface HashResult {
  hash: Uint8Array<ArrayBuffer>
}

export namespace HashResult {
  let _codec: Codec<HashResult>

  export const codec = (): Codec<HashResult> => {
    if (_codec == null) {
      _codec = message<HashResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HashResultHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HashResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HashResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HashResult>): HashResult {
    return decodeMessage(buf, HashResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HashResult>): Generator<HashResultHashFieldEvent> {
    return streamMessage(buf, HashResult.codec(), opts)
  }
}
