import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from '../src/test-support/random.js';

export const rng = seededRandom;

/**
 * Realistic catalogue rows for benchmarks: government document titles, responsible offices,
 * document numbers like 峄政发〔2023〕12号, years, retention and classification, in the
 * proportions a county archive holds. Deterministic (seeded), so runs compare.
 */

const PLACES = ['峄城区', '枣庄市', '薛城区', '台儿庄区', '山亭区', '滕州市', '市中区', '阴平镇', '古邵镇', '坛山街道', '吴林街道', '榴园镇'];
const OFFICES = ['人民政府办公室', '发展和改革局', '教育局', '财政局', '民政局', '人力资源和社会保障局', '自然资源局', '住房和城乡建设局', '农业农村局', '卫生健康委员会', '应急管理局', '市场监督管理局', '档案馆', '统计局', '水务局'];
const ACTIONS = ['关于做好', '关于印发', '关于转发', '关于加强', '关于开展', '关于进一步规范', '关于公布', '关于表彰', '关于调整', '关于报送'];
const TOPICS = ['安全生产大检查工作', '农村集体经济组织财务管理', '档案数字化加工项目', '城乡居民医疗保险缴费', '防汛抗旱工作', '义务教育阶段学校招生', '重点项目建设推进', '秋冬季森林防火', '第七次全国人口普查', '乡村振兴示范村创建', '营商环境优化提升', '退役军人优抚政策落实', '民生实事项目', '机关事务管理', '政府信息公开'];
const KINDS = ['的通知', '的意见', '的报告', '的请示', '的批复', '的决定', '实施方案', '的函', '工作总结', '会议纪要'];
const ABBR = ['峄政发', '峄政办发', '峄发改', '峄教字', '峄财预', '峄民字', '峄人社发', '峄自然资发', '峄卫健发', '峄应急发'];
const ORGS = ['办公室', '综合科', '财务科', '人事科', '业务一科', '业务二科', '法规科', '规划科', '信息中心', '监察室'];

export interface BenchRow {
  code: string;
  title: string;
  responsible: string;
  docNumber: string;
  date: string;
  year: number;
  retention: string;
  classification: string;
  openStatus: string;
  pages: number;
  org: string;
}

export const CSV_HEADER = ['档号', '题名', '责任者', '文号', '日期', '年度', '保管期限', '密级', '开放标识', '页数', '机构（问题）'];

/**
 * `count` rows for fonds `fonds` and category WS; `hotShare` of them fall in one node
 * (year `hotYear`, retention Y) so the tree benchmark can open a 200,000-item node.
 */
export function* generateRows(count: number, opts: { fonds: string; hotYear: number; hotCount: number; seed?: number }): Generator<BenchRow> {
  const r = rng(opts.seed ?? 42);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const counters = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const hot = i < opts.hotCount;
    const year = hot ? opts.hotYear : 2000 + Math.floor(r() * 24);
    const retention = hot ? 'Y' : r() < 0.4 ? 'Y' : r() < 0.6 ? 'D30' : 'D10';
    const org = pick(ORGS);
    const key = `${year}|${retention}|${org}`;
    const no = (counters.get(key) ?? 0) + 1;
    counters.set(key, no);
    const month = 1 + Math.floor(r() * 12);
    const day = 1 + Math.floor(r() * 28);
    const place = pick(PLACES);
    const classification = r() < 0.93 ? '公开' : r() < 0.7 ? '内部' : '秘密';
    yield {
      code: `${opts.fonds}-WS·${year}·${retention}·${org}-${String(no).padStart(4, '0')}`,
      title: `${place}${pick(OFFICES)}${pick(ACTIONS)}${year}年${pick(TOPICS)}${pick(KINDS)}`,
      responsible: `${place}${pick(OFFICES)}`,
      docNumber: `${pick(ABBR)}〔${year}〕${1 + Math.floor(r() * 200)}号`,
      date: `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`,
      year,
      retention,
      classification,
      openStatus: classification === '公开' ? (r() < 0.6 ? '开放' : '未审核') : '控制',
      pages: 1 + Math.floor(r() * 40),
      org,
    };
  }
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function rowValues(row: BenchRow): Array<string | number> {
  return [row.code, row.title, row.responsible, row.docNumber, row.date, row.year, row.retention, row.classification, row.openStatus, row.pages, row.org];
}

/** Writes the rows as a UTF-8 CSV with a header, streaming. */
export async function writeCsv(path: string, rows: Iterable<BenchRow>): Promise<void> {
  const out = createWriteStream(path);
  out.write(CSV_HEADER.join(',') + '\n');
  let buf = '';
  for (const row of rows) {
    buf += rowValues(row).map(csvCell).join(',') + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}
