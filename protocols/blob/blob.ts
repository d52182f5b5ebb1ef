/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Compression {
  NONE = 'NONE',
  DEFLATE = 'DEFLATE',
  BROTLI = 'BROTLI'
}

enum __CompressionValues {
  NONE = 0,
  DEFLATE = 1,
  BROTLI = 2
}

export namespace Compression {
  export const codec = (): Codec<Compression> => {
    return enumeration<Compression>(__CompressionValues)
  }
}

export interface BlobRequest {
  arena: string
  path: string
  hash: Uint8Array<ArrayBuffer>
  offset: number
  length: number
  accept: number[]
}

export namespace BlobRequest {
  let _codec: Codec<BlobRequest>

  export const codec = (): Codec<BlobRequest> => {
    if (_codec == null) {
      _codec = message<BlobRequest>((obj, w, opts = {}) => {
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

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.length)
        }

        if (obj.accept != null && obj.accept.length > 0) {
          for (const value of obj.accept) {
            w.uint32(48)
            w.uint32(value)
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
          offset: 0,
          length: 0,
          accept: []
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
              obj.offset = reader.uint64Number()
              break
            }
            case 5: {
              obj.length = reader.uint64Number()
              break
            }
            case 6: {
              if (opts.limits?.accept != null && obj.accept.length === opts.limits.accept) {
                throw new MaxLengthError('Decode error - repeated field "accept" had too many elements')
              }

              obj.accept.push(reader.uint32())
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
          accept: 0
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
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              if (opts.limits?.accept != null && obj.accept === opts.limits.accept) {
                throw new MaxLengthError('Streaming decode error - repeated field "accept" had too many elements')
              }

              yield {
                field: `${prefix}.accept[]`,
                index: obj.accept,
                value: reader.uint32()
              }

              obj.accept++

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

  export interface BlobRequestArenaFieldEvent {
    field: '$.arena'
    value: string
  }

  export interface BlobRequestPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface BlobRequestHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlobRequestOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface BlobRequestLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface BlobRequestAcceptFieldEvent {
    field: '$.accept[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<BlobRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRequest>): BlobRequest {
    return decodeMessage(buf, BlobRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRequest>): Generator<BlobRequestArenaFieldEvent | BlobRequestPathFieldEvent | BlobRequestHashFieldEvent | BlobRequestOffsetFieldEvent | BlobRequestLengthFieldEvent | BlobRequestAcceptFieldEvent> {
    return streamMessage(buf, BlobRequest.codec(), opts)
  }
}

export interface BlobHeader {
  size: number
  codec: Compression
}

export namespace BlobHeader {
  let _codec: Codec<BlobHeader>

  export const codec = (): Codec<BlobHeader> => {
    if (_codec == null) {
      _codec = message<BlobHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.size)
        }

        if (obj.codec != null && __CompressionValues[obj.codec] !== 0) {
          w.uint32(16)
          Compression.codec().encode(obj.codec, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          size: 0,
          codec: Compression.NONE
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.size = reader.uint64Number()
              break
            }
            case 2: {
              obj.codec = Compression.codec().decode(reader)
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
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.codec`,
                value: Compression.codec().decode(reader)
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

  export interface BlobHeaderSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface BlobHeaderCodecFieldEvent {
    field: '$.codec'
    value: Compression
  }

  export function encode (obj: Partial<BlobHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobHeader>): BlobHeader {
    return decodeMessage(buf, BlobHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobHeader>): Generator<BlobHeaderSizeFieldEvent | BlobHeaderCodecFieldEvent> {
    return streamMessage(buf, BlobHeader.codec(), opts)
  }
}

export interface BlobChunk {
  data: Uint8Array<ArrayBuffer>
  codec: Compression
  rawLength: number
}

export namespace BlobChunk {
  let _codec: Codec<BlobChunk>

  export const codec = (): Codec<BlobChunk> => {
    if (_codec == null) {
      _codec = message<BlobChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.data)
        }

        if (obj.codec != null && __CompressionValues[obj.codec] !== 0) {
          w.uint32(16)
          Compression.codec().encode(obj.codec, w)
        }

        if ((obj.rawLength != null && obj.rawLength !== 0)) {
          w.uint32(24)
          w.uint32(obj.rawLength)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          data: uint8ArrayAlloc(0),
          codec: Compression.NONE,
          rawLength: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.data = reader.bytes()
              break
            }
            case 2: {
              obj.codec = Compression.codec().decode(reader)
              break
            }
            case 3: {
              obj.rawLength = reader.uint32()
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
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.codec`,
                value: Compression.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.rawLength`,
                value: reader.uint32()
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

  export interface BlobChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlobChunkCodecFieldEvent {
    field: '$.codec'
    value: Compression
  }

  export interface BlobChunkRawLengthFieldEvent {
    field: '$.rawLength'
    value: number
  }

  export function encode (obj: Partial<BlobChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobChunk>): BlobChunk {
    return decodeMessage(buf, BlobChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobChunk>): Generator<BlobChunkDataFieldEvent | BlobChunkCodecFieldEvent | BlobChunkRawLengthFieldEvent> {
    return streamMessage(buf, BlobChunk.codec(), opts)
  }
}

export interface BlobEnd {}

export namespace BlobEnd {
  let _codec: Codec<BlobEnd>

  export const codec = (): Codec<BlobEnd> => {
    if (_codec == null) {
      _codec = message<BlobEnd>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export function encode (obj: Partial<BlobEnd>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobEnd.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobEnd>): BlobEnd {
    return decodeMessage(buf, BlobEnd.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobEnd>): Generator<{}> {
    return streamMessage(buf, BlobEnd.codec(), opts)
  }
}

export interface BlobResponse {
  header?: BlobHeader
  chunk?: BlobChunk
  end?: BlobEnd
}

export namespace BlobResponse {
  let _codec: Codec<BlobResponse>

  export const codec = (): Codec<BlobResponse> => {
    if (_codec == null) {
      _codec = message<BlobResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.header != null) {
          w.uint32(10)
          BlobHeader.codec().encode(obj.header, w)
        }

        if (obj.chunk != null) {
          w.uint32(18)
          BlobChunk.codec().encode(obj.chunk, w)
        }

        if (obj.end != null) {
          w.uint32(26)
          BlobEnd.codec().encode(obj.end, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.header = BlobHeader.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.header
              })
              break
            }
            case 2: {
              obj.chunk = BlobChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chunk
              })
              break
            }
            case 3: {
              obj.end = BlobEnd.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.end
              })
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
              yield * BlobHeader.codec().stream(reader, reader.uint32(), `${prefix}.header`, {
                limits: opts.limits?.header
              })

              break
            }
            case 2: {
              yield * BlobChunk.codec().stream(reader, reader.uint32(), `${prefix}.chunk`, {
                limits: opts.limits?.chunk
              })

              break
            }
            case 3: {
              yield * BlobEnd.codec().stream(reader, reader.uint32(), `${prefix}.end`, {
                limits: opts.limits?.end
              })

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

  export interface BlobResponseHeaderSizeFieldEvent {
    field: '$.header.size'
    value: number
  }

  export interface BlobResponseHeaderCodecFieldEvent {
    field: '$.header.codec'
    value: Compression
  }

  export interface BlobResponseChunkDataFieldEvent {
    field: '$.chunk.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlobResponseChunkCodecFieldEvent {
    field: '$.chunk.codec'
    value: Compression
  }

  export interface BlobResponseChunkRawLengthFieldEvent {
    field: '$.chunk.rawLength'
    value: number
  }

  export function encode (obj: Partial<BlobResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobResponse>): BlobResponse {
    return decodeMessage(buf, BlobResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobResponse>): Generator<BlobResponseHeaderSizeFieldEvent | BlobResponseHeaderCodecFieldEvent | BlobResponseChunkDataFieldEvent | BlobResponseChunkCodecFieldEvent | BlobResponseChunkRawLengthFieldEvent> {
    return streamMessage(buf, BlobResponse.codec(), opts)
  }
}
