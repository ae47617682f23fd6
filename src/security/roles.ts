/**
 * 三员 and the business roles. No role holds everything: the system administrator runs the
 * system and its accounts, the security officer grants rights, the auditor reads the trail,
 * and only business roles see catalogue content.
 */
export const ADMIN_ROLES = ['sysadmin', 'secadmin', 'auditor'] as const;
export const BUSINESS_ROLES = ['archivist', 'keeper', 'reader'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];
export type BusinessRole = (typeof BUSINESS_ROLES)[number];

export type Permission =
  | 'users.manage'
  | 'system.operate'
  | 'rights.grant'
  | 'audit.read'
  | 'audit.read_business'
  | 'catalog.read'
  | 'catalog.write'
  | 'catalog.configure'
  | 'catalog.import'
  | 'catalog.export'
  | 'preservation.read'
  | 'preservation.operate'
  | 'transfer.receive'
  /** Held only by an organization's API token: submit its own packages and follow them. */
  | 'transfer.submit';

const GRANTS: Record<AdminRole | BusinessRole, Permission[]> = {
  // The system administrator runs storage: counts, locations and failures, never item content.
  sysadmin: ['users.manage', 'system.operate', 'preservation.read', 'preservation.operate'],
  secadmin: ['rights.grant', 'audit.read_business'],
  auditor: ['audit.read', 'audit.read_business'],
  archivist: ['catalog.read', 'catalog.write', 'catalog.configure', 'catalog.import', 'catalog.export', 'preservation.read', 'transfer.receive'],
  keeper: ['catalog.read', 'catalog.write', 'catalog.import', 'catalog.export'],
  reader: ['catalog.read'],
};

export const ROLE_LABELS: Record<AdminRole | BusinessRole, { zh: string; en: string }> = {
  sysadmin: { zh: '系统管理员', en: 'System administrator' },
  secadmin: { zh: '安全保密管理员', en: 'Security officer' },
  auditor: { zh: '安全审计员', en: 'Security auditor' },
  archivist: { zh: '档案馆业务人员', en: 'Archivist' },
  keeper: { zh: '档案室管理员', en: 'Record-room keeper' },
  reader: { zh: '利用者', en: 'Reader' },
};

export function permissionsOf(role: { adminRole: string | null; businessRole: string | null }): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of [role.adminRole, role.businessRole]) {
    if (r && r in GRANTS) for (const p of GRANTS[r as AdminRole]) out.add(p);
  }
  return out;
}

export const isAdminRole = (r: unknown): r is AdminRole => ADMIN_ROLES.includes(r as AdminRole);
export const isBusinessRole = (r: unknown): r is BusinessRole => BUSINESS_ROLES.includes(r as BusinessRole);
