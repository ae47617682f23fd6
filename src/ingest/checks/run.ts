/**
 * 四性检测 of a received transfer package (DA/T 70-2018, 移交与接收环节). Every check in the
 * catalogue at that stage gets a result; none is reported as passed unless Lantai actually
 * verified it — what needs a person or a trust service comes back as `manual`, with what to
 * look at.
 */
import { normalizeCode, parseCode, STANDARD_TEMPLATES } from '../../domain/archival-code.js';
import type { Label } from '../../domain/errors.js';
import { type CheckSeverity, checksForStage, PROPERTY_LABELS } from '../../domain/four-property-checks.js';
import { isHexDigest } from '../../storage/digests.js';
import { extensionOf } from '../../storage/format/identify.js';
import { FORMATS } from '../../storage/format/formats.js';
import { itemStates, type PackageFinding, type TransferFile, type TransferItem, type TransferPackage } from '../packages/model.js';
import { examineFile, type FileFacts, type FileFailure, referencedFiles, type TreeFile, walkTree } from './files.js';
import { inParallel } from '../../platform/concurrency.js';
import { checkItemMetadata, DAT46_REQUIRED_ELEMENTS, METADATA_CHECKS } from './metadata.js';
import { checkNumbering } from './numbering.js';
import type { CheckConfig, CheckEnv, CheckOutcome, CheckReport, CheckResult, Offending, ScanVerdict } from './types.js';

/**
 * Files examined at once. Hashing runs on the digest workers (one per core), format probing and
 * PDF parsing here: enough files in flight keep both busy and hide the reads.
 */
const CONCURRENCY = 4;

/** 《电子档案移交与接收办法》 directory files: GB18030, GB2312 or UTF-8 (domain.md §4.7); ASCII is a subset of all three. */
const DIRECTORY_ENCODINGS = new Set(['UTF8', 'GB18030', 'GB2312', 'ASCII', 'USASCII']);

const COMPRESSED = new Set(['zip', 'rar', '7z', 'gzip']);

interface Outcome {
  offending: Offending[];
  /** Defaults to fail when anything is offending, else pass. */
  result?: CheckOutcome;
  note?: Label;
}

interface Context {
  pkg: TransferPackage;
  env: CheckEnv;
  facts: Map<string, FileFacts | FileFailure>;
  tree: TreeFile[] | FileFailure;
  metadata: Map<string, Offending[]>;
  virus: ScanVerdict[] | null;
}

const isFacts = (f: FileFacts | FileFailure | undefined): f is FileFacts => f !== undefined && !('error' in f);

/**
 * Every file of every state of every item (see TransferItem.previous), with the key the report
 * names the state by and the state's place among the item's states.
 */
function* fileRefs(pkg: TransferPackage): Generator<{ item: TransferItem; key: string; state: number; file: TransferFile }> {
  for (const item of pkg.items) {
    for (const [state, { key, files }] of itemStates(item).entries()) for (const file of files) yield { item, key, state, file };
  }
}

/**
 * Where each reader finding (ingest/packages) belongs. null: the check makes the same comparison
 * itself from the model (declared counts, unreferenced scans), so the finding would only repeat it.
 */
export const FINDING_ROUTES: Readonly<Record<string, string | null>> = {
  PACKAGE_ITEM_COUNT_MISMATCH: null,
  PACKAGE_FILE_COUNT_MISMATCH: null,
  PACKAGE_BYTES_MISMATCH: null,
  DIGITIZATION_SCAN_UNMATCHED: null,
  FILE_SIZE_MISMATCH: null,
  DECLARED_DIGEST_UNREADABLE: 'LT-YJ-1-1-1',
  XML_DTD_REFUSED: METADATA_CHECKS.readable,
  CARRIER_DESCRIPTION_ENCODING: 'LT-YJ-1-12',
  CARRIER_FILE_PATH_INVALID: 'LT-YJ-1-11',
  BAG_CATALOGUE_PATH_INVALID: 'LT-YJ-1-11',
  DIGITIZATION_CATALOGUE_UNREADABLE: METADATA_CHECKS.readable,
  DIGITIZATION_DUPLICATE_CODE: 'YJ-1-8',
  DIGITIZATION_PAGE_COUNT_MISMATCH: 'LT-YJ-1-10',
  DIGITIZATION_ROW_NO_CODE: METADATA_CHECKS.mandatory,
  DIGITIZATION_ROW_UNMATCHED: 'LT-YJ-2-7',
  EEP_CONTENT_INVALID: 'LT-YJ-3-4',
  EEP_CONTENT_MISSING: 'LT-YJ-2-7',
  EEP_UNSIGNED: 'LT-YJ-1-1-2',
};

