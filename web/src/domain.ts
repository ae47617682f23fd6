/**
 * The archival vocabularies the UI offers, taken from the server's own pure domain modules so the
 * two can never disagree (retention codes, 密级, 开放标识, DA/T 13 门类, roles). Each carries its
 * {zh, en} labels; the UI picks the side of the current language.
 */
export { CURRENT_RETENTION_CODES, LEGACY_RETENTION_CODES, retentionLabel } from '../../src/domain/retention.js';
export { CLASSIFICATION_LEVELS, DEFAULT_CLASSIFICATION, STATE_SECRET_LEVELS, classificationLabel } from '../../src/domain/classification.js';
export { DEFAULT_OPEN_STATUS, OPEN_STATUSES, openStatusLabel } from '../../src/domain/open-status.js';
export { STANDARD_CATEGORIES } from '../../src/domain/categories.js';
export { formatPartialDate, parsePartialDate } from '../../src/domain/partial-date.js';
export { BUSINESS_ROLES, ROLE_LABELS } from '../../src/security/roles.js';

/** Kinds of organization the server accepts (src/catalog/structure.service.ts ORGANIZATION_KINDS). */
export const ORGANIZATION_KINDS = ['archive', 'agency', 'enterprise', 'institution', 'township', 'village', 'other'] as const;
