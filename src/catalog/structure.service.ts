import { parseTemplate, STANDARD_TEMPLATES } from '../domain/archival-code.js';
import { isValidCategoryCode, STANDARD_CATEGORIES } from '../domain/categories.js';
import { DomainError } from '../domain/errors.js';
import { validateSchema } from '../domain/field-schema.js';
import { nowIso } from '../db/database.js';
import { appendAudit } from '../platform/audit/audit.service.js';
import { type AppContext, inTransaction } from '../platform/context.js';
import { badRequest, conflict, forbidden, notFound, staleVersion } from '../platform/errors.js';
import { type Actor, auditActorOf, canReachFonds, requirePermission } from '../security/actor.js';
import { CatalogRepository, type CategoryRow, type FondsRow } from './catalog.repository.js';
import { categoryView, fondsView, organizationView } from './views.js';

export const ORGANIZATION_KINDS = ['archive', 'agency', 'enterprise', 'institution', 'township', 'village', 'other'] as const;
const ORG = { zh: '机构', en: 'Organization' };
const FONDS = { zh: '全宗', en: 'Fonds' };
const CATEGORY = { zh: '门类', en: 'Category' };

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const optionalText = (v: unknown) => text(v) || null;

function requireText(v: unknown, field: string, zh: string, en: string, max = 200): string {
  const s = text(v);
  if (!s) throw badRequest('FIELD_REQUIRED', `${zh}不能为空`, `${en} is required`, { field });
  if ([...s].length > max) throw badRequest('FIELD_TOO_LONG', `${zh}不能超过 ${max} 个字符`, `${en} may have at most ${max} characters`, { field });
  return s;
}

/** Organizations, fonds and categories are listed to administrators too: they grant rights on them. */
const seesAllStructure = (actor: Actor) => actor.allFonds || actor.permissions.has('rights.grant') || actor.permissions.has('users.manage');

// organizations

export async function listOrganizations(ctx: AppContext, actor: Actor) {
  if (!actor.permissions.has('catalog.read') && !seesAllStructure(actor)) throw forbidden();
  return (await new CatalogRepository(ctx.database.db).listOrganizations()).map(organizationView);
}

export interface OrganizationInput {
  code: unknown;
  name: unknown;
  kind: unknown;
  parentId?: unknown;
  notes?: unknown;
}

export async function createOrganization(ctx: AppContext, actor: Actor, input: OrganizationInput) {
  requirePermission(actor, 'catalog.configure');
  const code = requireText(input.code, 'code', '机构代码', 'Organization code', 50);
  const name = requireText(input.name, 'name', '机构名称', 'Organization name');
  const kind = text(input.kind) || 'agency';
  if (!(ORGANIZATION_KINDS as readonly string[]).includes(kind)) throw badRequest('FIELD_NOT_IN_LIST', `机构类型“${kind}”无效`, `Unknown organization kind "${kind}"`, { field: 'kind', allowed: ORGANIZATION_KINDS });
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const parentId = input.parentId == null || input.parentId === '' ? null : Number(input.parentId);
    if (parentId !== null && !(await repo.organization(parentId))) throw notFound({ zh: '上级机构', en: 'Parent organization' });
    if (await repo.organizationByCode(code)) throw conflict('ORGANIZATION_CODE_TAKEN', `机构代码“${code}”已存在`, `Organization code "${code}" exists already`, { field: 'code' });
    const at = nowIso();
    const row = await repo.insertOrganization({ code, name, kind, parent_id: parentId, notes: optionalText(input.notes), state: 'active', created_at: at, updated_at: at, version: 1 });
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'organization.create', target: { type: 'organization', id: row.id }, after: organizationView(row) }]);
    return organizationView(row);
  });
}

