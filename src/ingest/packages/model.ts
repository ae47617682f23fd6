/**
 * One internal model of a received transfer, whatever shape it arrived in: a carrier laid out by
 * the national transfer rules, DA/T 48 EEPs, a BagIt bag with Lantai's profile, or a DA/T 31
 * digitization deliverable. Later steps (four-property checks, acceptance, cataloguing) read only
 * this model.
 */
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

export interface TransferItem {
  /** Where it is in the package: 'row 12', 'record 3', the EEP file name… */
  key: string;
  /** The package's own element names → values (DA/T 46 names like 题名, 责任者, 档号 …). */
  metadata: Record<string, string>;
  /** The same mapped to Lantai core field names (title, responsible, archival_code, item_no …). */
  fields: Record<string, string | number>;
  files: TransferFile[];
  /** Set for EEP: the signature blocks found, left for a person or trust service to validate. */
  signatures?: Array<{ kind: string; signer?: string; algorithm?: string; id?: string; time?: string }>;
  /**
   * Set for a 修改型 EEP: 'original' for the entities of the 原封装包 kept inside it, 'revision'
   * for those of its 修订内容. An 原始型 EEP's items have no layer.
   */
  eepLayer?: 'original' | 'revision';
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
