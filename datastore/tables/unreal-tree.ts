import { UnrealDirEntryValue, UnrealFileValue, UnrealInodeValue, UnrealKind } from '../schema/unreal.js'
import { numberKey, textKey, u64Value } from '../codecs.js'
import { decodeNumber, decodeText, encodeNumber, encodeText } from '../keys.js'
import { Table, type KeyCodec } from '../table.js'
import type { Store } from '../store.js'
import type { Hash } from '../types/hash.js'
import type { Version } from '../types/version.js'

/**
 * The unreal tree's tables (spec section 3): what this node knows of the
 * files on other peers, by inode. Keys put a directory's entries, a file's
 * per-peer entries and a peer's files each under one clean prefix, so every
 * listing is one range scan:
 *
 *   unreal-dir    <dirInode:16 hex>/<name>     -> {inode, kind}
 *   unreal-inode  <inode:16 hex>               -> {parent, name, kind, children}
 *   unreal-file   <fileInode:16 hex>/<peer>    -> version (peer "" = the chosen entry)
 *   unreal-peer   <peer>/<fileInode:16 hex>    -> catch-up generation
 *   unreal-gen    <peer>                       -> that peer's current generation
 *
 * Names and peer ids never contain `/` (path components, base58 ids), so the
 * `/` after a fixed-width number or a name always ends the prefix.
 */

export type UnrealEntryKind = 'file' | 'dir'

/** Inode 1 of every arena is its root (spec section 3). */
export const ROOT_INODE = 1

/** The peer key of a file's chosen entry; sorts before every real peer id. */
export const CHOSEN = ''

export interface DirEntryValue {
  inode: number
  kind: UnrealEntryKind
}

export interface InodeValue {
  parent: number
  name: string
  kind: UnrealEntryKind
  /** Directories: how many entries they hold. */
  children: number
}

/** A peer's version of a file, or (peer "") the chosen one with its blob and chain. */
export interface FileEntryValue {
  version: Version
  blobId?: number
  /** Hashes chosen before this one, oldest first; only on the chosen entry. */
  chain: Hash[]
  basisBlobId?: number
}

/** Plain Uint8Array views, not Buffers, so decoded hashes compare equal to computed ones. */
export const plain = (b: Uint8Array): Hash => new Uint8Array(b.buffer, b.byteOffset, b.byteLength) as Hash

const KIND_TO_PB = { file: UnrealKind.FILE, dir: UnrealKind.DIR } as const
const kindOf = (k: UnrealKind): UnrealEntryKind => k === UnrealKind.DIR ? 'dir' : 'file'

/** `<number:16 hex>/<text>` keys: all entries of one number share the prefix `<number>/`. */
function numberTextKey (): KeyCodec<[number, string]> {
  return {
    encode: ([n, text]) => `${encodeNumber(n)}/${encodeText(text)}`,
    decode: (s) => [decodeNumber(s.slice(0, 16)), decodeText(s.slice(17))]
  }
}

/** `<text>/<number:16 hex>` keys: all entries of one text share the prefix `<text>/`. */
function textNumberKey (): KeyCodec<[string, number]> {
  return {
    encode: ([text, n]) => `${encodeText(text)}/${encodeNumber(n)}`,
    decode: (s) => [decodeText(s.slice(0, -17)), decodeNumber(s.slice(-16))]
  }
}

export const unrealDirTable = new Table<[number, string], DirEntryValue>('unreal-dir', numberTextKey(), {
  encode: (v) => UnrealDirEntryValue.encode({ inode: v.inode, kind: KIND_TO_PB[v.kind] }),
  decode: (b) => {
    const v = UnrealDirEntryValue.decode(b)
    return { inode: v.inode, kind: kindOf(v.kind) }
  }
})

export const unrealInodeTable = new Table<number, InodeValue>('unreal-inode', numberKey, {
  encode: (v) => UnrealInodeValue.encode({ ...v, kind: KIND_TO_PB[v.kind] }),
  decode: (b) => {
    const v = UnrealInodeValue.decode(b)
    return { parent: v.parent, name: v.name, kind: kindOf(v.kind), children: v.children }
  }
})

export const unrealFileTable = new Table<[number, string], FileEntryValue>('unreal-file', numberTextKey(), {
  encode: (v) => UnrealFileValue.encode({
    hash: v.version.hash as Uint8Array<ArrayBuffer>,
    size: v.version.size,
    mtime: v.version.mtime,
    blobId: v.blobId,
    chain: v.chain as Array<Uint8Array<ArrayBuffer>>,
    basisBlobId: v.basisBlobId
  }),
  decode: (b) => {
    const v = UnrealFileValue.decode(b)
    const out: FileEntryValue = { version: { hash: plain(v.hash), size: v.size, mtime: v.mtime }, chain: v.chain.map(plain) }
    if (v.blobId != null) out.blobId = v.blobId
    if (v.basisBlobId != null) out.basisBlobId = v.basisBlobId
    return out
  }
})

export const unrealPeerTable = new Table<[string, number], number>('unreal-peer', textNumberKey(), u64Value)

/** Typed key builders (a bare array literal would not infer as a tuple). */
export const dirKey = (dirInode: number, name: string): [number, string] => [dirInode, name]
export const fileKey = (inode: number, peer: string): [number, string] => [inode, peer]
export const peerKey = (peer: string, inode: number): [string, number] => [peer, inode]
export const unrealGenTable = new Table<string, number>('unreal-gen', textKey(), u64Value)

/** Range scans over the tree tables, in the engine's terms. Writes go through a batch. */
export class UnrealTreeTables {
  constructor (private readonly store: Store) {}

  /** A directory's entries in name byte order: one range scan. */
  async * children (dirInode: number, options?: { signal?: AbortSignal }): AsyncGenerator<[string, DirEntryValue]> {
    for await (const [[, name], entry] of this.store.scan(unrealDirTable, { ...options, prefix: `${encodeNumber(dirInode)}/` })) {
      yield [name, entry]
    }
  }

  /** A file's entries: the chosen one (peer "") first, then each peer's. */
  async * fileEntries (inode: number): AsyncGenerator<[string, FileEntryValue]> {
    for await (const [[, peer], entry] of this.store.scan(unrealFileTable, { prefix: `${encodeNumber(inode)}/` })) {
      yield [peer, entry]
    }
  }

  /** The files a peer has, with the catch-up generation that last confirmed each. */
  async * peerFiles (peer: string, options?: { signal?: AbortSignal }): AsyncGenerator<[number, number]> {
    for await (const [[, inode], gen] of this.store.scan(unrealPeerTable, { ...options, prefix: `${encodeText(peer)}/` })) {
      yield [inode, gen]
    }
  }

  async inode (inode: number): Promise<InodeValue | undefined> {
    return await this.store.get(unrealInodeTable, inode)
  }

  async dirEntry (dirInode: number, name: string): Promise<DirEntryValue | undefined> {
    return await this.store.get(unrealDirTable, dirKey(dirInode, name))
  }
}

/** Every table of the tree, for deleting an arena's whole tree. */
export const UNREAL_TREE_TABLES = [unrealDirTable, unrealInodeTable, unrealFileTable, unrealPeerTable, unrealGenTable] as const
