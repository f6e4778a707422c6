/**
 * Constants of repository format version 1 (docs/BACKUP_FORMAT.md). Changing any of them changes
 * the format: bump FORMAT_VERSION and keep reading the old one.
 */

/** The repository format this code writes and the newest it reads. */
export const FORMAT_VERSION = 1;

/** `format` field of the plaintext `config` file. */
export const CONFIG_FORMAT_NAME = 'tresor-backup-repository';

/** A pack is closed once its blobs reach this many bytes (one blob may overshoot it). */
export const PACK_TARGET_SIZE = 16 * 1024 * 1024;

/** What a blob holds. Stored as one byte in pack headers and index files. */
export const BlobType = { data: 0, tree: 1 } as const;
export type BlobType = (typeof BlobType)[keyof typeof BlobType];

/** How a blob's plaintext was compressed before encryption. One byte, recorded per blob. */
export const Codec = { none: 0, zstd: 1, brotli: 2 } as const;
export type Codec = (typeof Codec)[keyof typeof Codec];

export function isBlobType(value: number): value is BlobType {
  return value === BlobType.data || value === BlobType.tree;
}

export function isCodec(value: number): value is Codec {
  return value === Codec.none || value === Codec.zstd || value === Codec.brotli;
}

export function blobTypeName(type: BlobType): 'data' | 'tree' {
  return type === BlobType.data ? 'data' : 'tree';
}

/** Length of every blob, pack, index and snapshot id in bytes (hex in file names: twice that). */
export const ID_LENGTH = 32;
