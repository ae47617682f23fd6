/**
 * One internal model of a received transfer, whatever shape it arrived in: a carrier laid out by
 * the national transfer rules, DA/T 48 EEPs, a BagIt bag with Lantai's profile, or a DA/T 31
 * digitization deliverable. Later steps (four-property checks, acceptance, cataloguing) read only
 * this model.
 */
import type { Label } from '../../domain/errors.js';
import type { UnpackLimits } from '../unpack/limits.js';

export type PackageFormat = 'carrier' | 'eep' | 'bagit' | 'digitization';

export interface PackageFinding {
  code: string;
  /** zh-CN. */
  message: string;
  message_en: string;
  /** Errors make the package unacceptable as it stands; warnings are for a person to weigh. */
  severity?: 'error' | 'warning';
  item?: string;
  path?: string;
  details?: Record<string, unknown>;
}

export interface DeclaredDigest {
  algorithm: 'sm3' | 'sha256' | 'md5' | 'sha1' | 'sha512';
  value: string;
}

export interface TransferFile {
  /** Relative to the package root, '/'-separated, exactly as in the package (Chinese kept). */
  path: string;
  /** The logical name to keep in storage (the file's own name, or as the metadata names it). */
  name: string;
  /** Actual bytes on disk. */
  size: number;
  declaredSize?: number;
  /** As the metadata states (e.g. 'PDF', 'OFD', 'JPEG'). */
  declaredFormat?: string;
  declaredDigests: DeclaredDigest[];
}

/** A signature block found in a package (an EEP's 电子签名 or 锁定签名), for a person or trust service to validate. */
export interface Signature {
  kind: string;
  signer?: string;
  algorithm?: string;
  id?: string;
  time?: string;
}

/** The layers of a 修改型 EEP (DA/T 48-2009 修改封装内容): the package it modified, and each revision since. */
export type ItemLayer = 'original' | 'revision';

export const LAYER_LABELS: Readonly<Record<ItemLayer, Label>> = {
  original: { zh: '原封装包', en: 'original package' },
  revision: { zh: '修订内容', en: 'revision' },
};

/** An earlier state of an item that its package keeps beside the latest: its description, files and the signatures over them. */
export interface EarlierState {
  layer: ItemLayer;
  metadata: Record<string, string>;
  files: TransferFile[];
  signatures?: Signature[];
}

export interface TransferItem {
  /** Where it is in the package: 'row 12', 'record 3', the EEP file name… */
  key: string;
  /** The package's own element names → values (DA/T 46 names like 题名, 责任者, 档号 …). */
  metadata: Record<string, string>;
  /** The same mapped to Lantai core field names (title, responsible, archival_code, item_no …). */
  fields: Record<string, string | number>;
  files: TransferFile[];
  /** Set for EEP: the signature blocks covering this state of the item. */
  signatures?: Signature[];
  /**
   * The states the item went through before, oldest first, when its package keeps them: a
   * 修改型 EEP's 原封装包 (and that package's own 原封装包, when it too was a modification). The
   * item's description, files and signatures above are then its latest revision. The checks
   * examine the files of every state; accepting keeps each state as a version of the item's
   * preservation object, so the revision does not erase what was first sent.
   */
  previous?: EarlierState[];
}

/** One state of an item, with the key that points at it in findings and reports. */
export interface ItemState {
  key: string;
  files: TransferFile[];
  signatures: Signature[];
}

/** How findings and reports name one layer of an item: '修改.xml 原封装包'. */
export const layerKey = (key: string, layer: ItemLayer) => `${key} ${LAYER_LABELS[layer].zh}`;

/** An item's states, oldest first; the last is the item itself, its latest revision when there were earlier ones. */
export function itemStates(item: TransferItem): ItemState[] {
  const previous = item.previous ?? [];
  const state = (layer: ItemLayer, files: TransferFile[], signatures: Signature[] = []): ItemState => ({ key: layerKey(item.key, layer), files, signatures });
  if (previous.length === 0) return [{ key: item.key, files: item.files, signatures: item.signatures ?? [] }];
  return [...previous.map((s) => state(s.layer, s.files, s.signatures)), state('revision', item.files, item.signatures)];
}

export interface TransferPackage {
  format: PackageFormat;
  /** The unpacked directory. For EEP it is where `eep-content/` was written (see readPackage). */
  root: string;
  declared: {
    itemCount?: number;
    fileCount?: number;
    totalBytes?: number;
    sender?: string;
    receiver?: string;
    description?: string;
    raw?: Record<string, string>;
  };
  items: TransferItem[];
  /** Files present in the package but not referenced by any item (other than the description/directory files). */
  unreferencedFiles: string[];
  /** Files referenced by metadata but absent. */
  missingFiles: Array<{ item: string; path: string }>;
  /** Problems found while reading (metadata unreadable, bad encoding, XML refused…), each precise and bilingual. */
  findings: PackageFinding[];
  /** File (relative to root) → encoding detected (GB18030, UTF-8 …). */
  encodings: Record<string, string>;
}

export interface ReadPackageOptions {
  /** Where zips are unpacked and EEP content decoded; must exist or be creatable. */
  workDir: string;
  limits?: UnpackLimits;
  format?: PackageFormat;
}

export { readPackage } from './read.js';
