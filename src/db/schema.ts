import type { Generated } from 'kysely';

/**
 * The tables, as Kysely sees them. Each business module owns its own tables
 * (named in the comment) and only that module's repository queries them.
 * Times are ISO-8601 UTC strings on both backends; JSON columns are text.
 */

// platform: audit trail
export interface AuditLogTable {
  seq: number;
  at: string;
  actor_id: number | null;
  actor_name: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before_digest: string | null;
  after_digest: string | null;
  client_ip: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

// platform: jobs
export interface JobTable {
  id: Generated<number>;
  kind: string;
  state: string;
  progress: number;
  total: number | null;
  payload: string | null;
  result: string | null;
  error: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

// security
export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  password_changed_at: string;
  password_history: string;
  must_change_password: number;
  failed_attempts: number;
  locked_until: string | null;
  status: string;
  admin_role: string | null;
  business_role: string | null;
  clearance: string;
  all_fonds: number;
  organization_id: number | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface UserFondsTable {
  user_id: number;
  fonds_id: number;
  granted_by: number;
  granted_at: string;
}

export interface SessionTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_ip: string | null;
  user_agent: string | null;
}

// catalog
export interface OrganizationTable {
  id: Generated<number>;
  code: string;
  name: string;
  kind: string;
  parent_id: number | null;
  notes: string | null;
  state: string;
  deleted_reason: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface FondsTable {
  id: Generated<number>;
  organization_id: number;
  code: string;
  name: string;
  start_year: number | null;
  end_year: number | null;
  history: string | null;
  state: string;
  deleted_reason: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface CategoryTable {
  id: Generated<number>;
  fonds_id: number;
  code: string;
  name: string;
  name_en: string | null;
  arrangement: string;
  code_template: string;
  volume_template: string | null;
  field_schema: string;
  import_mapping: string | null;
  state: string;
  deleted_reason: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface VolumeTable {
  id: Generated<number>;
  fonds_id: number;
  category_id: number;
  archival_code: string;
  sort_key: string;
  volume_no: number;
  title: string;
  responsible: string | null;
  year: number;
  retention: string;
  classification: string;
  open_status: string;
  org: string | null;
  date_from: string | null;
  date_to: string | null;
  notes: string | null;
  state: string;
  deleted_reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ItemTable {
  id: Generated<number>;
  fonds_id: number;
  category_id: number;
  volume_id: number | null;
  archival_code: string;
  sort_key: string;
  item_no: number;
  title: string;
  responsible: string;
  doc_number: string | null;
  date: string;
  year: number;
  retention: string;
  classification: string;
  secrecy_period: string | null;
  open_status: string;
  pages: number | null;
  org: string | null;
  notes: string | null;
  extra: string;
  state: string;
  deleted_reason: string | null;
  deleted_at: string | null;
  deleted_by: number | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ImportMappingTable {
  category_id: number;
  mapping: string;
  updated_at: string;
}

// search
export interface SearchPageTable {
  id: Generated<number>;
  item_id: number;
  source: string;
  page: number;
  text: string;
}

export interface SearchStateTable {
  name: string;
  value: string;
}

// storage/preservation
export interface PreservationObjectTable {
  item_id: number;
  object_id: string;
  head: string;
  head_number: number;
  inventory_sha512: string;
  file_count: number;
  bytes: number;
  state: string;
  created_at: string;
  updated_at: string;
}

export interface PreservationVersionTable {
  item_id: number;
  number: number;
  name: string;
  created: string;
  message: string | null;
  user_name: string | null;
  inventory_sha512: string;
  file_count: number;
  bytes: number;
}

export interface PreservationFileTable {
  id: Generated<number>;
  item_id: number;
  version_number: number;
  logical_path: string;
  content_path: string;
  size: number;
  sha512: string;
  sha256: string | null;
  sm3: string | null;
  format_id: string;
  format_name: string;
  format_version: string | null;
  mime: string;
  archival: number;
  encrypted: number;
  format_note: string;
}

export interface PreservationReplicaTable {
  item_id: number;
  location: string;
  version_number: Generated<number>;
  inventory_sha512: string | null;
  bytes: Generated<number>;
  state: string;
  error: string | null;
  replicated_at: string | null;
  checked_at: string | null;
  updated_at: string;
}

export interface PreservationEventTable {
  id: Generated<number>;
  at: string;
  item_id: number | null;
  location: string | null;
  kind: string;
  algorithm: string | null;
  result: string;
  details: string | null;
  actor_id: number | null;
  actor_name: string;
}

export interface PreservationCheckpointTable {
  location: string;
  cycle: number;
  started_at: string;
  completed_at: string | null;
  last_item_id: number;
  checked: number;
  failed: number;
  repaired: number;
  damaged: number;
  updated_at: string;
}

export interface Schema {
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  jobs: JobTable;
  users: UserTable;
  user_fonds: UserFondsTable;
  sessions: SessionTable;
  organizations: OrganizationTable;
  fonds: FondsTable;
  categories: CategoryTable;
  volumes: VolumeTable;
  items: ItemTable;
  search_pages: SearchPageTable;
  search_state: SearchStateTable;
  preservation_objects: PreservationObjectTable;
  preservation_versions: PreservationVersionTable;
  preservation_files: PreservationFileTable;
  preservation_replicas: PreservationReplicaTable;
  preservation_events: PreservationEventTable;
  preservation_checkpoints: PreservationCheckpointTable;
  transfers: TransferTable;
  transfer_items: TransferItemTable;
  organization_tokens: OrganizationTokenTable;
  transfer_uploads: TransferUploadTable;
}

// ingest/transfer: received packages and the accept step's per-item progress
export interface TransferTable {
  id: Generated<number>;
  organization_id: number | null;
  sender: string | null;
  category_id: number;
  fonds_id: number;
  file_name: string;
  format: string | null;
  state: string;
  item_count: Generated<number>;
  file_count: Generated<number>;
  bytes: Generated<number>;
  accepted_count: Generated<number>;
  /** The CheckReport as JSON, once checked. */
  report: string | null;
  reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  decided_by: number | null;
  decided_at: string | null;
}

export interface TransferItemTable {
  transfer_id: number;
  seq: number;
  item_key: string;
  archival_code: string | null;
  /** Lantai core and category field values as JSON. */
  fields: string;
  /** [{ name, path, text? }] as JSON; paths relative to the transfer's package root. */
  files: string;
  /** The item's earlier states, oldest first, as JSON [{ layer, files }] with `files` as above; null when it has none. */
  previous: string | null;
  item_id: number | null;
  state: string;
  /** How many of the item's states (earlier ones, then its own files) are stored as versions of its object. */
  versions_stored: Generated<number>;
  updated_at: string;
}

/** An organization's API token for online transfer; only its SHA-256 is stored. */
export interface OrganizationTokenTable {
  id: Generated<number>;
  organization_id: number;
  name: string;
  token_sha256: string;
  created_by: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface TransferUploadTable {
  /** The tus upload's id (the last segment of its URL). */
  upload_id: string;
  organization_id: number;
  /** Set once the finished upload has been received as a transfer. */
  transfer_id: number | null;
  created_at: string;
}
