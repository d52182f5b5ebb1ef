import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Subscribe {
  arena: string
  storeId: Uint8Array<ArrayBuffer>
  lastSeen: number
}

export namespace Subscribe {
  let _codec: Codec<Subscribe>

  export const codec = (): Codec<Subscribe> => {
    if (_codec == null) {
      _codec = message<Subscribe>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.arena != null && obj.arena !== '')) {
          w.uint32(10)
          w.string(obj.arena)
        }

        if ((obj.storeId != null && obj.storeId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.storeId)
        }

        if ((obj.lastSeen != null && obj.lastSeen !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.lastSeen)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          arena: '',
          storeId: uint8ArrayAlloc(0),
          lastSeen: 0
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
              obj.storeId = reader.bytes()
              break
            }
            case 3: {
              obj.lastSeen = reader.uint64Number()
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
                field: `${prefix}.storeId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.lastSeen`,
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

  export interface SubscribeArenaFieldEvent {
    field: '$.arena'
    value: string
  }

  export interface SubscribeStoreIdFieldEvent {
    field: '$.storeId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SubscribeLastSeenFieldEvent {
    field: '$.lastSeen'
    value: number
  }

  export function encode (obj: Partial<Subscribe>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Subscribe.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Subscribe>): Subscribe {
    return decodeMessage(buf, Subscribe.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Subscribe>): Generator<SubscribeArenaFieldEvent | SubscribeStoreIdFieldEvent | SubscribeLastSeenFieldEvent> {
    return streamMessage(buf, Subscribe.codec(), opts)
  }
}

export interface Ack {
  n: number
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.n)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          n: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.n = reader.uint64Number()
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
                field: `${prefix}.n`,
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

  export interface AckNFieldEvent {
    field: '$.n'
    value: number
  }

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckNFieldEvent> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

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

export interface Entry {
  n: number
  kind: Kind
  path: string
  size: number
  mtime: number
  hash: Uint8Array<ArrayBuffer>
  oldHash: Uint8Array<ArrayBuffer>
}

export namespace Entry {
  let _codec: Codec<Entry>

  export const codec = (): Codec<Entry> => {
    if (_codec == null) {
      _codec = message<Entry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.n)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(16)
          Kind.codec().encode(obj.kind, w)
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(26)
          w.string(obj.path)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.size)
        }

        if ((obj.mtime != null && obj.mtime !== 0)) {
          w.uint32(41)
          w.double(obj.mtime)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.hash)
        }

