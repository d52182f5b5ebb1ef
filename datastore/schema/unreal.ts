import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum UnrealKind {
  FILE = 'FILE',
  DIR = 'DIR'
}

enum __UnrealKindValues {
  FILE = 0,
  DIR = 1
}

export namespace UnrealKind {
  export const codec = (): Codec<UnrealKind> => {
    return enumeration<UnrealKind>(__UnrealKindValues)
  }
}

export interface UnrealDirEntryValue {
  inode: number
  kind: UnrealKind
}

export namespace UnrealDirEntryValue {
  let _codec: Codec<UnrealDirEntryValue>

  export const codec = (): Codec<UnrealDirEntryValue> => {
    if (_codec == null) {
      _codec = message<UnrealDirEntryValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.inode != null && obj.inode !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.inode)
        }

        if (obj.kind != null && __UnrealKindValues[obj.kind] !== 0) {
          w.uint32(16)
          UnrealKind.codec().encode(obj.kind, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          inode: 0,
          kind: UnrealKind.FILE
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.inode = reader.uint64Number()
              break
            }
            case 2: {
              obj.kind = UnrealKind.codec().decode(reader)
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
                field: `${prefix}.inode`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.kind`,
                value: UnrealKind.codec().decode(reader)
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

  export interface UnrealDirEntryValueInodeFieldEvent {
    field: '$.inode'
    value: number
  }

  export interface UnrealDirEntryValueKindFieldEvent {
    field: '$.kind'
    value: UnrealKind
  }

  export function encode (obj: Partial<UnrealDirEntryValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnrealDirEntryValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnrealDirEntryValue>): UnrealDirEntryValue {
    return decodeMessage(buf, UnrealDirEntryValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnrealDirEntryValue>): Generator<UnrealDirEntryValueInodeFieldEvent | UnrealDirEntryValueKindFieldEvent> {
    return streamMessage(buf, UnrealDirEntryValue.codec(), opts)
  }
}

export interface UnrealInodeValue {
  parent: number
  name: string
  kind: UnrealKind
  children: number
}

export namespace UnrealInodeValue {
  let _codec: Codec<UnrealInodeValue>

  export const codec = (): Codec<UnrealInodeValue> => {
    if (_codec == null) {
      _codec = message<UnrealInodeValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.parent != null && obj.parent !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.parent)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if (obj.kind != null && __UnrealKindValues[obj.kind] !== 0) {
          w.uint32(24)
          UnrealKind.codec().encode(obj.kind, w)
        }

        if ((obj.children != null && obj.children !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.children)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          parent: 0,
          name: '',
          kind: UnrealKind.FILE,
          children: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.parent = reader.uint64Number()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.kind = UnrealKind.codec().decode(reader)
              break
            }
            case 4: {
              obj.children = reader.uint64Number()
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
                field: `${prefix}.parent`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: UnrealKind.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.children`,
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

  export interface UnrealInodeValueParentFieldEvent {
    field: '$.parent'
    value: number
  }

  export interface UnrealInodeValueNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface UnrealInodeValueKindFieldEvent {
    field: '$.kind'
    value: UnrealKind
  }

  export interface UnrealInodeValueChildrenFieldEvent {
    field: '$.children'
    value: number
  }

  export function encode (obj: Partial<UnrealInodeValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnrealInodeValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnrealInodeValue>): UnrealInodeValue {
    return decodeMessage(buf, UnrealInodeValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnrealInodeValue>): Generator<UnrealInodeValueParentFieldEvent | UnrealInodeValueNameFieldEvent | UnrealInodeValueKindFieldEvent | UnrealInodeValueChildrenFieldEvent> {
    return streamMessage(buf, UnrealInodeValue.codec(), opts)
  }
}

export interface UnrealFileValue {
  hash: Uint8Array<ArrayBuffer>
  size: number
  mtime: number
  blobId?: number
  chain: Uint8Array<ArrayBuffer>[]
  basisBlobId?: number
}

export namespace UnrealFileValue {
  let _codec: Codec<UnrealFileValue>

  export const codec = (): Codec<UnrealFileValue> => {
    if (_codec == null) {
      _codec = message<UnrealFileValue>((obj, w, opts = {}) => {
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

        if (obj.blobId != null) {
          w.uint32(32)
          w.uint64Number(obj.blobId)
        }

        if (obj.chain != null && obj.chain.length > 0) {
          for (const value of obj.chain) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (obj.basisBlobId != null) {
          w.uint32(48)
          w.uint64Number(obj.basisBlobId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          size: 0,
          mtime: 0,
          chain: []
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
              obj.blobId = reader.uint64Number()
              break
            }
            case 5: {
              if (opts.limits?.chain != null && obj.chain.length === opts.limits.chain) {
                throw new MaxLengthError('Decode error - repeated field "chain" had too many elements')
              }

              obj.chain.push(reader.bytes())
              break
            }
            case 6: {
              obj.basisBlobId = reader.uint64Number()
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
          chain: 0
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
                field: `${prefix}.blobId`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              if (opts.limits?.chain != null && obj.chain === opts.limits.chain) {
                throw new MaxLengthError('Streaming decode error - repeated field "chain" had too many elements')
              }

              yield {
                field: `${prefix}.chain[]`,
                index: obj.chain,
                value: reader.bytes()
              }

              obj.chain++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.basisBlobId`,
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

  export interface UnrealFileValueHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnrealFileValueSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface UnrealFileValueMtimeFieldEvent {
    field: '$.mtime'
    value: number
  }

  export interface UnrealFileValueBlobIdFieldEvent {
    field: '$.blobId'
    value: number
  }

  export interface UnrealFileValueChainFieldEvent {
    field: '$.chain[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnrealFileValueBasisBlobIdFieldEvent {
    field: '$.basisBlobId'
    value: number
  }

  export function encode (obj: Partial<UnrealFileValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnrealFileValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnrealFileValue>): UnrealFileValue {
    return decodeMessage(buf, UnrealFileValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnrealFileValue>): Generator<UnrealFileValueHashFieldEvent | UnrealFileValueSizeFieldEvent | UnrealFileValueMtimeFieldEvent | UnrealFileValueBlobIdFieldEvent | UnrealFileValueChainFieldEvent | UnrealFileValueBasisBlobIdFieldEvent> {
    return streamMessage(buf, UnrealFileValue.codec(), opts)
  }
}

export interface InodeRangeValue {
  next: number
  end: number
}

export namespace InodeRangeValue {
  let _codec: Codec<InodeRangeValue>

  export const codec = (): Codec<InodeRangeValue> => {
    if (_codec == null) {
      _codec = message<InodeRangeValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.next != null && obj.next !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.next)
        }

        if ((obj.end != null && obj.end !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.end)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          next: 0,
          end: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.next = reader.uint64Number()
              break
            }
            case 2: {
              obj.end = reader.uint64Number()
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
                field: `${prefix}.next`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.end`,
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

  export interface InodeRangeValueNextFieldEvent {
    field: '$.next'
    value: number
  }

  export interface InodeRangeValueEndFieldEvent {
    field: '$.end'
    value: number
  }

  export function encode (obj: Partial<InodeRangeValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InodeRangeValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InodeRangeValue>): InodeRangeValue {
    return decodeMessage(buf, InodeRangeValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InodeRangeValue>): Generator<InodeRangeValueNextFieldEvent | InodeRangeValueEndFieldEvent> {
    return streamMessage(buf, InodeRangeValue.codec(), opts)
  }
}

export interface InodeRangeAllocationValue {
  arena: string
  start: number
}

export namespace InodeRangeAllocationValue {
  let _codec: Codec<InodeRangeAllocationValue>

  export const codec = (): Codec<InodeRangeAllocationValue> => {
    if (_codec == null) {
      _codec = message<InodeRangeAllocationValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.arena != null && obj.arena !== '')) {
          w.uint32(10)
          w.string(obj.arena)
        }

        if ((obj.start != null && obj.start !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.start)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          arena: '',
          start: 0
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
              obj.start = reader.uint64Number()
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
                field: `${prefix}.start`,
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

  export interface InodeRangeAllocationValueArenaFieldEvent {
    field: '$.arena'
    value: string
  }

  export interface InodeRangeAllocationValueStartFieldEvent {
    field: '$.start'
    value: number
  }

  export function encode (obj: Partial<InodeRangeAllocationValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InodeRangeAllocationValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InodeRangeAllocationValue>): InodeRangeAllocationValue {
    return decodeMessage(buf, InodeRangeAllocationValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InodeRangeAllocationValue>): Generator<InodeRangeAllocationValueArenaFieldEvent | InodeRangeAllocationValueStartFieldEvent> {
    return streamMessage(buf, InodeRangeAllocationValue.codec(), opts)
  }
}