/**
 * The check a reader finding belongs to, or null when the check repeats it. Codes not in the
 * table go by their vocabulary: parse and encoding failures are metadata readability,
 * description and directory files are GD-1-12, the rest is package structure.
 */
export function findingCheck(code: string): string | null {
  const routed = FINDING_ROUTES[code];
  if (routed !== undefined) return routed;
  if (/ENCODING|MALFORMED|PARSE|UNREADABLE|DECODE/.test(code)) return METADATA_CHECKS.readable;
  if (/DESCRIPTION|DIRECTORY|CATALOG|MANIFEST|TAG_?FILE|BAG_?INFO|REGISTER/.test(code)) return 'LT-YJ-1-12';
  return 'LT-YJ-1-13';
}

function findingOffending(f: PackageFinding): Offending {
  const warning = f.severity === 'warning';
  const o: Offending = { reason: warning ? `提示：${f.message}` : f.message, reason_en: warning ? `Warning: ${f.message_en}` : f.message_en };
  if (f.item !== undefined) o.item = f.item;
  if (f.path !== undefined) o.path = f.path;
  return o;
}

/**
 * Adds the reader's findings to a check's own outcome. An error finding fails the check; a
 * warning is listed for a person to weigh and does not change the result on its own.
 */
function withFindings(outcome: Outcome, findings: readonly PackageFinding[]): Outcome {
  if (findings.length === 0) return outcome;
  const offending = [...findings.map(findingOffending), ...outcome.offending];
  const own = outcome.result ?? (outcome.offending.length > 0 ? 'fail' : 'pass');
  const merged: Outcome = { offending, result: findings.some((f) => f.severity !== 'warning') ? 'fail' : own };
  if (outcome.note) merged.note = outcome.note;
  return merged;
}

const manual = (zh: string, en: string, offending: Offending[] = []): Outcome => ({ offending, result: 'manual', note: { zh, en } });
const notApplicable = (zh: string, en: string): Outcome => ({ offending: [], result: 'na', note: { zh, en } });

function formatMatches(declared: string, facts: FileFacts): boolean {
  const d = declared.trim().toLowerCase().replace(/^\./, '').replace(/\s+/g, '');
  const { formatId, name, mime } = facts.record;
  const info = FORMATS[formatId as keyof typeof FORMATS];
  const accepted = new Set<string>([formatId, name.toLowerCase().replace(/\s+/g, ''), mime, ...(info?.extensions ?? [])]);
  if (formatId.startsWith('pdfa-')) ['pdf', 'pdf/a', 'pdfa'].forEach((a) => accepted.add(a));
  // "PDF 1.7", "OFD v1.0": a version after the name still names the format.
  return accepted.has(d) || accepted.has(d.replace(/[-_]?v?\d+(\.\d+)*$/, ''));
}

const pagesEn = (n: number) => (n === 1 ? '1 page' : `${n} pages`);

/**
 * The pages of an item's content when Lantai counted all of them: its PDFs, beside plain text
 * that has no pages. null when the item holds anything else (scans, OFD, attachments of other
 * kinds), whose pages the metadata may or may not count; the digitization reader counts scans.
 */
function countedPages(item: TransferItem, facts: Context['facts']): number | null {
  let pages: number | null = null;
  for (const file of item.files) {
    const f = facts.get(file.path);
    if (!isFacts(f)) return null;
    if (f.record.formatId === 'txt') continue;
    if (!f.readability.probed || f.readability.pages === undefined) return null;
    pages = (pages ?? 0) + f.readability.pages;
  }
  return pages;
}

