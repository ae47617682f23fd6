/**
 * A transfer's four-property check report as a table (PDF and .xlsx), and the
 * 《电子档案移交与接收登记表》 (domain.md §4.7) filled in from it for both parties to sign.
 * Times are shown in Asia/Shanghai (DESIGN §8).
 */
import { PassThrough } from 'node:stream';
import type { CellValue } from '../../catalog/export/columns.js';
import { tableToPdf } from '../../catalog/export/pdf-catalogue.js';
import { writeXlsx } from '../../catalog/export/xlsx-writer.js';
import type { CheckResult } from '../checks/types.js';
import type { TransferView } from './transfer.service.js';

const RESULT_LABELS: Record<CheckResult['result'], string> = { pass: '通过', fail: '不通过', manual: '需人工核验', na: '不适用' };
const SEVERITY_LABELS: Record<CheckResult['severity'], string> = { blocking: '必须通过', warning: '警告', off: '不检测' };
const STATE_LABELS: Record<TransferView['state'], string> = {
  received: '已接收待检测', unpacked: '已解包', awaiting_decision: '待决定', accepting: '接收中', accepted: '已接收', returned: '已退回',
};

const shanghai = (iso: string | null) =>
  iso === null ? '' : new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

const offendingText = (c: CheckResult) =>
  [...c.offending.map((o) => [o.item, o.path].filter(Boolean).join(' ') + `：${o.reason}`), ...(c.note ? [c.note.zh] : [])].join('\n');

const REPORT_COLUMNS = [
  { header: '检测编号', width: 90, xlsx: 14 },
  { header: '属性', width: 50, xlsx: 8 },
  { header: '检测项目', width: 150, xlsx: 28 },
  { header: '检测方法', width: 150, xlsx: 32 },
  { header: '要求', width: 55, xlsx: 10 },
  { header: '结果', width: 60, xlsx: 10 },
  { header: '问题条目及原因', width: 214.89, xlsx: 60 },
];

function reportRows(t: TransferView): CellValue[][] {
  return (t.report?.checks ?? []).map((c) => [c.id, c.property.zh, c.name.zh, c.method.zh, SEVERITY_LABELS[c.severity], RESULT_LABELS[c.result], offendingText(c)]);
}

const reportSubtitle = (t: TransferView) =>
  `移交 #${t.id}　${t.sender ?? ''}　${t.fileName}　${t.itemCount} 件 ${t.fileCount} 个文件 ${t.bytes} 字节　状态：${STATE_LABELS[t.state]}${t.report?.blocking ? '（有必须通过的项目未通过）' : ''}`;

async function* once<T>(value: T) {
  yield value;
}

export function reportPdf(t: TransferView): Promise<Uint8Array> {
  return tableToPdf({ title: '电子档案四性检测报告', subtitle: reportSubtitle(t), columns: REPORT_COLUMNS }, once(reportRows(t)));
}

export async function reportXlsx(t: TransferView): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeXlsx(out, {
    sheetName: '四性检测报告', titles: ['电子档案四性检测报告', reportSubtitle(t)], columns: REPORT_COLUMNS.map((c) => ({ header: c.header, width: c.xlsx })),
  }, once(reportRows(t)));
  return Buffer.concat(chunks);
}

/** The results of one property's checks in a line of the form: passes, failures and what needs a person. */
function propertyLine(t: TransferView, property: string): string {
  const checks = (t.report?.checks ?? []).filter((c) => c.property.zh === property);
  if (!checks.length) return '未检测';
  const by = (r: CheckResult['result']) => checks.filter((c) => c.result === r).map((c) => c.name.zh);
  const failed = by('fail');
  const manual = by('manual');
  return [
    `${failed.length ? '不合格' : '合格'}（${checks.length} 项：通过 ${by('pass').length}，不通过 ${failed.length}，需人工核验 ${manual.length}）`,
    ...(failed.length ? [`不通过：${failed.join('；')}`] : []),
    ...(manual.length ? [`需人工核验：${manual.join('；')}`] : []),
  ].join('\n');
}

/**
 * The 登记表 as a two-column form. 载体 is the online network for a package received through
 * Lantai; the signature lines are left for the two parties to sign and stamp.
 */
export function receiptPdf(t: TransferView, organizationName: string | null): Promise<Uint8Array> {
  const sender = t.sender ?? organizationName ?? '';
  const virus = (t.report?.checks ?? []).filter((c) => /病毒/.test(c.name.zh));
  const rows: CellValue[][] = [
    ['移交单位', sender],
    ['接收单位', ''],
    ['内容描述', `移交包 ${t.fileName}（${t.format ?? '未识别格式'}），移交编号 #${t.id}，接收时间 ${shanghai(t.createdAt)}`],
    ['数量', `${t.itemCount} 件，${t.fileCount} 个电子文件`],
    ['容量', `${t.bytes} 字节`],
    ['载体', '网络在线移交'],
    ['病毒检测', virus.length ? virus.map((c) => `${c.name.zh}：${RESULT_LABELS[c.result]}`).join('；') : '未检测'],
    ['真实性检测', propertyLine(t, '真实性')],
    ['完整性检测', propertyLine(t, '完整性')],
    ['可用性检测', propertyLine(t, '可用性')],
    ['安全性检测', propertyLine(t, '安全性')],
    ['结论', t.state === 'accepted' ? `已接收（${shanghai(t.decidedAt)}）` : t.state === 'returned' ? `已退回：${t.reason ?? ''}` : STATE_LABELS[t.state]],
    ['移交单位（签章）', '经办人：　　　　　　　审核人：　　　　　　　日期：　　　年　　月　　日'],
    ['接收单位（签章）', '经办人：　　　　　　　审核人：　　　　　　　日期：　　　年　　月　　日'],
  ];
  return tableToPdf(
    { title: '电子档案移交与接收登记表', subtitle: `移交 #${t.id}`, columns: [{ header: '项目', width: 140 }, { header: '内容', width: 629.89 }] },
    once(rows),
  );
}
