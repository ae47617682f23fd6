import { App as AntApp, ConfigProvider, type ConfigProviderProps, theme } from 'antd';
import enModule from 'antd/es/locale/en_US.js';
import zhModule from 'antd/es/locale/zh_CN.js';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client.js';
import type { Label } from '../api/types.js';
import { en } from './en.js';
import { zh } from './zh.js';

export type Lang = 'zh-CN' | 'en-US';
export type MessageKey = keyof typeof zh;
export type Messages = Record<MessageKey, string>;

const TABLES: Record<Lang, Messages> = { 'zh-CN': zh, 'en-US': en };

type AntLocale = NonNullable<ConfigProviderProps['locale']>;
/** antd ships its locales as ES modules that TypeScript (NodeNext) reads as CommonJS: unwrap either shape. */
const unwrap = (m: unknown): AntLocale => ((m as { default?: AntLocale }).default ?? (m as AntLocale));
const ANTD_LOCALES: Record<Lang, AntLocale> = { 'zh-CN': unwrap(zhModule), 'en-US': unwrap(enModule) };
const STORAGE_KEY = 'lantai.lang';

function storedLang(): Lang {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'en-US' ? 'en-US' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** Fills `{name}` placeholders. */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export interface I18n {
  lang: Lang;
  isZh: boolean;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** The side of a {zh, en} label (server data, domain labels) that matches the UI language. */
  pick(label: Label | null | undefined): string;
  /** The server's message in the UI language, or a generic text for an unexpected failure. */
  errorText(error: unknown): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private windows may refuse storage; the choice then lasts for this page only.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = TABLES[lang]['app.name'];
  }, [lang]);

  const value = useMemo<I18n>(() => {
    const table = TABLES[lang];
    const isZh = lang === 'zh-CN';
    const t = (key: MessageKey, vars?: Record<string, string | number>) => format(table[key], vars);
    return {
      lang, isZh, setLang, t,
      pick: (label) => (label ? (isZh ? label.zh : label.en || label.zh) : ''),
      errorText: (error) => {
        if (error instanceof ApiError) return isZh ? error.message : error.messageEn;
        return t('error.unexpected', { detail: error instanceof Error ? error.message : String(error) });
      },
    };
  }, [lang, setLang]);

  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={ANTD_LOCALES[lang]} theme={{ algorithm: theme.defaultAlgorithm, token: { colorPrimary: '#8c1d18', borderRadius: 4 } }}>
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