        if ((obj.oldHash != null && obj.oldHash.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.oldHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          n: 0,
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
              obj.n = reader.uint64Number()
              break
            }
            case 2: {
              obj.kind = Kind.codec().decode(reader)
              break
            }
            case 3: {
              obj.path = reader.string()
              break
            }
            case 4: {
              obj.size = reader.uint64Number()
              break
            }
            case 5: {
              obj.mtime = reader.double()
              break
            }
            case 6: {
              obj.hash = reader.bytes()
              break
            }
            case 7: {
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
                field: `${prefix}.n`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.kind`,
                value: Kind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.mtime`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
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

  export interface EntryNFieldEvent {
    field: '$.n'
    value: number
  }

  export interface EntryKindFieldEvent {
    field: '$.kind'
    value: Kind
  }

  export interface EntryPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface EntrySizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface EntryMtimeFieldEvent {
    field: '$.mtime'
    value: number
  }

  export interface EntryHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EntryOldHashFieldEvent {
    field: '$.oldHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Entry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Entry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Entry {
    return decodeMessage(buf, Entry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Generator<EntryNFieldEvent | EntryKindFieldEvent | EntryPathFieldEvent | EntrySizeFieldEvent | EntryMtimeFieldEvent | EntryHashFieldEvent | EntryOldHashFieldEvent> {
    return streamMessage(buf, Entry.codec(), opts)
  }
}

export interface File {
  path: string
  size: number
  mtime: number
  hash: Uint8Array<ArrayBuffer>
  previous: Uint8Array<ArrayBuffer>[]
}

export namespace File {
  let _codec: Codec<File>

  export const codec = (): Codec<File> => {
    if (_codec == null) {
      _codec = message<File>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(10)
          w.string(obj.path)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.mtime != null && obj.mtime !== 0)) {
          w.uint32(25)
          w.double(obj.mtime)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.hash)
        }

        if (obj.previous != null && obj.previous.length > 0) {
          for (const value of obj.previous) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          path: '',
          size: 0,
          mtime: 0,
          hash: uint8ArrayAlloc(0),
          previous: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.path = reader.string()
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
              obj.hash = reader.bytes()
              break
            }
            case 5: {
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
                field: `${prefix}.path`,
                value: reader.string()
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
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
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

  export interface FilePathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface FileSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface FileMtimeFieldEvent {
    field: '$.mtime'
    value: number
  }

  export interface FileHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FilePreviousFieldEvent {
    field: '$.previous[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<File>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, File.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<File>): File {
    return decodeMessage(buf, File.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<File>): Generator<FilePathFieldEvent | FileSizeFieldEvent | FileMtimeFieldEvent | FileHashFieldEvent | FilePreviousFieldEvent> {
    return streamMessage(buf, File.codec(), opts)
  }
}

export interface Removed {
  path: string
  hashes: Uint8Array<ArrayBuffer>[]
}

export namespace Removed {
  let _codec: Codec<Removed>

  export const codec = (): Codec<Removed> => {
    if (_codec == null) {
      _codec = message<Removed>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(10)
          w.string(obj.path)
        }

        if (obj.hashes != null && obj.hashes.length > 0) {
          for (const value of obj.hashes) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          path: '',
          hashes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.path = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.hashes != null && obj.hashes.length === opts.limits.hashes) {
                throw new MaxLengthError('Decode error - repeated field "hashes" had too many elements')
              }

              obj.hashes.push(reader.bytes())
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
          hashes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.hashes != null && obj.hashes === opts.limits.hashes) {
                throw new MaxLengthError('Streaming decode error - repeated field "hashes" had too many elements')
              }

              yield {
                field: `${prefix}.hashes[]`,
                index: obj.hashes,
                value: reader.bytes()
              }

              obj.hashes++

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

  export interface RemovedPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface RemovedHashesFieldEvent {
    field: '$.hashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Removed>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Removed.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Removed>): Removed {
    return decodeMessage(buf, Removed.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Removed>): Generator<RemovedPathFieldEvent | RemovedHashesFieldEvent> {
    return streamMessage(buf, Removed.codec(), opts)
  }
}

export interface Publication {
  start?: Start
  files: File[]
  complete?: Complete
  entries: Entry[]
  removed: Removed[]
}

export namespace Publication {
  let _codec: Codec<Publication>

  export const codec = (): Codec<Publication> => {
    if (_codec == null) {
      _codec = message<Publication>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.start != null) {
          w.uint32(10)
          Start.codec().encode(obj.start, w)
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(18)
            File.codec().encode(value, w)
          }
        }

        if (obj.complete != null) {
          w.uint32(26)
          Complete.codec().encode(obj.complete, w)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(34)
            Entry.codec().encode(value, w)
          }
        }

        if (obj.removed != null && obj.removed.length > 0) {
          for (const value of obj.removed) {
            w.uint32(42)
            Removed.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          files: [],
          entries: [],
          removed: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.start = Start.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.start
              })
              break
            }
            case 2: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(File.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
              }))
              break
            }
            case 3: {
              obj.complete = Complete.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.complete
              })
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 5: {
              if (opts.limits?.removed != null && obj.removed.length === opts.limits.removed) {
                throw new MaxLengthError('Decode error - repeated field "removed" had too many elements')
              }

              obj.removed.push(Removed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.removed$
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
          files: 0,
          entries: 0,
          removed: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Start.codec().stream(reader, reader.uint32(), `${prefix}.start`, {
                limits: opts.limits?.start
              })

              break
            }
            case 2: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of File.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

              break
            }
            case 3: {
              yield * Complete.codec().stream(reader, reader.uint32(), `${prefix}.complete`, {
                limits: opts.limits?.complete
              })

              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of Entry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 5: {
              if (opts.limits?.removed != null && obj.removed === opts.limits.removed) {
                throw new MaxLengthError('Streaming decode error - repeated field "removed" had too many elements')
              }

              for (const evt of Removed.codec().stream(reader, reader.uint32(), `${prefix}.removed[]`, {
                limits: opts.limits?.removed$
              })) {
                yield {
                  ...evt,
                  index: obj.removed
                }
              }

              obj.removed++

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

  export interface PublicationStartStoreIdFieldEvent {
    field: '$.start.storeId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublicationStartCatchupFieldEvent {
    field: '$.start.catchup'
    value: boolean
  }

  export interface PublicationStartLastNFieldEvent {
    field: '$.start.lastN'
    value: number
  }

  export interface PublicationFilesPathFieldEvent {
    field: '$.files[].path'
    value: string
    index: number
  }

  export interface PublicationFilesSizeFieldEvent {
    field: '$.files[].size'
    value: number
    index: number
  }

  export interface PublicationFilesMtimeFieldEvent {
    field: '$.files[].mtime'
    value: number
    index: number
  }

  export interface PublicationFilesHashFieldEvent {
    field: '$.files[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PublicationFilesPreviousFieldEvent {
    field: '$.files[].previous[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PublicationCompleteNFieldEvent {
    field: '$.complete.n'
    value: number
  }

  export interface PublicationEntriesNFieldEvent {
    field: '$.entries[].n'
    value: number
    index: number
  }

  export interface PublicationEntriesKindFieldEvent {
    field: '$.entries[].kind'
    value: Kind
    index: number
  }

  export interface PublicationEntriesPathFieldEvent {
    field: '$.entries[].path'
    value: string
    index: number
  }

  export interface PublicationEntriesSizeFieldEvent {
    field: '$.entries[].size'
    value: number
    index: number
  }

  export interface PublicationEntriesMtimeFieldEvent {
    field: '$.entries[].mtime'
    value: number
    index: number
  }

  export interface PublicationEntriesHashFieldEvent {
    field: '$.entries[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PublicationEntriesOldHashFieldEvent {
    field: '$.entries[].oldHash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PublicationRemovedPathFieldEvent {
    field: '$.removed[].path'
    value: string
    index: number
  }

  export interface PublicationRemovedHashesFieldEvent {
    field: '$.removed[].hashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Publication>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Publication.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Publication>): Publication {
    return decodeMessage(buf, Publication.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Publication>): Generator<PublicationStartStoreIdFieldEvent | PublicationStartCatchupFieldEvent | PublicationStartLastNFieldEvent | PublicationFilesPathFieldEvent | PublicationFilesSizeFieldEvent | PublicationFilesMtimeFieldEvent | PublicationFilesHashFieldEvent | PublicationFilesPreviousFieldEvent | PublicationCompleteNFieldEvent | PublicationEntriesNFieldEvent | PublicationEntriesKindFieldEvent | PublicationEntriesPathFieldEvent | PublicationEntriesSizeFieldEvent | PublicationEntriesMtimeFieldEvent | PublicationEntriesHashFieldEvent | PublicationEntriesOldHashFieldEvent | PublicationRemovedPathFieldEvent | PublicationRemovedHashesFieldEvent> {
    return streamMessage(buf, Publication.codec(), opts)
  }
}

export interface Start {
  storeId: Uint8Array<ArrayBuffer>
  catchup: boolean
  lastN: number
}

export namespace Start {
  let _codec: Codec<Start>

  export const codec = (): Codec<Start> => {
    if (_codec == null) {
      _codec = message<Start>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storeId != null && obj.storeId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storeId)
        }

        if ((obj.catchup != null && obj.catchup !== false)) {
          w.uint32(16)
          w.bool(obj.catchup)
        }

        if ((obj.lastN != null && obj.lastN !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.lastN)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storeId: uint8ArrayAlloc(0),
          catchup: false,
          lastN: 0
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
              obj.catchup = reader.bool()
              break
            }
            case 3: {
              obj.lastN = reader.uint64Number()
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
                field: `${prefix}.catchup`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.lastN`,
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

  export interface StartStoreIdFieldEvent {
    field: '$.storeId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StartCatchupFieldEvent {
    field: '$.catchup'
    value: boolean
  }

  export interface StartLastNFieldEvent {
    field: '$.lastN'
    value: number
  }

  export function encode (obj: Partial<Start>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Start.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Start>): Start {
    return decodeMessage(buf, Start.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Start>): Generator<StartStoreIdFieldEvent | StartCatchupFieldEvent | StartLastNFieldEvent> {
    return streamMessage(buf, Start.codec(), opts)
  }
}

export interface Complete {
  n: number
}

export namespace Complete {
  let _codec: Codec<Complete>

  export const codec = (): Codec<Complete> => {
    if (_codec == null) {
      _codec = message<Complete>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.n)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          n: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.n = reader.uint64Number()
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
                field: `${prefix}.n`,
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

  export interface CompleteNFieldEvent {
    field: '$.n'
    value: number
  }

  export function encode (obj: Partial<Complete>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Complete.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Complete>): Complete {
    return decodeMessage(buf, Complete.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Complete>): Generator<CompleteNFieldEvent> {
    return streamMessage(buf, Complete.codec(), opts)
  }
}
