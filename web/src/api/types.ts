/**
 * The shapes the server's /api/v1 returns. Each is the server's own type, imported as a type only
 * (erased from the bundle), so the UI and the server cannot drift apart; a type is written out here
 * only where the wire form is narrower than what the server declares.
 */
import type { itemNumberGaps } from '../../../src/catalog/items.service.js';
import type { categoryView, fondsView, ItemView, organizationView } from '../../../src/catalog/views.js';
import type { commitUpload, dryRunUpload, uploadSheet } from '../../../src/catalog/import/upload.service.js';
import type { Label } from '../../../src/domain/errors.js';
import type { BoundedFieldDef } from '../../../src/domain/field-values.js';
import type { meView } from '../../../src/http/routes/auth.routes.js';
import type { VerifyResult } from '../../../src/platform/audit/audit.service.js';

export type { Label };
export type { Permission } from '../../../src/security/roles.js';
export type { UserView } from '../../../src/security/users.service.js';

export type Me = ReturnType<typeof meView>;
export interface MeResponse {
  user: Me;
  csrfToken?: string;
}

/** A field definition (core fields carry min/max too). */
export type FieldDef = BoundedFieldDef;

export type Organization = ReturnType<typeof organizationView>;
export type Fonds = ReturnType<typeof fondsView>;
/** GET /api/v1/categories/:id: the category with its parsed schema and the core fields. */
export type Category = Omit<ReturnType<typeof categoryView>, 'fieldSchema'> & { fieldSchema: FieldDef[]; coreFields: FieldDef[] };
/** An item; `fields` also holds the category's own fields by name. */
export type Item = Omit<ItemView, 'fields'> & { fields: ItemView['fields'] & Record<string, unknown> };

export type TreeNodeType = 'organization' | 'fonds' | 'category' | 'year' | 'retention' | 'volume';

/** A node of GET /api/v1/tree (src/catalog/tree.service.ts), with the references each kind carries. */
export interface TreeNode {
  key: string;
  type: TreeNodeType;
  label: string;
  labelEn?: string;
  count?: number;
  isLeaf: boolean;
  ref: { organizationId?: number; fondsId?: number; categoryId?: number; year?: number; retention?: string; volumeId?: number };
}

/** A row of GET /api/v1/audit (the audit_log table as JSON). */
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
export type AuditVerifyResult = VerifyResult;

export type ImportUpload = Awaited<ReturnType<typeof uploadSheet>>;
export type ImportDryRun = Awaited<ReturnType<typeof dryRunUpload>>;
export type ImportCommit = Awaited<ReturnType<typeof commitUpload>>;
export type ImportRowError = ImportDryRun['errors'][number];

/** GET /api/v1/items/gaps: 件号 gaps and duplicates per numbering group. */
export type NumberingReport = Awaited<ReturnType<typeof itemNumberGaps>>;

export type { FacetName, FacetValue, SearchHit, SearchResponse, SearchSort } from '../../../src/search/search.service.js';
export type ItemPages = Awaited<ReturnType<typeof import('../../../src/search/search.service.js').itemPages>>;

export type { FileView as StoredFile, StoreResult } from '../../../src/storage/preservation/preservation.service.js';
export type { EventKind, EventResult, EventView as PreservationEvent } from '../../../src/storage/preservation/events.js';
export type { FixityAuditResult } from '../../../src/storage/preservation/fixity.js';
export type { JobView as Job } from '../../../src/platform/jobs/jobs.service.js';
/** GET /api/v1/items/:id/files: one version's files, every version, the locations holding it and its events. */
export type ItemFiles = Awaited<ReturnType<typeof import('../../../src/storage/preservation/preservation.service.js').listItemFiles>>;
export type PreservationSummary = Awaited<ReturnType<typeof import('../../../src/storage/preservation/preservation.service.js').preservationSummary>>;
export type PreservationEventPage = Awaited<ReturnType<typeof import('../../../src/storage/preservation/preservation.service.js').listPreservationEvents>>;

export type { TransferState, TransferView as Transfer } from '../../../src/ingest/transfer/transfer.service.js';
export type { CheckOutcome, CheckReport, CheckResult, Offending } from '../../../src/ingest/checks/types.js';
export type { CheckSeverity } from '../../../src/domain/four-property-checks.js';
/** GET /api/v1/transfers: the inbox, newest first, a page at a time. */
export type TransferPage = Awaited<ReturnType<typeof import('../../../src/ingest/transfer/transfer.service.js').listTransfers>>;
export type { PackageFormat } from '../../../src/ingest/packages/model.js';