export async function updateOrganization(ctx: AppContext, actor: Actor, id: number, version: number, input: Partial<OrganizationInput>) {
  requirePermission(actor, 'catalog.configure');
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const before = await repo.organization(id);
    if (!before || before.state !== 'active') throw notFound(ORG);
    let parentId = before.parent_id;
    if (input.parentId !== undefined) {
      parentId = input.parentId === null || input.parentId === '' ? null : Number(input.parentId);
      if (parentId !== null && (await wouldCycle(repo, id, parentId))) throw badRequest('ORGANIZATION_CYCLE', '上级机构不能是自身或其下级', 'An organization cannot sit below itself', { field: 'parentId' });
    }
    const row = await repo.updateOrganization(id, version, {
      name: input.name === undefined ? before.name : requireText(input.name, 'name', '机构名称', 'Organization name'),
      notes: input.notes === undefined ? before.notes : optionalText(input.notes),
      parent_id: parentId,
      updated_at: nowIso(),
    });
    if (!row) throw staleVersion(before.version);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'organization.update', target: { type: 'organization', id }, before: organizationView(before), after: organizationView(row) }]);
    return organizationView(row);
  });
}

async function wouldCycle(repo: CatalogRepository, id: number, parentId: number): Promise<boolean> {
  for (let cur: number | null = parentId, hops = 0; cur !== null && hops < 1000; hops++) {
    if (cur === id) return true;
    cur = (await repo.organization(cur))?.parent_id ?? null;
  }
  return false;
}

// fonds

export async function listFonds(ctx: AppContext, actor: Actor, organizationId?: number) {
  const scope = seesAllStructure(actor) ? 'all' : actor.permissions.has('catalog.read') ? actor.fondsIds : null;
  if (scope === null) throw forbidden();
  return (await new CatalogRepository(ctx.database.db).listFonds(scope, organizationId)).map(fondsView);
}

export async function loadFonds(ctx: AppContext, actor: Actor, id: number): Promise<FondsRow> {
  const f = await new CatalogRepository(ctx.database.db).fonds(id);
  if (!f || f.state !== 'active' || !(canReachFonds(actor, id) || seesAllStructure(actor))) throw notFound(FONDS);
  return f;
}

export interface FondsInput {
  organizationId: unknown;
  code: unknown;
  name: unknown;
  startYear?: unknown;
  endYear?: unknown;
  history?: unknown;
}

const FONDS_CODE = /^[A-Za-z0-9]{1,10}$/;

function years(input: Partial<FondsInput>): { start: number | null; end: number | null } {
  const y = (v: unknown, field: string) => {
    if (v === undefined || v === null || v === '') return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1000 || n > 2999) throw badRequest('FIELD_NOT_YEAR', '起止年度须为四位年份', 'Start and end years are four-digit years', { field });
    return n;
  };
  const start = y(input.startYear, 'startYear');
  const end = y(input.endYear, 'endYear');
  if (start !== null && end !== null && end < start) throw badRequest('YEAR_RANGE', '终止年度不能早于起始年度', 'The end year cannot precede the start year', { field: 'endYear' });
  return { start, end };
}

export async function createFonds(ctx: AppContext, actor: Actor, input: FondsInput) {
  requirePermission(actor, 'catalog.configure');
  const code = requireText(input.code, 'code', '全宗号', 'Fonds number', 10).toUpperCase();
  if (!FONDS_CODE.test(code)) throw badRequest('FONDS_CODE_INVALID', '全宗号由字母和数字组成，如 X013', 'A fonds number is letters and digits, e.g. X013', { field: 'code' });
  const name = requireText(input.name, 'name', '全宗名称', 'Fonds name');
  const { start, end } = years(input);
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const orgId = Number(input.organizationId);
    if (!Number.isInteger(orgId) || !(await repo.organization(orgId))) throw notFound(ORG);
    if (await repo.fondsByCode(code)) throw conflict('FONDS_CODE_TAKEN', `全宗号“${code}”已存在`, `Fonds number "${code}" exists already`, { field: 'code' });
    const at = nowIso();
    const row = await repo.insertFonds({ organization_id: orgId, code, name, start_year: start, end_year: end, history: optionalText(input.history), state: 'active', created_at: at, updated_at: at, version: 1 });
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'fonds.create', target: { type: 'fonds', id: row.id }, after: fondsView(row) }]);
    return fondsView(row);
  });
}

