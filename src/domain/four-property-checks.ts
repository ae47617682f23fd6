/**
 * DA/T 70-2018 四性检测 check catalogue, as data (domain.md §2).
 *
 * Codes: GD-x-y are the 归档环节 codes domain.md §2.3 lists from implementations (GD-3-4, which
 * §10 counts as unconfirmed, is local). Of the 移交与接收 codes only YJ-1-6 and YJ-1-8 are
 * confirmed (§2.4); §2.4 says YJ mirrors the GD numbering, so
 * every other YJ check carries the local code LT-YJ-x-y with the number of its GD counterpart —
 * the LT- prefix marks the code as Lantai's, not the standard's. Checks with no GD counterpart
 * use LT-<stage>-x-Ln. The CQ list is not known at all (§10), so every CQ code is local.
 * Sub-checks split one GD item where Lantai can automate only part of it (GD-1-1: digests are
 * recomputed, signatures need a trust service), as Y9 splits GD-1-11 into GD-1-11-1.
 */
import type { Label } from './errors.js';

export const CHECK_STAGES = ['GD', 'YJ', 'CQ'] as const;
export type CheckStage = (typeof CHECK_STAGES)[number];

export const STAGE_LABELS: Readonly<Record<CheckStage, Label>> = {
  GD: { zh: '归档环节', en: 'Archiving (filing)' },
  YJ: { zh: '移交与接收环节', en: 'Transfer and receipt' },
  CQ: { zh: '长期保存环节', en: 'Long-term preservation' },
};

/** The x in a DA/T 70 code is the property's number. */
export const CHECK_PROPERTIES = ['authenticity', 'integrity', 'usability', 'security'] as const;
export type CheckProperty = (typeof CHECK_PROPERTIES)[number];

export const PROPERTY_LABELS: Readonly<Record<CheckProperty, Label>> = {
  authenticity: { zh: '真实性', en: 'Authenticity' },
  integrity: { zh: '完整性', en: 'Integrity' },
  usability: { zh: '可用性', en: 'Usability' },
  security: { zh: '安全性', en: 'Security' },
};

export type CheckSeverity = 'blocking' | 'warning' | 'off';

export interface StageCode {
  code: string;
  /** The code is in domain.md as a DA/T 70 code for this stage; false for LT- codes. */
  confirmed: boolean;
}

export interface FourPropertyCheck {
  /** The 移交与接收 code when the check applies there, otherwise its code at its first stage. */
  id: string;
  property: CheckProperty;
  /** Code per stage the check applies to. */
  codes: Partial<Record<CheckStage, StageCode>>;
  /** The DA/T 70 item this check is one part of, when Lantai splits it. */
  partOf?: string;
  name: Label;
  method: Label;
  /** Lantai decides the result without a person (per stage: a GD check may be automated where YJ is not). */
  automated: Partial<Record<CheckStage, boolean>>;
  severity: Partial<Record<CheckStage, CheckSeverity>>;
}

const gd = (code: string): StageCode => ({ code, confirmed: true });
const local = (code: string): StageCode => ({ code, confirmed: false });

type Row = Omit<FourPropertyCheck, 'id'>;

function check(row: Row): FourPropertyCheck {
  const first = row.codes.YJ ?? row.codes.GD ?? row.codes.CQ;
  if (!first) throw new Error(`check ${row.name.zh} has no stage`);
  return { id: first.code, ...row };
}

