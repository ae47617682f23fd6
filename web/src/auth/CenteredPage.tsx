import { Flex, Layout } from 'antd';
import type { ReactNode } from 'react';

/** The sign-in and forced password pages: one card in the middle, the language switch in the corner. */
export function CenteredPage({ children, extra }: { children: ReactNode; extra?: ReactNode }) {
  return (
    <Layout style={{ minHeight: '100vh', background: 'linear-gradient(160deg, #f6efe6 0%, #e9e4dc 100%)' }}>
      <Flex justify="flex-end" style={{ padding: 16 }}>{extra}</Flex>
      <Flex justify="center" align="flex-start" style={{ paddingTop: '8vh' }}>{children}</Flex>
    </Layout>
  );
}