export async function updateFonds(ctx: AppContext, actor: Actor, id: number, version: number, input: Partial<FondsInput>) {
  requirePermission(actor, 'catalog.configure');
  const before = await loadFonds(ctx, actor, id);
  const { start, end } = years({ startYear: input.startYear ?? before.start_year, endYear: input.endYear ?? before.end_year });
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const row = await repo.updateFonds(id, version, {
      name: input.name === undefined ? before.name : requireText(input.name, 'name', '全宗名称', 'Fonds name'),
      history: input.history === undefined ? before.history : optionalText(input.history),
      start_year: start, end_year: end, updated_at: nowIso(),
    });
    if (!row) throw staleVersion(before.version);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'fonds.update', target: { type: 'fonds', id }, before: fondsView(before), after: fondsView(row) }]);
    return fondsView(row);
  });
}

// categories

export async function listCategories(ctx: AppContext, actor: Actor, fondsId: number) {
  await loadFonds(ctx, actor, fondsId);
  return (await new CatalogRepository(ctx.database.db).listCategories(fondsId)).map(categoryView);
}

export async function loadCategory(ctx: AppContext, actor: Actor, id: number): Promise<{ category: CategoryRow; fonds: FondsRow }> {
  const category = await new CatalogRepository(ctx.database.db).category(id);
  if (!category || category.state !== 'active') throw notFound(CATEGORY);
  const fonds = await loadFonds(ctx, actor, category.fonds_id);
  return { category, fonds };
}

export interface CategoryInput {
  code: unknown;
  name?: unknown;
  nameEn?: unknown;
  arrangement?: unknown;
  codeTemplate?: unknown;
  volumeTemplate?: unknown;
  fieldSchema?: unknown;
}

function checkedTemplate(v: unknown, field: string): string {
  try {
    return parseTemplate(text(v)).source;
  } catch (e) {
    if (e instanceof DomainError) throw badRequest(e.code, e.message, e.message_en, { ...e.details, field });
    throw e;
  }
}

export async function createCategory(ctx: AppContext, actor: Actor, fondsId: number, input: CategoryInput) {
  requirePermission(actor, 'catalog.configure');
  const fonds = await loadFonds(ctx, actor, fondsId);
  const code = text(input.code).toUpperCase();
  if (!isValidCategoryCode(code)) throw badRequest('CATEGORY_CODE_INVALID', '门类代码为 2–4 位大写字母或数字（以字母开头），如 WS', 'A category code is 2–4 capital letters or digits starting with a letter, e.g. WS', { field: 'code' });
  const standard = STANDARD_CATEGORIES.find((c) => c.code === code);
  const name = text(input.name) || standard?.zh;
  if (!name) throw badRequest('FIELD_REQUIRED', '自定义门类须填写名称', 'A local category needs a name', { field: 'name' });
  const arrangement = text(input.arrangement) || 'item';
  if (arrangement !== 'item' && arrangement !== 'volume') throw badRequest('FIELD_NOT_IN_LIST', '整理方式须为按件（item）或按卷（volume）', 'Arrangement is item or volume', { field: 'arrangement' });
  const codeTemplate = input.codeTemplate ? checkedTemplate(input.codeTemplate, 'codeTemplate') : STANDARD_TEMPLATES[arrangement === 'item' ? 'item' : 'volume'].source;
  const volumeTemplate = arrangement === 'volume' ? (input.volumeTemplate ? checkedTemplate(input.volumeTemplate, 'volumeTemplate') : STANDARD_TEMPLATES.volume_code.source) : null;
  const schema = validateSchema(input.fieldSchema ?? []);
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    if (await repo.categoryByCode(fonds.id, code)) throw conflict('CATEGORY_CODE_TAKEN', `本全宗已有门类“${code}”`, `This fonds has a category "${code}" already`, { field: 'code' });
    const at = nowIso();
    const row = await repo.insertCategory({
      fonds_id: fonds.id, code, name, name_en: optionalText(input.nameEn) ?? standard?.en ?? null, arrangement, code_template: codeTemplate,
      volume_template: volumeTemplate, field_schema: JSON.stringify(schema), state: 'active', created_at: at, updated_at: at, version: 1,
    });
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'category.create', target: { type: 'category', id: row.id }, after: categoryView(row) }]);
    return categoryView(row);
  });
}

