import { AuditOutlined, DatabaseOutlined, FolderOpenOutlined, InboxOutlined, SafetyCertificateOutlined, SearchOutlined, TeamOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Permission } from '../api/types.js';
import type { MessageKey } from '../i18n/index.js';
import { ROUTES } from '../router.js';

export interface NavEntry {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  /** Any one of these opens the entry. */
  permissions: Permission[];
}

/** The workspace's sections, in menu order; a user sees those their permissions open. */
export const NAV: NavEntry[] = [
  { path: ROUTES.catalog, label: 'nav.catalog', icon: <FolderOpenOutlined />, permissions: ['catalog.read'] },
  { path: ROUTES.search, label: 'nav.search', icon: <SearchOutlined />, permissions: ['catalog.read'] },
  { path: ROUTES.transfers, label: 'nav.transfers', icon: <InboxOutlined />, permissions: ['transfer.receive'] },
  { path: ROUTES.users, label: 'nav.users', icon: <TeamOutlined />, permissions: ['users.manage'] },
  { path: ROUTES.rights, label: 'nav.rights', icon: <SafetyCertificateOutlined />, permissions: ['rights.grant'] },
  { path: ROUTES.audit, label: 'nav.audit', icon: <AuditOutlined />, permissions: ['audit.read', 'audit.read_business'] },
  { path: ROUTES.preservation, label: 'nav.preservation', icon: <DatabaseOutlined />, permissions: ['preservation.read', 'preservation.operate'] },
];

export const navFor = (permissions: readonly Permission[]): NavEntry[] => NAV.filter((n) => n.permissions.some((p) => permissions.includes(p)));