export const FOUR_PROPERTY_CHECKS: readonly FourPropertyCheck[] = [
  // 真实性
  check({
    property: 'authenticity',
    codes: { GD: local('LT-GD-1-1-1'), YJ: local('LT-YJ-1-1-1'), CQ: local('LT-CQ-1-1-1') },
    partOf: 'GD-1-1',
    name: { zh: '固化信息有效性检测（数字摘要）', en: 'Fixity information: digests' },
    method: {
      zh: '对每个内容文件重新计算随包提供的数字摘要（SM3、SHA-256、MD5 等，一次读取计算全部算法），与声明值比对；不一致的列出件与路径',
      en: 'Recompute every digest the package declares for each content file (SM3, SHA-256, MD5 …, all in one read) and compare; mismatches name the item and path',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: local('LT-GD-1-1-2'), YJ: local('LT-YJ-1-1-2'), CQ: local('LT-CQ-1-1-2') },
    partOf: 'GD-1-1',
    name: { zh: '固化信息有效性检测（电子签名、电子印章、时间戳）', en: 'Fixity information: signatures, seals, timestamps' },
    method: {
      zh: '电子签名、电子印章和时间戳的有效性须由可信的验证服务（证书链、吊销状态、签名算法）确认，本系统列出随包的签名供人工或外部服务核验',
      en: 'Validity of signatures, seals and timestamps needs a trusted validation service (certificate chain, revocation, algorithm); Lantai lists the signatures found for manual or external verification',
    },
    automated: { GD: false, YJ: false, CQ: false },
    severity: { GD: 'warning', YJ: 'warning', CQ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-2'), YJ: local('LT-YJ-1-2') },
    name: { zh: '元数据项数据长度检测', en: 'Metadata value length' },
    method: {
      zh: '按著录字段定义的最大长度（按字符计，汉字计一个）检查各元数据项',
      en: 'Each metadata value against its field’s maximum length (in characters, a Chinese character counting one)',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-3'), YJ: local('LT-YJ-1-3') },
    name: { zh: '元数据项数据类型、格式检测', en: 'Metadata value type and format' },
    method: {
      zh: '整数项应为整数，日期应为 YYYYMMDD、YYYYMM 或 YYYY（考证日期加 [ ]）',
      en: 'Integer fields hold whole numbers; dates are YYYYMMDD, YYYYMM or YYYY ([ ] for an inferred date)',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-4'), YJ: local('LT-YJ-1-4') },
    name: { zh: '设定值域的元数据项值域符合度检测', en: 'Metadata values within their value lists' },
    method: {
      zh: '保管期限、密级、开放标识等有值域的项，其值应在值域内；密级标识中的保密期限与保密期限项一致',
      en: 'Retention, classification, open status and other listed fields hold a listed value; the secrecy period in a marking matches the secrecy period field',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-5'), YJ: local('LT-YJ-1-5') },
    name: { zh: '元数据项数据值合理性检测', en: 'Metadata value plausibility' },
    method: {
      zh: '年度、页数等数值在合理范围内；日期不晚于检测当日',
      en: 'Year, page count and other numbers within plausible bounds; dates not after the day of the check',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'warning', YJ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-6'), YJ: gd('YJ-1-6') },
    name: { zh: '元数据项数据包含特殊字符检测', en: 'Special characters in metadata' },
    method: {
      zh: '元数据值中不得含控制字符（多行项允许制表符和换行）、不成对的代理项、私用区字符、未分配码位、非字符及零宽、方向控制等格式字符',
      en: 'No control characters (tabs and line breaks allowed in multi-line fields), unpaired surrogates, private-use, unassigned or non-characters, nor zero-width, bidi and other format characters',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-7'), YJ: local('LT-YJ-1-7') },
    name: { zh: '档号规范性检测', en: 'Archival code format' },
    method: {
      zh: '档号应符合本馆配置的档号模板（DA/T 13-2022 等）',
      en: 'The archival code fits one of the archive’s configured templates (DA/T 13-2022 and others)',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-8'), YJ: gd('YJ-1-8') },
    name: { zh: '元数据项数据重复性检测', en: 'Duplicate metadata' },
    method: {
      zh: '档号在移交包内不得重复，也不得与馆藏目录中已有档号重复；同一件（件标识）不得出现两次',
      en: 'No archival code twice in the package or already in the catalogue; no item (item key) twice',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'blocking' },
  }),
  check({
    property: 'authenticity',
    codes: { YJ: local('LT-YJ-1-L1') },
    name: { zh: '内容数据重复性检测', en: 'Duplicate content' },
    method: {
      zh: '按内容摘要（SHA-256）查找包内内容完全相同的文件',
      en: 'Files with identical content in the package, by content digest (SHA-256)',
    },
    automated: { YJ: true },
    severity: { YJ: 'warning' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-10'), YJ: local('LT-YJ-1-10'), CQ: local('LT-CQ-1-10') },
    name: { zh: '电子文件内容数据电子属性一致性检测', en: 'Content attributes match the metadata' },
    method: {
      zh: '读取内容文件的实际大小和格式（按文件特征识别），与元数据记录的大小、格式以及文件扩展名比对；PDF 的实际页数与元数据记录的页数比对',
      en: 'The file’s actual size and format (identified from its bytes) against the size and format in the metadata and the file-name extension; a PDF’s actual page count against the pages in the metadata',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-11'), YJ: local('LT-YJ-1-11'), CQ: local('LT-CQ-1-11') },
    name: { zh: '元数据与内容关联一致性检测', en: 'Metadata linked to content' },
    method: {
      zh: '元数据记录的每个文件路径在包内实际存在',
      en: 'Every file path recorded in the metadata exists in the package',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-12'), YJ: local('LT-YJ-1-12') },
    name: { zh: '说明文件和目录文件规范性检测', en: 'Description and directory files' },
    method: {
      zh: '说明文件、目录文件存在且可按规范读取；目录文件编码为 GB18030、GB2312 或 UTF-8',
      en: 'The description and directory files exist and read as specified; directory files are encoded in GB18030, GB2312 or UTF-8',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'blocking' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-13'), YJ: local('LT-YJ-1-13') },
    name: { zh: '信息包目录结构规范性检测', en: 'Package folder structure' },
    method: {
      zh: '信息包的目录结构符合所声明的包格式（载体目录、EEP、BagIt 或数字化成果）',
      en: 'The package’s folder structure follows its declared format (carrier layout, EEP, BagIt or digitisation output)',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'blocking' },
  }),
  check({
    property: 'authenticity',
    codes: { GD: gd('GD-1-14'), YJ: local('LT-YJ-1-14') },
    name: { zh: '信息包一致性检测', en: 'Package equals the one sent' },
    method: {
      zh: '每个内容文件都带有移交方提供的摘要且全部一致时通过；缺少摘要时须与移交方移交前记录的摘要（登记表）人工比对',
      en: 'Passes when every content file carries a sender digest and all match; where digests are missing, compare with the sender’s pre-transfer record (registration form) by hand',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'blocking' },
  }),

  // 完整性
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-1'), YJ: local('LT-YJ-2-1'), CQ: local('LT-CQ-2-1') },
    name: { zh: '电子文件数据总件数相符性检测', en: 'Item count matches the declared count' },
    method: { zh: '实际件数与包内声明的件数一致', en: 'The number of items equals the number the package declares' },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-2'), YJ: local('LT-YJ-2-2'), CQ: local('LT-CQ-2-2') },
    name: { zh: '电子文件数据总字节数相符性检测', en: 'Byte count matches the declared total' },
    method: {
      zh: '实际总字节数（内容文件，或包内全部文件）与声明的总字节数一致',
      en: 'The actual byte total (of content files, or of every file in the package) equals the declared total',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-3'), YJ: local('LT-YJ-2-3') },
    name: { zh: '元数据项完整性检测', en: 'Metadata elements present' },
    method: {
      zh: '按 DA/T 46-2009（DA/T 48 模式中的必选元素）检查每件的必选元数据元素是否齐全',
      en: 'Each item carries the mandatory DA/T 46-2009 elements (required in the DA/T 48 schema)',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-4'), YJ: local('LT-YJ-2-4') },
    name: { zh: '元数据必填著录项目检测', en: 'Mandatory description fields filled' },
    method: {
      zh: '按 DA/T 18-2022 文件级必著项，档号、题名、责任者、日期、年度、保管期限不得为空',
      en: 'DA/T 18-2022 item-level mandatory fields: archival code, title, responsible party, date, year and retention are not empty',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'blocking' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-5'), YJ: local('LT-YJ-2-5') },
    name: { zh: '过程信息完整性检测', en: 'Process history complete' },
    method: {
      zh: '重要文件的处理过程信息（业务实体：拟稿、审核、签发等）是否完整，需结合业务规则人工判断',
      en: 'Whether the processing history (business entities: drafting, review, signing …) of important files is complete; needs a person who knows the business rules',
    },
    automated: { GD: false, YJ: false },
    severity: { GD: 'warning', YJ: 'warning' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-6'), YJ: local('LT-YJ-2-6') },
    name: { zh: '连续性元数据项检测', en: 'Consecutive numbering' },
    method: {
      zh: '按分组（档号中件号之前的部分）检查件号从 1 起连续、不重复；件内按序号命名的文件（页）连续',
      en: 'Item numbers run from 1 without gaps or repeats within each group (the archival code before the item number); numbered files (pages) inside an item run without gaps',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-7'), YJ: local('LT-YJ-2-7'), CQ: local('LT-CQ-2-7') },
    name: { zh: '内容数据完整性检测', en: 'Content present' },
    method: { zh: '每件至少有一个内容文件，且内容文件不为空', en: 'Every item has at least one content file, and no content file is empty' },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-9') },
    name: { zh: '归档范围检测', en: 'Within the filing scope' },
    method: { zh: '文件属于本单位归档范围，需对照归档范围表人工判断', en: 'The files fall within the unit’s filing scope; check against the scope table by hand' },
    automated: { GD: false },
    severity: { GD: 'warning' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-10'), YJ: local('LT-YJ-2-10') },
    name: { zh: '归档信息包元数据完整性检测', en: 'Package (EEP) metadata complete' },
    method: {
      zh: 'EEP 封装包还应对照 DA/T 48-2009 附录C《封装元数据表》检查；该表内容本系统未收录，需人工核对',
      en: 'An EEP is also checked against DA/T 48-2009 Annex C (encapsulation metadata table); Lantai does not have that table, so check by hand',
    },
    automated: { GD: false, YJ: false },
    severity: { GD: 'warning', YJ: 'warning' },
  }),
  check({
    property: 'integrity',
    codes: { GD: gd('GD-2-11'), YJ: local('LT-YJ-2-11'), CQ: local('LT-CQ-2-11') },
    name: { zh: '归档信息包内容数据完整性检测', en: 'File count matches the declared count' },
    method: { zh: '包内声明的文件数与实际内容文件数一致', en: 'The file count the package declares equals the content files present' },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),

  // 可用性
  check({
    property: 'usability',
    codes: { GD: gd('GD-3-1'), YJ: local('LT-YJ-3-1'), CQ: local('LT-CQ-3-1') },
    name: { zh: '信息包中元数据的可读性检测', en: 'Metadata readable' },
    method: {
      zh: '元数据文件能按声明的编码解析；每件都读出了元数据，且值中没有解码失败留下的替换字符（U+FFFD）',
      en: 'Metadata files parse in their declared encoding; every item has metadata, with no replacement characters (U+FFFD) left by failed decoding',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'usability',
    codes: { GD: gd('GD-3-2') },
    name: { zh: '目标数据库中的元数据可访问性检测', en: 'Metadata accessible in the target database' },
    method: { zh: '数据库可连接，记录可读取', en: 'The database connects and records can be read' },
    automated: { GD: true },
    severity: { GD: 'blocking' },
  }),
  check({
    property: 'usability',
    codes: { GD: gd('GD-3-3'), YJ: local('LT-YJ-3-3'), CQ: local('LT-CQ-3-3') },
    name: { zh: '内容数据格式检测', en: 'Content in an archival format' },
    method: {
      zh: '按文件特征识别格式，应在本馆归档格式清单内（GB/T 18894-2016 归档格式表、OFD、PDF/A 等）',
      en: 'The format, identified from the file’s bytes, is on the archive’s archival format list (GB/T 18894-2016 table, OFD, PDF/A …)',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'warning', CQ: 'warning' },
  }),
  check({
    property: 'usability',
    // domain.md §10: GD-3-4 is only a probable code (Y9), so it stays local at every stage.
    codes: { GD: local('LT-GD-3-4'), YJ: local('LT-YJ-3-4'), CQ: local('LT-CQ-3-4') },
    name: { zh: '内容数据可读性检测', en: 'Content readable' },
    method: {
      zh: 'PDF 能被解析（pdf-lib 载入）；OFD 是含 OFD.xml 的 ZIP 包；图像文件结构完整（JPEG 有起止标记，PNG 有 IHDR 和 IEND，TIFF 首个 IFD 在文件内）；不是空文件',
      en: 'PDFs parse (pdf-lib load); OFD is a zip holding OFD.xml; images are structurally whole (JPEG start and end markers, PNG IHDR and IEND, TIFF first IFD inside the file); not empty',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'usability',
    codes: { YJ: local('LT-YJ-3-L1'), CQ: local('LT-CQ-3-L1') },
    name: { zh: '内容人工打开浏览抽查', en: 'Open-and-view spot check' },
    method: {
      zh: '自动检测只能确认文件结构完整，内容是否清晰、完整、与题名相符需人工打开抽查',
      en: 'Automated checks confirm structure only; whether content is legible, whole and matches its title needs a person to open a sample',
    },
    automated: { YJ: false, CQ: false },
    severity: { YJ: 'warning', CQ: 'warning' },
  }),
  check({
    property: 'usability',
    codes: { GD: gd('GD-3-8'), YJ: local('LT-YJ-3-8'), CQ: local('LT-CQ-3-8') },
    name: { zh: '信息包中包含的内容数据格式合规性检测', en: 'No encryption or non-public compression' },
    method: {
      zh: '内容文件不得加密（PDF /Encrypt、Office 加密、ZIP 加密项等），包内不得含压缩包（ZIP、RAR、7z、gzip），应解密、解压后移交',
      en: 'No encrypted content (PDF /Encrypt, encrypted Office, encrypted zip entries …) and no compressed archives (zip, RAR, 7z, gzip) inside; decrypt and unpack before transfer',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),

  // 安全性
  check({
    property: 'security',
    codes: { GD: gd('GD-4-1') },
    name: { zh: '系统环境中是否安装杀毒软件检测', en: 'Antivirus installed' },
    method: { zh: '系统环境安装了国产通用杀毒软件，需人工确认', en: 'A domestic general-purpose antivirus is installed; confirm by hand' },
    automated: { GD: false },
    severity: { GD: 'warning' },
  }),
  check({
    property: 'security',
    codes: { GD: gd('GD-4-2'), YJ: local('LT-YJ-4-2'), CQ: local('LT-CQ-4-2') },
    name: { zh: '病毒检测', en: 'Virus scan' },
    method: {
      zh: '用 ClamAV（clamd 或 clamscan）扫描包内全部文件；未安装扫描程序时需人工检查，不判为通过',
      en: 'Scan every file in the package with ClamAV (clamd or clamscan); without a scanner the check needs a manual review and never passes',
    },
    automated: { GD: true, YJ: true, CQ: true },
    severity: { GD: 'blocking', YJ: 'blocking', CQ: 'blocking' },
  }),
  check({
    property: 'security',
    codes: { GD: gd('GD-4-3'), YJ: local('LT-YJ-4-3') },
    name: { zh: '载体中多余文件检测', en: 'No extra files' },
    method: {
      zh: '包内不得有元数据未引用、也不属于包结构的文件',
      en: 'No file in the package that the metadata does not reference and the package structure does not account for',
    },
    automated: { GD: true, YJ: true },
    severity: { GD: 'blocking', YJ: 'warning' },
  }),
  check({
    property: 'security',
    codes: { YJ: local('LT-YJ-4-L1') },
    name: { zh: '离线载体外观与可读性检查', en: 'Offline carrier condition' },
    method: {
      zh: '光盘等离线载体的外观、标签、读取情况需人工检查（仅适用于载体移交）',
      en: 'Appearance, labels and readability of discs and other offline carriers need a manual check (carrier transfers only)',
    },
    automated: { YJ: false },
    severity: { YJ: 'warning' },
  }),
  check({
    property: 'security',
    codes: { GD: gd('GD-4-7'), YJ: local('LT-YJ-4-7') },
    name: { zh: '过程安全性检测', en: 'Process security' },
    method: {
      zh: '按国家安全保密要求从技术和管理上采取措施，确保移交和保存过程安全、可控；需人工确认',
      en: 'Technical and managerial measures under national security rules keep the transfer and storage secure and controlled; confirm by hand',
    },
    automated: { GD: false, YJ: false },
    severity: { GD: 'warning', YJ: 'warning' },
  }),
];

/** The checks that apply at `stage`, each with its code at that stage. */
export function checksForStage(stage: CheckStage): Array<FourPropertyCheck & { code: StageCode; stageSeverity: CheckSeverity; stageAutomated: boolean }> {
  return FOUR_PROPERTY_CHECKS.flatMap((c) => {
    const code = c.codes[stage];
    if (!code) return [];
    return [{ ...c, code, stageSeverity: c.severity[stage] ?? 'warning', stageAutomated: c.automated[stage] ?? false }];
  });
}

/** Default severities at `stage`, keyed by that stage's code. */
export function defaultSeverities(stage: CheckStage): Record<string, CheckSeverity> {
  return Object.fromEntries(checksForStage(stage).map((c) => [c.code.code, c.stageSeverity]));
}
