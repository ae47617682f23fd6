/**
 * Builds OCFL objects on disk for the validator tests, written independently of the validator
 * so that the two cannot share a misreading of the spec, and edits them into faulty copies.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface VersionSpec {
  /** The whole logical state of the version: logical path to file content. */
  files: Record<string, string | Buffer>;
  message?: string;
  user?: { name: string; address?: string };
  created?: string;
}

export interface ObjectSpec {
  id: string;
  versions: VersionSpec[];
  digestAlgorithm?: 'sha512' | 'sha256';
  /** Fixity algorithms written for every content path; default sha256 and sm3, as Lantai does. */
  fixity?: string[];
  /** Written to the inventories only when given. */
  contentDirectory?: string;
  /** Zero-padded width of version numbers; unpadded when absent. */
  padding?: number;
}

/** Loose on purpose: the faults under test are inventories of the wrong shape. */
export type Json = any;

const NODE_NAMES: Record<string, string> = { 'blake2b-512': 'blake2b512', 'sha512/256': 'sha512-256' };

export function digest(algorithm: string, content: string | Buffer): string {
  return createHash(NODE_NAMES[algorithm] ?? algorithm).update(content).digest('hex');
}

export async function writeObject(dir: string, spec: ObjectSpec): Promise<void> {
  const algorithm = spec.digestAlgorithm ?? 'sha512';
  const fixityAlgorithms = spec.fixity ?? ['sha256', 'sm3'];
  const contentDir = spec.contentDirectory ?? 'content';
  const versionName = (n: number) => `v${spec.padding ? String(n).padStart(spec.padding, '0') : n}`;

  const manifest: Record<string, string[]> = {};
  const fixity: Record<string, Record<string, string[]>> = Object.fromEntries(fixityAlgorithms.map((a) => [a, {}]));
  const versions: Record<string, Json> = {};
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '0=ocfl_object_1.1'), 'ocfl_object_1.1\n');

  let inventoryText = '';
  for (const [i, version] of spec.versions.entries()) {
    const name = versionName(i + 1);
    const state: Record<string, string[]> = {};
    for (const [logical, content] of Object.entries(version.files)) {
      const d = digest(algorithm, content);
      if (!manifest[d]) {
        const contentPath = `${name}/${contentDir}/${logical}`;
        await mkdir(dirname(join(dir, contentPath)), { recursive: true });
        await writeFile(join(dir, contentPath), content);
        manifest[d] = [contentPath];
        for (const a of fixityAlgorithms) fixity[a]![digest(a, content)] = [contentPath];
      }
      (state[d] ??= []).push(logical);
    }
    versions[name] = {
      created: version.created ?? `2024-01-${String(i + 1).padStart(2, '0')}T08:00:00+08:00`,
      ...(version.message !== undefined ? { message: version.message } : {}),
      state,
      ...(version.user !== undefined ? { user: version.user } : {}),
    };
    const inventory = {
      id: spec.id,
      type: 'https://ocfl.io/1.1/spec/#inventory',
      digestAlgorithm: algorithm,
      head: name,
      ...(spec.contentDirectory !== undefined ? { contentDirectory: spec.contentDirectory } : {}),
      manifest,
      versions,
      ...(fixityAlgorithms.length ? { fixity } : {}),
    };
    inventoryText = JSON.stringify(inventory, null, 2);
    await mkdir(join(dir, name), { recursive: true });
    await writeText(dir, `${name}/inventory.json`, inventoryText, algorithm);
  }
  await writeText(dir, 'inventory.json', inventoryText, algorithm);
}

/** Writes an inventory and replaces whatever sidecars sat beside it with a correct one. */
export async function writeText(objectDir: string, rel: string, text: string, algorithm: string): Promise<void> {
  const dir = dirname(join(objectDir, rel));
  for (const name of await readdir(dir)) {
    if (name.startsWith('inventory.json.')) await rm(join(dir, name));
  }
  await writeFile(join(objectDir, rel), text);
  await writeFile(join(objectDir, `${rel}.${algorithm}`), `${digest(algorithm, Buffer.from(text))}  inventory.json\n`);
}

export async function readInventory(objectDir: string, rel = 'inventory.json'): Promise<Json> {
  return JSON.parse(await readFile(join(objectDir, rel), 'utf8'));
}