const CHECKS: Record<string, (ctx: Context) => Outcome | Promise<Outcome>> = {
  'LT-YJ-1-1-1': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    let declared = 0;
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      for (const d of file.declaredDigests) {
        declared++;
        const at = { item: key, path: file.path };
        const algorithm = d.algorithm.toUpperCase();
        if (!isHexDigest(d.algorithm, d.value.trim())) {
          offending.push({ ...at, reason: `声明的 ${algorithm} 摘要“${d.value}”格式无效`, reason_en: `the declared ${algorithm} digest "${d.value}" is malformed` });
        } else if (isFacts(f) && f.digests[d.algorithm] !== d.value.trim().toLowerCase()) {
          offending.push({
            ...at,
            reason: `${algorithm} 摘要不一致：声明 ${d.value.trim().toLowerCase()}，实际 ${f.digests[d.algorithm]}`,
            reason_en: `${algorithm} digest mismatch: declared ${d.value.trim().toLowerCase()}, actual ${f.digests[d.algorithm]}`,
          });
        }
      }
    }
    if (declared === 0) return notApplicable('移交包未提供任何文件摘要', 'the package declares no file digests');
    return { offending };
  },

  'LT-YJ-1-1-2': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    for (const state of pkg.items.flatMap(itemStates)) {
      for (const s of state.signatures) {
        const who = [s.signer, s.algorithm].filter(Boolean);
        offending.push({
          item: state.key,
          reason: `${s.kind}${who.length ? `（${who.join('，')}）` : ''}待验证`,
          reason_en: `${s.kind}${who.length ? ` (${who.join(', ')})` : ''} to be validated`,
        });
      }
    }
    const signedFiles = new Set<string>();
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      if (!isFacts(f) || !f.readability.probed || !f.readability.signed || signedFiles.has(file.path)) continue;
      signedFiles.add(file.path);
      offending.push({ item: key, path: file.path, reason: '文件内嵌电子签名或电子印章，待验证', reason_en: 'the file embeds a signature or seal to be validated' });
    }
    if (offending.length === 0) {
      return notApplicable('包内未发现签名块，PDF/OFD 中也未发现内嵌签章', 'no signature blocks in the package and no embedded signatures in PDF or OFD files');
    }
    return manual(
      '用可信验证服务核验所列签名、印章和时间戳：证书链与吊销状态、签名算法、签名时间，以及签名覆盖的内容未被改动',
      'Validate the listed signatures, seals and timestamps with a trusted service: certificate chain and revocation, algorithm, signing time, and that the signed content is unchanged',
      offending,
    );
  },

  'LT-YJ-1-2': (ctx) => ({ offending: ctx.metadata.get(METADATA_CHECKS.length) ?? [] }),
  'LT-YJ-1-3': (ctx) => ({ offending: ctx.metadata.get(METADATA_CHECKS.type) ?? [] }),
  'LT-YJ-1-4': (ctx) => ({ offending: ctx.metadata.get(METADATA_CHECKS.valueList) ?? [] }),
  'LT-YJ-1-5': (ctx) => ({ offending: ctx.metadata.get(METADATA_CHECKS.plausible) ?? [] }),
  'YJ-1-6': (ctx) => ({ offending: ctx.metadata.get(METADATA_CHECKS.specialChars) ?? [] }),

  'LT-YJ-1-7': ({ pkg, env }) => {
    const templates = env.codeTemplates ?? Object.values(STANDARD_TEMPLATES);
    const offending: Offending[] = [];
    for (const item of pkg.items) {
      const raw = item.fields.archival_code;
      if (raw === undefined || String(raw).trim() === '') continue;
      const code = String(raw).trim();
      if (normalizeCode(code) !== code) {
        offending.push({ item: item.key, reason: `档号“${code}”含全角或形近字符，规范写法为“${normalizeCode(code)}”`, reason_en: `Archival code "${code}" uses full-width or look-alike characters; canonical form "${normalizeCode(code)}"` });
      } else if (!templates.some((t) => parseCode(t, code) !== null)) {
        offending.push({ item: item.key, reason: `档号“${code}”不符合档号模板`, reason_en: `Archival code "${code}" fits no archival code template` });
      }
    }
    return { offending };
  },

  'YJ-1-8': async ({ pkg, env }) => {
    const offending: Offending[] = [];
    const byCode = new Map<string, string[]>();
    const byKey = new Map<string, number>();
    const byDocNumber = new Map<string, string[]>();
    for (const item of pkg.items) {
      byKey.set(item.key, (byKey.get(item.key) ?? 0) + 1);
      const code = normalizeCode(String(item.fields.archival_code ?? ''));
      if (code) byCode.set(code, [...(byCode.get(code) ?? []), item.key]);
      const docNumber = String(item.fields.doc_number ?? '').trim();
      const responsible = String(item.fields.responsible ?? '').trim();
      // 文件编号 is unique per issuing body, so a repeat under the same 责任者 is the same document twice.
      if (docNumber && responsible) {
        const k = `${responsible}\u0000${docNumber}`;
        byDocNumber.set(k, [...(byDocNumber.get(k) ?? []), item.key]);
      }
    }
    for (const [code, keys] of byCode) {
      if (keys.length < 2) continue;
      for (const key of keys) offending.push({ item: key, reason: `档号“${code}”在包内重复（${keys.join('、')}）`, reason_en: `Archival code "${code}" appears ${keys.length} times in the package (${keys.join(', ')})` });
    }
    const existing = byCode.size > 0 ? await env.existingCodes([...byCode.keys()]) : new Set<string>();
    for (const [code, keys] of byCode) {
      if (!existing.has(code)) continue;
      for (const key of keys) offending.push({ item: key, reason: `档号“${code}”已存在于馆藏目录`, reason_en: `Archival code "${code}" is already in the catalogue` });
    }
    for (const [key, n] of byKey) {
      if (n > 1) offending.push({ item: key, reason: `同一件（${key}）出现 ${n} 次`, reason_en: `Item ${key} appears ${n} times` });
    }
    for (const [k, keys] of byDocNumber) {
      // One item listed twice is already reported by its key.
      if (new Set(keys).size < 2) continue;
      const [responsible, docNumber] = k.split('\u0000');
      for (const key of keys) offending.push({ item: key, reason: `${responsible}文件编号“${docNumber}”重复（${keys.join('、')}）`, reason_en: `Document number "${docNumber}" of ${responsible} repeats (${keys.join(', ')})` });
    }
    return { offending };
  },

  'LT-YJ-1-L1': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    const itemsByPath = new Map<string, string[]>();
    const owner = new Map<string, { item: TransferItem; key: string; state: number }>();
    for (const { item, key, state, file } of fileRefs(pkg)) {
      itemsByPath.set(file.path, [...(itemsByPath.get(file.path) ?? []), item.key]);
      owner.set(file.path, { item, key, state });
    }
    for (const [path, keys] of itemsByPath) {
      if (keys.length > 1) offending.push({ path, reason: `同一文件被多件引用（${keys.join('、')}）`, reason_en: `one file is referenced by several items (${keys.join(', ')})` });
    }
    // A file that a revision left as it was is the same content in two states of one item, not a copy.
    const unrevised = (a: string, b: string) => owner.get(a)?.item === owner.get(b)?.item && owner.get(a)?.state !== owner.get(b)?.state;
    const bySha = new Map<string, string[]>();
    for (const f of facts.values()) if (isFacts(f) && f.size > 0 && f.digests.sha256) bySha.set(f.digests.sha256, [...(bySha.get(f.digests.sha256) ?? []), f.path]);
    for (const paths of bySha.values()) {
      for (const path of paths) {
        const others = paths.filter((p) => p !== path && !unrevised(p, path));
        if (others.length > 0) offending.push({ item: owner.get(path)?.key, path, reason: `内容与 ${others.join('、')} 完全相同`, reason_en: `identical content to ${others.join(', ')}` });
      }
    }
    return { offending: offending.map(dropUndefined) };
  },

  'LT-YJ-1-10': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      if (!isFacts(f)) continue;
      const at = { item: key, path: file.path };
      const { record } = f;
      if (file.declaredSize !== undefined && file.declaredSize !== f.size) {
        offending.push({ ...at, reason: `元数据记录大小 ${file.declaredSize} 字节，实际 ${f.size} 字节`, reason_en: `metadata records ${file.declaredSize} bytes, the file has ${f.size}` });
      } else if (file.size !== f.size) {
        offending.push({ ...at, reason: `读取移交包时为 ${file.size} 字节，检测时为 ${f.size} 字节`, reason_en: `${file.size} bytes when the package was read, ${f.size} at the check` });
      }
      const known = record.formatId !== 'unknown' && record.formatId !== 'empty';
      const extensions: readonly string[] = FORMATS[record.formatId as keyof typeof FORMATS]?.extensions ?? [];
      for (const name of new Set([file.path.split('/').pop() ?? file.path, file.name])) {
        const extension = extensionOf(name);
        if (known && extensions.length > 0 && (extension === null || !extensions.includes(extension))) {
          offending.push({ ...at, reason: `文件名“${name}”的扩展名与实际格式 ${record.name} 不符`, reason_en: `the extension of "${name}" does not fit its actual format ${record.name}` });
        }
      }
      if (file.declaredFormat && !formatMatches(file.declaredFormat, f)) {
        offending.push({ ...at, reason: `元数据记录格式“${file.declaredFormat}”，实际为 ${record.name}`, reason_en: `metadata records format "${file.declaredFormat}", the file is ${record.name}` });
      }
    }
    for (const item of pkg.items) {
      const declared = item.fields.pages;
      const pages = countedPages(item, facts);
      if (typeof declared !== 'number' || pages === null || declared === pages) continue;
      offending.push({ item: item.key, reason: `元数据记录页数 ${declared}，PDF 实有 ${pages} 页`, reason_en: `metadata records ${pagesEn(declared)}, the PDF content has ${pagesEn(pages)}` });
    }
    return { offending };
  },

  'LT-YJ-1-11': ({ pkg, facts }) => {
    const offending: Offending[] = pkg.missingFiles.map((m) => ({ item: m.item, path: m.path, reason: '元数据记录的文件在包内不存在', reason_en: 'the file recorded in the metadata is not in the package' }));
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      if (f && 'error' in f && !isReadFailure(f)) offending.push({ item: key, path: file.path, reason: f.error.zh, reason_en: f.error.en });
    }
    return { offending };
  },

  'LT-YJ-1-12': (ctx) => {
    const offending: Offending[] = [];
    for (const [path, encoding] of Object.entries(ctx.pkg.encodings)) {
      if (DIRECTORY_ENCODINGS.has(encoding.toUpperCase().replace(/[^A-Z0-9]/g, ''))) continue;
      offending.push({ path, reason: `编码为 ${encoding}，应为 GB18030、GB2312 或 UTF-8`, reason_en: `encoded in ${encoding}; use GB18030, GB2312 or UTF-8` });
    }
    return { offending };
  },

  'LT-YJ-1-13': ({ tree }) => ({ offending: 'error' in tree ? [{ reason: tree.error.zh, reason_en: tree.error.en }] : [] }),

  'LT-YJ-1-14': ({ pkg, facts }) => {
    const mismatched: Offending[] = [];
    const undeclared: Offending[] = [];
    const seen = new Set<string>();
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      if (!isFacts(f)) continue;
      const at = { item: key, path: file.path };
      const usable = file.declaredDigests.filter((d) => isHexDigest(d.algorithm, d.value.trim()));
      if (usable.length === 0) {
        if (!seen.has(file.path)) undeclared.push({ ...at, reason: '移交方未提供摘要', reason_en: 'the sender supplied no digest' });
      } else if (usable.some((d) => f.digests[d.algorithm] !== d.value.trim().toLowerCase())) {
        mismatched.push({ ...at, reason: '与移交方提供的摘要不一致，文件在移交后被改动', reason_en: 'differs from the digest the sender supplied: the file changed after it was sent' });
      }
      seen.add(file.path);
    }
    if (mismatched.length > 0) return { offending: mismatched };
    if (undeclared.length > 0) {
      return manual(
        '所列文件没有移交方的摘要：请与移交方移交前记录的摘要（移交登记表或交接信息）人工比对',
        'The listed files carry no sender digest: compare them by hand with the digests the sender recorded before transfer (registration form or handover record)',
        undeclared,
      );
    }
    return { offending: [] };
  },

  'LT-YJ-2-1': ({ pkg }) => {
    const declared = pkg.declared.itemCount;
    if (declared === undefined) return notApplicable('移交包未声明件数', 'the package declares no item count');
    const actual = pkg.items.length;
    return { offending: declared === actual ? [] : [{ reason: `声明 ${declared} 件，实际 ${actual} 件`, reason_en: `${declared} items declared, ${actual} present` }] };
  },

  'LT-YJ-2-2': ({ pkg, facts, tree }) => {
    const declared = pkg.declared.totalBytes;
    if (declared === undefined) return notApplicable('移交包未声明总字节数', 'the package declares no byte total');
    const { content, withUnreferenced, all } = totals(pkg, facts, tree, (f) => f.size);
    if ([content, withUnreferenced, all].includes(declared)) return { offending: [] };
    return {
      offending: [
        {
          reason: `声明 ${declared} 字节，内容文件实际 ${content} 字节${all === null ? '' : `，包内全部文件 ${all} 字节`}`,
          reason_en: `${declared} bytes declared; content files have ${content}${all === null ? '' : `, all files ${all}`}`,
        },
      ],
    };
  },

  'LT-YJ-2-3': (ctx) => {
    if (ctx.pkg.format !== 'eep') {
      return notApplicable('只有 EEP 封装包携带完整的 DA/T 46 元数据，其他包的著录项由 LT-YJ-2-4 检查', 'only EEPs carry the full DA/T 46 element set; other packages are checked by LT-YJ-2-4');
    }
    return { offending: ctx.metadata.get(METADATA_CHECKS.elements) ?? [] };
  },

  'LT-YJ-2-4': (ctx) => ({ offending: ctx.metadata.get(METADATA_CHECKS.mandatory) ?? [] }),

  'LT-YJ-2-5': () =>
    manual(
      '检查重要文件是否随附处理过程信息（业务实体：拟稿、审核、签发、办理等）及主要修改稿',
      'Check that important files come with their processing history (business entities: drafting, review, signing, handling) and main revisions',
    ),

  'LT-YJ-2-6': ({ pkg, env }) => ({ offending: checkNumbering(pkg.items, env.codeTemplates ?? Object.values(STANDARD_TEMPLATES)) }),

  'LT-YJ-2-7': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    for (const state of pkg.items.flatMap(itemStates)) {
      if (state.files.length === 0) offending.push({ item: state.key, reason: '该件没有内容文件', reason_en: 'the item has no content file' });
      for (const file of state.files) {
        const f = facts.get(file.path);
        if (isFacts(f) && f.size === 0) offending.push({ item: state.key, path: file.path, reason: '内容文件为空', reason_en: 'the content file is empty' });
      }
    }
    return { offending };
  },

  'LT-YJ-2-10': ({ pkg }) =>
    pkg.format === 'eep'
      ? manual('对照 DA/T 48-2009 附录C《封装元数据表》核对封装包元数据（本系统未收录该表）', 'Check the EEP encapsulation metadata against DA/T 48-2009 Annex C (not available to Lantai)')
      : notApplicable('仅适用于 EEP 封装包', 'applies to EEPs only'),

  'LT-YJ-2-11': ({ pkg, facts, tree }) => {
    const declared = pkg.declared.fileCount;
    if (declared === undefined) return notApplicable('移交包未声明文件数', 'the package declares no file count');
    const { content, withUnreferenced, all } = totals(pkg, facts, tree, () => 1);
    if ([content, withUnreferenced, all].includes(declared)) return { offending: [] };
    return {
      offending: [
        {
          reason: `声明 ${declared} 个文件，实际内容文件 ${content} 个${all === null ? '' : `，包内全部文件 ${all} 个`}`,
          reason_en: `${declared} files declared; ${content} content files present${all === null ? '' : `, ${all} files in all`}`,
        },
      ],
    };
  },

  'LT-YJ-3-1': (ctx) => ({ offending: ctx.metadata.get(METADATA_CHECKS.readable) ?? [] }),

  'LT-YJ-3-3': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      if (isFacts(f) && !f.record.archival) offending.push({ item: key, path: file.path, reason: `${f.record.name}：${f.record.archivalNote.zh}`, reason_en: `${f.record.name}: ${f.record.archivalNote.en}` });
    }
    return { offending };
  },

  'LT-YJ-3-4': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    const unprobed = new Set<string>();
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      const at = { item: key, path: file.path };
      if (f && 'error' in f) {
        if (isReadFailure(f)) offending.push({ ...at, reason: f.error.zh, reason_en: f.error.en });
      } else if (f && f.size > 0) {
        if (!f.readability.probed) unprobed.add(f.record.name);
        else if (f.readability.problem) offending.push({ ...at, reason: f.readability.problem.zh, reason_en: f.readability.problem.en });
      }
    }
    const out: Outcome = { offending };
    if (unprobed.size > 0) {
      const names = [...unprobed].join('、');
      out.note = { zh: `${names} 格式的文件只做了格式识别，未打开检查`, en: `Files in ${[...unprobed].join(', ')} were identified only, not opened` };
    }
    return out;
  },

  'LT-YJ-3-L1': () => manual('抽查打开内容文件，确认内容清晰、完整并与题名相符', 'Open a sample of content files and confirm they are legible, whole and match their titles'),

  'LT-YJ-3-8': ({ pkg, facts }) => {
    const offending: Offending[] = [];
    for (const { key, file } of fileRefs(pkg)) {
      const f = facts.get(file.path);
      if (!isFacts(f)) continue;
      const at = { item: key, path: file.path };
      if (f.record.encrypted) {
        const why = f.record.encryptionNote;
        offending.push({ ...at, reason: `文件已加密${why ? `：${why.zh}` : ''}`, reason_en: `the file is encrypted${why ? `: ${why.en}` : ''}` });
      }
      if (COMPRESSED.has(f.record.formatId)) offending.push({ ...at, reason: `压缩包（${f.record.name}），应解压后移交`, reason_en: `a compressed archive (${f.record.name}); unpack before transfer` });
    }
    return { offending };
  },

  'LT-YJ-4-2': ({ env, virus }) => {
    if (env.scanner === null) return manual('未安装病毒扫描程序，需人工检查', 'manual review: no scanner installed');
    if (virus === null) return manual('无法列出包内文件，未能扫描，需人工检查', 'manual review: the package files could not be listed for scanning');
    const offending: Offending[] = [];
    const failed: Offending[] = [];
    for (const v of virus) {
      if ('error' in v) failed.push({ path: v.path, reason: `未能扫描：${v.error}`, reason_en: `not scanned: ${v.error}` });
      else if (v.infected) offending.push({ path: v.path, reason: `发现病毒或恶意代码：${v.signature}`, reason_en: `virus or malicious code found: ${v.signature}` });
    }
    if (offending.length > 0) return { offending: [...offending, ...failed], note: { zh: `扫描程序：${env.scanner.name}`, en: `Scanner: ${env.scanner.name}` } };
    if (failed.length > 0) return manual(`部分文件未能扫描（${env.scanner.name}），需人工检查`, `Some files could not be scanned (${env.scanner.name}); review by hand`, failed);
    return { offending: [], note: { zh: `扫描程序：${env.scanner.name}`, en: `Scanner: ${env.scanner.name}` } };
  },

  'LT-YJ-4-3': ({ pkg }) => ({
    offending: pkg.unreferencedFiles.map((path) => ({ path, reason: '元数据未引用该文件', reason_en: 'no metadata references this file' })),
  }),

  'LT-YJ-4-L1': ({ pkg }) =>
    pkg.format === 'carrier'
      ? manual('检查载体外观、标签（载体编号、保管单位等）是否完好，载体能否完整读取', 'Check the carrier’s condition and labels (carrier number, custodian …) and that it reads completely')
      : notApplicable('仅适用于离线载体移交', 'applies to offline carrier transfers only'),

  'LT-YJ-4-7': () =>
    manual('确认移交过程符合安全保密要求：传输通道或载体交接、涉密档案的处理、交接登记表双方签章', 'Confirm the transfer met security rules: transmission channel or carrier handover, handling of classified material, registration form signed and sealed by both sides'),
};

