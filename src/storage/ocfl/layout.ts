/**
 * The storage root's fixed files and its object layout: OCFL community extension
 * 0004-hashed-n-tuple-storage-layout with its default parameters. An object id, UTF-8 encoded,
 * is hashed with SHA-256; the first three 3-character tuples of the hex digest make the directory
 * hierarchy and the full digest names the object root, e.g. `3c0/ff4/240/3c0ff424…87d4`. Any id
 * (Chinese fonds codes included) maps to a short, portable, evenly spread path; the id itself is
 * recorded only in the object's inventory.
 */
import { createHash } from 'node:crypto';

export const ROOT_NAMASTE = '0=ocfl_1.1';
export const ROOT_NAMASTE_TEXT = 'ocfl_1.1\n';
export const OBJECT_NAMASTE = '0=ocfl_object_1.1';
export const OBJECT_NAMASTE_TEXT = 'ocfl_object_1.1\n';
export const LAYOUT_FILE = 'ocfl_layout.json';
export const LAYOUT_EXTENSION = '0004-hashed-n-tuple-storage-layout';
export const LAYOUT_CONFIG_FILE = `extensions/${LAYOUT_EXTENSION}/config.json`;
/** Storage-root document of the local extension that defines `sm3` for fixity blocks (spec §4.5). */
export const SM3_EXTENSION_FILE = 'lantai-sm3-digest-algorithm.md';

export const LAYOUT_CONFIG = {
  extensionName: LAYOUT_EXTENSION,
  digestAlgorithm: 'sha256',
  tupleSize: 3,
  numberOfTuples: 3,
  shortObjectRoot: false,
} as const;

export const LAYOUT_JSON = {
  extension: LAYOUT_EXTENSION,
  description:
    'Hashed N-tuple storage layout (OCFL extension 0004): the SHA-256 of the object id, split into three 3-character directories, then the full digest as the object root. 对象标识的 SHA-256 摘要，前 9 位分三级目录，完整摘要为对象根目录。',
};

/** Object root relative to the storage root. */
export function objectPath(id: string): string {
  const h = createHash(LAYOUT_CONFIG.digestAlgorithm).update(id, 'utf8').digest('hex');
  const tuples: string[] = [];
  for (let i = 0; i < LAYOUT_CONFIG.numberOfTuples; i++) tuples.push(h.slice(i * LAYOUT_CONFIG.tupleSize, (i + 1) * LAYOUT_CONFIG.tupleSize));
  return [...tuples, h].join('/');
}

export const SM3_EXTENSION_TEXT = `# Local extension: the \`sm3\` digest algorithm

* **Extension Name:** lantai-sm3-digest-algorithm
* **Authors:** Lantai (兰台) project
* **Minimum OCFL Version:** 1.0
* **Scope:** fixity blocks of the OCFL objects under this storage root

## Overview

OCFL 1.1 §3.4 (E026, E056) lets fixity blocks use the algorithms of the specification's table
or of an extension's table. Chinese archival practice requires SM3 digests for preserved files,
and SM3 is not in the registered extension 0009-digest-algorithms, so this storage root
documents it here as a local extension (OCFL 1.1 §4.5). Clients that do not support \`sm3\`
ignore it (E028); the objects' content addressing uses \`sha512\` only.

## Digest algorithms defined by this extension

| Digest Algorithm Name | Note |
| --- | --- |
| \`sm3\` | SM3 cryptographic hash algorithm of GB/T 32905-2016 (also ISO/IEC 10118-3:2018), 256-bit output. MUST be encoded using hex (base16) encoding [RFC4648], lowercase. For example, the \`sm3\` digest of a zero-length bitstream is \`1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b\` (64 hex digits long). |

## 说明

本存储根下 OCFL 对象的 fixity 区块中的 \`sm3\` 为国家标准 GB/T 32905-2016 规定的 SM3 密码杂凑算法，
以小写十六进制表示；空文件的 SM3 摘要如上表所示。
`;