/** Edits each named inventory in place, keeping its sidecar right so only the edit is at fault. */
export async function editInventories(objectDir: string, rels: string[], edit: (inv: Json) => void): Promise<void> {
  for (const rel of rels) {
    const inv = await readInventory(objectDir, rel);
    edit(inv);
    const algorithm = typeof inv.digestAlgorithm === 'string' ? inv.digestAlgorithm : 'sha512';
    await writeText(objectDir, rel, JSON.stringify(inv, null, 2), algorithm);
  }
}

/** Every inventory of the object: the root one and one per version directory that has one. */
export async function inventoryFiles(objectDir: string): Promise<string[]> {
  const out = ['inventory.json'];
  for (const name of (await readdir(objectDir)).sort()) {
    if (/^v\d+$/.test(name) && (await readdir(join(objectDir, name))).includes('inventory.json')) out.push(`${name}/inventory.json`);
  }
  return out;
}

export async function editAllInventories(objectDir: string, edit: (inv: Json) => void): Promise<void> {
  await editInventories(objectDir, await inventoryFiles(objectDir), edit);
}

/** Renames a content path in the manifest and fixity blocks. */
export function moveContentPath(inv: Json, from: string, to: string): void {
  for (const block of [inv.manifest, ...Object.values(inv.fixity ?? {})] as Array<Record<string, string[]>>) {
    for (const paths of Object.values(block)) {
      const i = paths.indexOf(from);
      if (i !== -1) paths[i] = to;
    }
  }
}

/** Renames a logical path in one version's state. */
export function moveLogicalPath(inv: Json, version: string, from: string, to: string): void {
  for (const paths of Object.values(inv.versions[version].state) as string[][]) {
    const i = paths.indexOf(from);
    if (i !== -1) paths[i] = to;
  }
}

/**
 * Renames version directories and rewrites every inventory to match, giving a consistent object
 * whose only fault is the new naming. Renames run from the highest version down.
 */
export async function renameVersions(objectDir: string, names: Record<string, string>): Promise<void> {
  const rels = await inventoryFiles(objectDir);
  const mapPath = (p: string) => {
    const [v, ...rest] = p.split('/');
    return [names[v!] ?? v, ...rest].join('/');
  };
  for (const rel of rels) {
    const inv = await readInventory(objectDir, rel);
    inv.head = names[inv.head] ?? inv.head;
    inv.versions = Object.fromEntries(Object.entries(inv.versions).map(([k, v]) => [names[k] ?? k, v]));
    for (const block of [inv.manifest, ...Object.values(inv.fixity ?? {})] as Array<Record<string, string[]>>) {
      for (const [d, paths] of Object.entries(block)) block[d] = paths.map(mapPath);
    }
    await writeText(objectDir, rel, JSON.stringify(inv, null, 2), inv.digestAlgorithm);
  }
  for (const from of Object.keys(names).sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))) {
    await rename(join(objectDir, from), join(objectDir, names[from]!));
  }
}

export const PDF = '电子档案/关于2023年工作的通知.pdf';
export const ATTACHMENT = '电子档案/附件1.txt';
export const CATALOGUE = '元数据/著录.xml';
export const PDF_V1 = Buffer.from('%PDF-1.7\n关于2023年工作的通知（征求意见稿）\n%%EOF\n');
export const PDF_V2 = Buffer.from('%PDF-1.7\n关于2023年工作的通知（正式稿）\n%%EOF\n');
export const ATTACHMENT_TEXT = '附件1：2023年重点工作安排表\n';
export const CATALOGUE_XML = '<著录><题名>关于2023年工作的通知</题名><保管期限>Y</保管期限></著录>\n';

/** A two-version archival record: v2 replaces the PDF, keeps the attachment, adds a catalogue entry. */
export function sampleArchive(id = 'urn:lantai:A001-WS-2023-Y-0001'): ObjectSpec {
  return {
    id,
    versions: [
      {
        files: { [PDF]: PDF_V1, [ATTACHMENT]: ATTACHMENT_TEXT },
        message: '首次归档',
        user: { name: '张三', address: 'mailto:zhangsan@example.org' },
        created: '2024-01-15T09:30:00+08:00',
      },
      {
        files: { [PDF]: PDF_V2, [ATTACHMENT]: ATTACHMENT_TEXT, [CATALOGUE]: CATALOGUE_XML },
        message: '替换为正式稿并补充著录',
        user: { name: '李四', address: 'mailto:lisi@example.org' },
        created: '2024-03-01T02:00:00.250Z',
      },
    ],
  };
}
