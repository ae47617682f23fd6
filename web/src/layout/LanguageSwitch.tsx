import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { testId } from '../components/testId.js';
import { useI18n } from '../i18n/index.js';

/** Switches between 中文 and English; the button names the language it switches to. */
export function LanguageSwitch({ dark }: { dark?: boolean }) {
  const { lang, setLang, t } = useI18n();
  const next = lang === 'zh-CN' ? 'en-US' : 'zh-CN';
  return (
    <Button
      type={dark ? 'text' : 'default'}
      icon={<GlobalOutlined />}
      onClick={() => setLang(next)}
      aria-label={t('lang.switchTo')}
      lang={next}
      style={dark ? { color: 'rgba(255,255,255,0.88)' } : undefined}
      {...testId('lang-switch')}
    >
      {t('lang.other')}
    </Button>
  );
}
