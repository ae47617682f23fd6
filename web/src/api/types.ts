/** The shapes the server's /api/v1 returns (see src/http/routes). */
export interface Label {
  zh: string;
  en: string;
}

export interface Me {
  id: number;
  username: string;
  displayName: string;
  adminRole: string | null;
  businessRole: string | null;
  roleLabel: Label | null;
  clearance: string;
  allFonds: boolean;
  fondsIds: number[];
  permissions: string[];
  mustChangePassword: boolean;
}

export interface MeResponse {
  user: Me;
  csrfToken?: string;
}

export type FieldType = 'text' | 'longtext' | 'integer' | 'date' | 'enum' | 'boolean';

export interface FieldDef {
  name: string;
  label: Label;
  type: FieldType;
  required?: boolean;
  values?: string[];
  maxLength?: number;
  min?: number;
  max?: number;
}

export interface Organization {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
  version: number;
}

export interface Fonds {
  id: number;
  organizationId: number;
  code: string;
  name: string;
  version: number;
}

export interface Category {
  id: number;
  fondsId: number;
  code: string;
  name: string;
  nameEn: string | null;
  arrangement: 'item' | 'volume';
  codeTemplate: string;
  fieldSchema: FieldDef[];
  importMapping: Record<string, string> | null;
  version: number;
  coreFields: FieldDef[];
}

export type TreeNodeType = 'organization' | 'fonds' | 'category' | 'year' | 'retention' | 'volume';

export interface TreeNode {
  key: string;
  type: TreeNodeType;
  label: string;
  labelEn?: string;
  count?: number;
  isLeaf: boolean;
  ref: { organizationId?: number; fondsId?: number; categoryId?: number; year?: number; retention?: string; volumeId?: number };
}

export interface Item {
  id: number;
  fondsId: number;
  categoryId: number;
  volumeId: number | null;
  state: string;
  version: number;
  retentionLabel: Label;
  fields: Record<string, unknown> & { archival_code: string; title: string };
}

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  status: 'active' | 'disabled' | string;
  adminRole: string | null;
  businessRole: string | null;
  clearance: string;
  allFonds: boolean;
  fondsIds: number[];
  organizationId: number | null;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  version: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | number | null;
  client_ip: string | null;
  details: unknown;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  fault: { kind: string; seq: number } | null;
}

export interface ImportUpload {
  uploadId: string;
  fileName: string;
  format: string;
  encoding: string | null;
  columns: string[];
  rowCount: number;
  sample: Array<Record<string, unknown> | unknown[]>;
  suggestedMapping: Record<string, string>;
}

export interface ImportRowError {
  row: number;
  field: string | null;
  column: string | null;
  code: string;
  message: string;
  message_en: string;
}

export interface ImportDryRun {
  total: number;
  valid: number;
  invalid: number;
  toCreate: number;
  toUpdate: number;
  toSkip: number;
  errors: ImportRowError[];
}

export interface ImportCommit {
  created: number;
  updated: number;
  skipped: number;
  invalid: number;
  errors: ImportRowError[];
}