/**
 * Declared totals may count the referenced content, the content folder (content plus
 * unreferenced files) or every file on the carrier: the transfer rules do not say which.
 */
function totals(pkg: TransferPackage, facts: Context['facts'], tree: Context['tree'], measure: (f: { size: number }) => number) {
  let content = 0;
  for (const f of facts.values()) if (isFacts(f)) content += measure(f);
  if ('error' in tree) return { content, withUnreferenced: null, all: null };
  const byPath = new Map(tree.map((f) => [f.path, f]));
  let withUnreferenced = content;
  for (const path of pkg.unreferencedFiles) {
    const f = byPath.get(path);
    if (f) withUnreferenced += measure(f);
  }
  return { content, withUnreferenced, all: tree.reduce((n, f) => n + measure(f), 0) };
}

/** Unreadable files are a readability problem; paths outside the package or not files are a linkage problem. */
const isReadFailure = (f: FileFailure): boolean => f.kind === 'unreadable';

function dropUndefined(o: Offending): Offending {
  const out: Offending = { reason: o.reason, reason_en: o.reason_en };
  if (o.item !== undefined) out.item = o.item;
  if (o.path !== undefined) out.path = o.path;
  return out;
}

/** Ids of the 移交与接收 checks, for building a CheckConfig. */
export const TRANSFER_CHECK_IDS: readonly string[] = checksForStage('YJ').map((c) => c.code.code);