/** Schema and template changes apply to new and edited items; existing codes stay as they were issued. */
export async function updateCategory(ctx: AppContext, actor: Actor, id: number, version: number, input: Partial<CategoryInput>) {
  requirePermission(actor, 'catalog.configure');
  const { category: before } = await loadCategory(ctx, actor, id);
  const schema = input.fieldSchema === undefined ? undefined : validateSchema(input.fieldSchema);
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const row = await repo.updateCategory(id, version, {
      name: input.name === undefined ? before.name : requireText(input.name, 'name', '门类名称', 'Category name'),
      name_en: input.nameEn === undefined ? before.name_en : optionalText(input.nameEn),
      code_template: input.codeTemplate === undefined ? before.code_template : checkedTemplate(input.codeTemplate, 'codeTemplate'),
      field_schema: schema === undefined ? before.field_schema : JSON.stringify(schema),
      updated_at: nowIso(),
    });
    if (!row) throw staleVersion(before.version);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'category.update', target: { type: 'category', id }, before: categoryView(before), after: categoryView(row) }]);
    return categoryView(row);
  });
}

/** The column mapping an import used, kept per category so the next sheet from the same source maps itself. */
export async function saveImportMapping(ctx: AppContext, actor: Actor, id: number, mapping: Record<string, string>) {
  requirePermission(actor, 'catalog.import');
  const { category } = await loadCategory(ctx, actor, id);
  await inTransaction(ctx, async (tx) => {
    await new CatalogRepository(tx).updateCategory(id, category.version, { import_mapping: JSON.stringify(mapping), updated_at: nowIso() });
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: 'category.import_mapping', target: { type: 'category', id }, after: mapping }]);
  });
}

type StructureKind = 'organization' | 'fonds' | 'category';

/** Deletion of a structural node: a tombstone with its reason, refused while anything live remains below it. */
export async function deleteStructure(ctx: AppContext, actor: Actor, kind: StructureKind, id: number, version: number, reason: string) {
  requirePermission(actor, 'catalog.configure');
  const why = requireText(reason, 'reason', '删除理由', 'A deletion reason', 500);
  const label = { organization: ORG, fonds: FONDS, category: CATEGORY }[kind];
  return inTransaction(ctx, async (tx) => {
    const repo = new CatalogRepository(tx);
    const tombstone = { state: 'deleted', deleted_reason: why, updated_at: nowIso() };
    const ops = {
      organization: { load: () => repo.organization(id), update: () => repo.updateOrganization(id, version, tombstone), view: organizationView },
      fonds: { load: () => repo.fonds(id), update: () => repo.updateFonds(id, version, tombstone), view: fondsView },
      category: { load: () => repo.category(id), update: () => repo.updateCategory(id, version, tombstone), view: categoryView },
    }[kind] as { load: () => Promise<{ state: string; version: number } | undefined>; update: () => Promise<unknown>; view: (r: never) => unknown };
    const before = await ops.load();
    if (!before || before.state !== 'active') throw notFound(label);
    if (kind !== 'organization' && !canReachFonds(actor, kind === 'fonds' ? id : (before as CategoryRow).fonds_id)) throw notFound(label);
    if (await repo.hasLiveChildren(kind, id)) {
      throw conflict('NOT_EMPTY', `${label.zh}下仍有未删除的内容，不能删除`, `The ${label.en.toLowerCase()} still holds live records and cannot be deleted`);
    }
    const row = await ops.update();
    if (!row) throw staleVersion(before.version);
    await appendAudit(ctx.database, tx, auditActorOf(actor), [{ action: `${kind}.delete`, target: { type: kind, id }, before: ops.view(before as never), details: { reason: why } }]);
    return { ok: true };
  });
}
