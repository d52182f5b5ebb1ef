import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface IndexValue {
  hash: Uint8Array<ArrayBuffer>
  size: number
  mtime: number
  outdatedBy?: Uint8Array<ArrayBuffer>
  removedByPeer?: boolean
  previous: Uint8Array<ArrayBuffer>[]
}

export namespace IndexValue {
  let _codec: Codec<IndexValue>

  export const codec = (): Codec<IndexValue> => {
    if (_codec == null) {
      _codec = message<IndexValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.mtime != null && obj.mtime !== 0)) {
          w.uint32(25)
          w.double(obj.mtime)
        }

        if (obj.outdatedBy != null) {
          w.uint32(34)
          w.bytes(obj.outdatedBy)
        }

        if (obj.removedByPeer != null) {
          w.uint32(40)
          w.bool(obj.removedByPeer)
        }

        if (obj.previous != null && obj.previous.length > 0) {
          for (const value of obj.previous) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          size: 0,
          mtime: 0,
          previous: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.mtime = reader.double()
              break
            }
            case 4: {
              obj.outdatedBy = reader.bytes()
              break
            }
            case 5: {
              obj.removedByPeer = reader.bool()
              break
            }
            case 6: {
              if (opts.limits?.previous != null && obj.previous.length === opts.limits.previous) {
                throw new MaxLengthError('Decode error - repeated field "previous" had too many elements')
              }

              obj.previous.push(reader.bytes())
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
          previous: 0
        }

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
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.mtime`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.outdatedBy`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.removedByPeer`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              if (opts.limits?.previous != null && obj.previous === opts.limits.previous) {
                throw new MaxLengthError('Streaming decode error - repeated field "previous" had too many elements')
              }

              yield {
                field: `${prefix}.previous[]`,
                index: obj.previous,
                value: reader.bytes()
              }

              obj.previous++

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

  export interface IndexValueHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IndexValueSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface IndexValueMtimeFieldEvent {
    field: '$.mtime'
    value: number
  }

  export interface IndexValueOutdatedByFieldEvent {
    field: '$.outdatedBy'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IndexValueRemovedByPeerFieldEvent {
    field: '$.removedByPeer'
    value: boolean
  }

  export interface IndexValuePreviousFieldEvent {
    field: '$.previous[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<IndexValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IndexValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexValue>): IndexValue {
    return decodeMessage(buf, IndexValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexValue>): Generator<IndexValueHashFieldEvent | IndexValueSizeFieldEvent | IndexValueMtimeFieldEvent | IndexValueOutdatedByFieldEvent | IndexValueRemovedByPeerFieldEvent | IndexValuePreviousFieldEvent> {
    return streamMessage(buf, IndexValue.codec(), opts)
  }
}

export interface HistoryValue {
  kind: HistoryValue.Kind
  path: string
  size: number
  mtime: number
  hash: Uint8Array<ArrayBuffer>
  oldHash: Uint8Array<ArrayBuffer>
}

export namespace HistoryValue {
  export enum Kind {
    ADD = 'ADD',
    REPLACE = 'REPLACE',
    REMOVE = 'REMOVE',
    DROP = 'DROP'
  }

  enum __KindValues {
    ADD = 0,
    REPLACE = 1,
    REMOVE = 2,
    DROP = 3
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<HistoryValue>

  export const codec = (): Codec<HistoryValue> => {
    if (_codec == null) {
      _codec = message<HistoryValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          HistoryValue.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(18)
          w.string(obj.path)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if ((obj.mtime != null && obj.mtime !== 0)) {
          w.uint32(33)
          w.double(obj.mtime)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.hash)
        }

        if ((obj.oldHash != null && obj.oldHash.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.oldHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.ADD,
          path: '',
          size: 0,
          mtime: 0,
          hash: uint8ArrayAlloc(0),
          oldHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = HistoryValue.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.path = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              obj.mtime = reader.double()
              break
            }
            case 5: {
              obj.hash = reader.bytes()
              break
            }
            case 6: {
              obj.oldHash = reader.bytes()
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
                field: `${prefix}.kind`,
                value: HistoryValue.Kind.codec().decode(reader)
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
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mtime`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.oldHash`,
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

  export interface HistoryValueKindFieldEvent {
    field: '$.kind'
    value: HistoryValue.Kind
  }

  export interface HistoryValuePathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface HistoryValueSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface HistoryValueMtimeFieldEvent {
    field: '$.mtime'
    value: number
  }

  export interface HistoryValueHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HistoryValueOldHashFieldEvent {
    field: '$.oldHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HistoryValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HistoryValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryValue>): HistoryValue {
    return decodeMessage(buf, HistoryValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryValue>): Generator<HistoryValueKindFieldEvent | HistoryValuePathFieldEvent | HistoryValueSizeFieldEvent | HistoryValueMtimeFieldEvent | HistoryValueHashFieldEvent | HistoryValueOldHashFieldEvent> {
    return streamMessage(buf, HistoryValue.codec(), opts)
  }
}

export interface PeerProgressValue {
  storeId: Uint8Array<ArrayBuffer>
  lastSeen: number
  lastActive: number
}

export namespace PeerProgressValue {
  let _codec: Codec<PeerProgressValue>

  export const codec = (): Codec<PeerProgressValue> => {
    if (_codec == null) {
      _codec = message<PeerProgressValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storeId != null && obj.storeId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storeId)
        }

        if ((obj.lastSeen != null && obj.lastSeen !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.lastSeen)
        }

        if ((obj.lastActive != null && obj.lastActive !== 0)) {
          w.uint32(25)
          w.double(obj.lastActive)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storeId: uint8ArrayAlloc(0),
          lastSeen: 0,
          lastActive: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.storeId = reader.bytes()
              break
            }
            case 2: {
              obj.lastSeen = reader.uint64Number()
              break
            }
            case 3: {
              obj.lastActive = reader.double()
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
                field: `${prefix}.storeId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.lastSeen`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.lastActive`,
                value: reader.double()
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

  export interface PeerProgressValueStoreIdFieldEvent {
    field: '$.storeId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PeerProgressValueLastSeenFieldEvent {
    field: '$.lastSeen'
    value: number
  }

  export interface PeerProgressValueLastActiveFieldEvent {
    field: '$.lastActive'
    value: number
  }

  export function encode (obj: Partial<PeerProgressValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerProgressValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerProgressValue>): PeerProgressValue {
    return decodeMessage(buf, PeerProgressValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerProgressValue>): Generator<PeerProgressValueStoreIdFieldEvent | PeerProgressValueLastSeenFieldEvent | PeerProgressValueLastActiveFieldEvent> {
    return streamMessage(buf, PeerProgressValue.codec(), opts)
  }
}
