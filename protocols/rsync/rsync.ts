import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RsyncRequest {
  arena: string
  path: string
  hash: Uint8Array<ArrayBuffer>
  offset: number
  length: number
  blockSize: number
  basisLength: number
  inPlace: boolean
}

export namespace RsyncRequest {
  let _codec: Codec<RsyncRequest>

  export const codec = (): Codec<RsyncRequest> => {
    if (_codec == null) {
      _codec = message<RsyncRequest>((obj, w, opts = {}) => {
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

        if ((obj.blockSize != null && obj.blockSize !== 0)) {
          w.uint32(48)
          w.uint32(obj.blockSize)
        }

        if ((obj.basisLength != null && obj.basisLength !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.basisLength)
        }

        if ((obj.inPlace != null && obj.inPlace !== false)) {
          w.uint32(64)
          w.bool(obj.inPlace)
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
          blockSize: 0,
          basisLength: 0,
          inPlace: false
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
              obj.blockSize = reader.uint32()
              break
            }
            case 7: {
              obj.basisLength = reader.uint64Number()
              break
            }
            case 8: {
              obj.inPlace = reader.bool()
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
              yield {
                field: `${prefix}.blockSize`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.basisLength`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.inPlace`,
                value: reader.bool()
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

  export interface RsyncRequestArenaFieldEvent {
    field: '$.arena'
    value: string
  }

  export interface RsyncRequestPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface RsyncRequestHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RsyncRequestOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface RsyncRequestLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface RsyncRequestBlockSizeFieldEvent {
    field: '$.blockSize'
    value: number
  }

  export interface RsyncRequestBasisLengthFieldEvent {
    field: '$.basisLength'
    value: number
  }

  export interface RsyncRequestInPlaceFieldEvent {
    field: '$.inPlace'
    value: boolean
  }

  export function encode (obj: Partial<RsyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RsyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RsyncRequest>): RsyncRequest {
    return decodeMessage(buf, RsyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RsyncRequest>): Generator<RsyncRequestArenaFieldEvent | RsyncRequestPathFieldEvent | RsyncRequestHashFieldEvent | RsyncRequestOffsetFieldEvent | RsyncRequestLengthFieldEvent | RsyncRequestBlockSizeFieldEvent | RsyncRequestBasisLengthFieldEvent | RsyncRequestInPlaceFieldEvent> {
    return streamMessage(buf, RsyncRequest.codec(), opts)
  }
}

export interface SignatureChunk {
  weak: Uint8Array<ArrayBuffer>
  strong: Uint8Array<ArrayBuffer>
}

export namespace SignatureChunk {
  let _codec: Codec<SignatureChunk>

  export const codec = (): Codec<SignatureChunk> => {
    if (_codec == null) {
      _codec = message<SignatureChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.weak != null && obj.weak.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.weak)
        }

        if ((obj.strong != null && obj.strong.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.strong)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          weak: uint8ArrayAlloc(0),
          strong: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.weak = reader.bytes()
              break
            }
            case 2: {
              obj.strong = reader.bytes()
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
                field: `${prefix}.weak`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.strong`,
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

  export interface SignatureChunkWeakFieldEvent {
    field: '$.weak'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignatureChunkStrongFieldEvent {
    field: '$.strong'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignatureChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignatureChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignatureChunk>): SignatureChunk {
    return decodeMessage(buf, SignatureChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignatureChunk>): Generator<SignatureChunkWeakFieldEvent | SignatureChunkStrongFieldEvent> {
    return streamMessage(buf, SignatureChunk.codec(), opts)
  }
}

export interface DeltaCopy {
  block: number
  count: number
}

export namespace DeltaCopy {
  let _codec: Codec<DeltaCopy>

  export const codec = (): Codec<DeltaCopy> => {
    if (_codec == null) {
      _codec = message<DeltaCopy>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.block != null && obj.block !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.block)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.count)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          block: 0,
          count: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.block = reader.uint64Number()
              break
            }
            case 2: {
              obj.count = reader.uint64Number()
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
                field: `${prefix}.block`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.count`,
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

  export interface DeltaCopyBlockFieldEvent {
    field: '$.block'
    value: number
  }

  export interface DeltaCopyCountFieldEvent {
    field: '$.count'
    value: number
  }

  export function encode (obj: Partial<DeltaCopy>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeltaCopy.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeltaCopy>): DeltaCopy {
    return decodeMessage(buf, DeltaCopy.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeltaCopy>): Generator<DeltaCopyBlockFieldEvent | DeltaCopyCountFieldEvent> {
    return streamMessage(buf, DeltaCopy.codec(), opts)
  }
}

export interface DeltaEnd {
  hash: Uint8Array<ArrayBuffer>
}

export namespace DeltaEnd {
  let _codec: Codec<DeltaEnd>

  export const codec = (): Codec<DeltaEnd> => {
    if (_codec == null) {
      _codec = message<DeltaEnd>((obj, w, opts = {}) => {
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

  export interface DeltaEndHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DeltaEnd>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeltaEnd.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeltaEnd>): DeltaEnd {
    return decodeMessage(buf, DeltaEnd.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeltaEnd>): Generator<DeltaEndHashFieldEvent> {
    return streamMessage(buf, DeltaEnd.codec(), opts)
  }
}

export interface RsyncReply {
  unchanged: boolean
  copy?: DeltaCopy
  literal?: Uint8Array<ArrayBuffer>
  end?: DeltaEnd
}

export namespace RsyncReply {
  let _codec: Codec<RsyncReply>

  export const codec = (): Codec<RsyncReply> => {
    if (_codec == null) {
      _codec = message<RsyncReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.unchanged != null && obj.unchanged !== false)) {
          w.uint32(8)
          w.bool(obj.unchanged)
        }

        if (obj.copy != null) {
          w.uint32(18)
          DeltaCopy.codec().encode(obj.copy, w)
        }

        if (obj.literal != null) {
          w.uint32(26)
          w.bytes(obj.literal)
        }

        if (obj.end != null) {
          w.uint32(34)
          DeltaEnd.codec().encode(obj.end, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          unchanged: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.unchanged = reader.bool()
              break
            }
            case 2: {
              obj.copy = DeltaCopy.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.copy
              })
              break
            }
            case 3: {
              obj.literal = reader.bytes()
              break
            }
            case 4: {
              obj.end = DeltaEnd.codec().decode(reader, reader.uint32(), {
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
              yield {
                field: `${prefix}.unchanged`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield * DeltaCopy.codec().stream(reader, reader.uint32(), `${prefix}.copy`, {
                limits: opts.limits?.copy
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.literal`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield * DeltaEnd.codec().stream(reader, reader.uint32(), `${prefix}.end`, {
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

  export interface RsyncReplyUnchangedFieldEvent {
    field: '$.unchanged'
    value: boolean
  }

  export interface RsyncReplyCopyBlockFieldEvent {
    field: '$.copy.block'
    value: number
  }

  export interface RsyncReplyCopyCountFieldEvent {
    field: '$.copy.count'
    value: number
  }

  export interface RsyncReplyLiteralFieldEvent {
    field: '$.literal'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RsyncReplyEndHashFieldEvent {
    field: '$.end.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RsyncReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RsyncReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RsyncReply>): RsyncReply {
    return decodeMessage(buf, RsyncReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RsyncReply>): Generator<RsyncReplyUnchangedFieldEvent | RsyncReplyCopyBlockFieldEvent | RsyncReplyCopyCountFieldEvent | RsyncReplyLiteralFieldEvent | RsyncReplyEndHashFieldEvent> {
    return streamMessage(buf, RsyncReply.codec(), opts)
  }
}