export async function runChecks(pkg: TransferPackage, env: CheckEnv, config: CheckConfig = {}): Promise<CheckReport> {
  const catalogue = checksForStage('YJ');
  // A mistyped id (YJ-2-1 for LT-YJ-2-1) would otherwise leave the check at its default unnoticed.
  const unknown = Object.keys(config).filter((id) => !TRANSFER_CHECK_IDS.includes(id));
  if (unknown.length > 0) throw new Error(`unknown 移交与接收 check id(s) in the configuration: ${unknown.join(', ')}`);
  const severity = (id: string, fallback: CheckSeverity): CheckSeverity => config[id] ?? fallback;
  const enabled = (id: string) => catalogue.some((c) => c.code.code === id && severity(id, c.stageSeverity) !== 'off');

  const refs = referencedFiles(pkg);
  const scanning = enabled('LT-YJ-4-2') && env.scanner !== null;
  const total = refs.size + (scanning ? 1 : 0);
  let done = 0;
  const facts = new Map<string, FileFacts | FileFailure>();
  await inParallel([...refs], CONCURRENCY, async ([path, algorithms]) => {
    facts.set(path, await examineFile(pkg.root, path, algorithms, env.archivalFormatIds));
    env.onProgress?.(++done, total);
  });

  let tree: TreeFile[] | FileFailure;
  try {
    tree = await walkTree(pkg.root);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    tree = { path: '', kind: 'unreadable', error: { zh: `无法列出包内文件：${detail}`, en: `cannot list the package files: ${detail}` } };
  }

  let virus: ScanVerdict[] | null = null;
  if (scanning && env.scanner) {
    if (!('error' in tree)) {
      const relativeOf = new Map(tree.map((f) => [f.absolute, f.path]));
      virus = (await env.scanner.scan(tree.map((f) => f.absolute))).map((v) => ({ ...v, path: relativeOf.get(v.path) ?? v.path }));
    }
    env.onProgress?.(++done, total);
  }

  const metadata = new Map<string, Offending[]>();
  const now = new Date();
  for (const item of pkg.items) {
    checkItemMetadata(item, { requireDat46: pkg.format === 'eep', requiredElements: DAT46_REQUIRED_ELEMENTS, now }, (check, o) => {
      metadata.set(check, [...(metadata.get(check) ?? []), o]);
    });
  }
  const findings = new Map<string, PackageFinding[]>();
  for (const f of pkg.findings) {
    const id = findingCheck(f.code);
    if (id !== null) findings.set(id, [...(findings.get(id) ?? []), f]);
  }

  const ctx: Context = { pkg, env, facts, tree, metadata, virus };
  const checks: CheckResult[] = [];
  for (const c of catalogue) {
    const id = c.code.code;
    const level = severity(id, c.stageSeverity);
    const base = { id, property: PROPERTY_LABELS[c.property], name: c.name, method: c.method, severity: level };
    if (level === 'off') {
      checks.push({ ...base, result: 'na', offending: [], note: { zh: '已按配置关闭', en: 'turned off by configuration' } });
      continue;
    }
    const run = CHECKS[id];
    if (!run) throw new Error(`no implementation for check ${id}`);
    const outcome = withFindings(await run(ctx), findings.get(id) ?? []);
    const result: CheckResult = { ...base, result: outcome.result ?? (outcome.offending.length > 0 ? 'fail' : 'pass'), offending: outcome.offending };
    if (outcome.note) result.note = outcome.note;
    checks.push(result);
  }

  let bytes = 0;
  for (const f of facts.values()) if (isFacts(f)) bytes += f.size;
  return reportOf(checks, { items: pkg.items.length, files: [...facts.values()].filter(isFacts).length, bytes });
}

