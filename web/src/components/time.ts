import type { Lang } from '../i18n/index.js';

const formatters = new Map<Lang, Intl.DateTimeFormat>();

/** A stored UTC instant as Beijing time (DESIGN §8: stored in UTC, shown in Asia/Shanghai). */
export function shanghaiTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  let f = formatters.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    formatters.set(lang, f);
  }
  return f.format(d);
}