function reportOf(checks: CheckResult[], contents: Pick<CheckReport['summary'], 'items' | 'files' | 'bytes'>): CheckReport {
  const count = (r: CheckOutcome) => checks.filter((c) => c.result === r).length;
  const blockingFailures = checks.filter((c) => c.result === 'fail' && c.severity === 'blocking').length;
  return {
    checks,
    blocking: blockingFailures > 0,
    summary: {
      total: checks.length,
      pass: count('pass'),
      fail: count('fail'),
      manual: count('manual'),
      na: count('na'),
      blockingFailures,
      warnings: checks.filter((c) => c.result === 'fail' && c.severity === 'warning').length,
      ...contents,
    },
  };
}

/** The check a package that cannot be opened at all fails: its structure (GD-1-13). */
export const REFUSAL_CHECK = 'LT-YJ-1-13';

/**
 * The report on a package that could not be opened (the unpacker refused it, or its format is
 * none Lantai reads): the structure check fails with the reason, blocking whatever the
 * configuration says, since there is nothing to accept; every other check is listed as not run.
 */
export function refusalReport(reason: Label): CheckReport {
  const notRun: Label = { zh: '移交包未能打开，未检测', en: 'Not checked: the package could not be opened' };
  const checks = checksForStage('YJ').map((c): CheckResult => {
    const base = { id: c.code.code, property: PROPERTY_LABELS[c.property], name: c.name, method: c.method };
    return c.code.code === REFUSAL_CHECK
      ? { ...base, severity: 'blocking', result: 'fail', offending: [{ reason: reason.zh, reason_en: reason.en }] }
      : { ...base, severity: c.stageSeverity, result: 'na', offending: [], note: notRun };
  });
  return reportOf(checks, { items: 0, files: 0, bytes: 0 });
}
