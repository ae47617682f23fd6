import { retentionLabel } from '../domain/retention.js';
import type { AppContext } from '../platform/context.js';
import { badRequest } from '../platform/errors.js';
import { type Actor, readScope, requirePermission } from '../security/actor.js';
import { CatalogRepository } from './catalog.repository.js';
import { listCategories, listFonds, listOrganizations, loadCategory } from './structure.service.js';
import { listVolumes } from './volumes.service.js';

/**
 * The catalogue tree: organization → fonds → category → year → retention (→ volume). A node's key
 * encodes its path, so the client asks for children of a key and never needs the whole tree.
 */
export interface TreeNode {
  key: string;
  type: 'organization' | 'fonds' | 'category' | 'year' | 'retention' | 'volume';
  label: string;
  labelEn?: string;
  count?: number;
  isLeaf: boolean;
  ref: Record<string, number | string>;
}

export async function treeChildren(ctx: AppContext, actor: Actor, key: string, cursor?: string, limit = 200): Promise<{ nodes: TreeNode[]; nextCursor: string | null }> {
  requirePermission(actor, 'catalog.read');
  const [type, ...parts] = key.split(':');
  const repo = new CatalogRepository(ctx.database.db);
  const scope = readScope(actor);
  if (type === 'root' || type === 'organization') {
    const parentId = type === 'root' ? null : Number(parts[0]);
    const orgs = await listOrganizations(ctx, actor);
    const fonds = await listFonds(ctx, actor);
    // An organization appears when it or one of its descendants holds a fonds the caller may see.
    const holding = new Set(fonds.map((f) => f.organizationId));
    const parentOf = new Map(orgs.map((o) => [o.id, o.parentId]));
    const visible = new Set<number>();
    for (const id of holding) for (let cur: number | null | undefined = id; cur != null && !visible.has(cur); cur = parentOf.get(cur)) visible.add(cur);
    const childOrgs = orgs.filter((o) => o.parentId === parentId && visible.has(o.id)).map((o): TreeNode => ({
      key: `organization:${o.id}`, type: 'organization', label: o.name, isLeaf: false, ref: { organizationId: o.id },
    }));
    const ownFonds = parentId === null ? [] : fonds.filter((f) => f.organizationId === parentId).map((f): TreeNode => ({
      key: `fonds:${f.id}`, type: 'fonds', label: `${f.code} ${f.name}`, isLeaf: false, ref: { fondsId: f.id },
    }));
    return { nodes: [...childOrgs, ...ownFonds], nextCursor: null };
  }
  if (type === 'fonds') {
    const fondsId = Number(parts[0]);
    const cats = await listCategories(ctx, actor, fondsId);
    return {
      nodes: cats.map((c) => ({ key: `category:${c.id}`, type: 'category', label: `${c.code} ${c.name}`, labelEn: c.nameEn ? `${c.code} ${c.nameEn}` : undefined, isLeaf: false, ref: { fondsId, categoryId: c.id } })),
      nextCursor: null,
    };
  }
  if (type === 'category') {
    const categoryId = Number(parts[0]);
    await loadCategory(ctx, actor, categoryId);
    const years = await repo.yearsOf(categoryId, scope);
    return {
      nodes: years.sort((a, b) => b - a).map((y) => ({ key: `year:${categoryId}:${y}`, type: 'year', label: String(y), isLeaf: false, ref: { categoryId, year: y } })),
      nextCursor: null,
    };
  }
  if (type === 'year') {
    const categoryId = Number(parts[0]);
    const year = Number(parts[1]);
    const { category } = await loadCategory(ctx, actor, categoryId);
    const counts = await repo.countBy({ categoryId, year }, 'retention', scope);
    return {
      nodes: counts.map(({ key: retention, count }) => {
        const label = retentionLabel(retention);
        return { key: `retention:${categoryId}:${year}:${retention}`, type: 'retention', label: label.zh, labelEn: label.en, count, isLeaf: category.arrangement !== 'volume', ref: { categoryId, year, retention } };
      }),
      nextCursor: null,
    };
  }
  if (type === 'retention') {
    const [categoryId, year, retention] = [Number(parts[0]), Number(parts[1]), parts[2] ?? ''];
    const { volumes, nextCursor } = await listVolumes(ctx, actor, { categoryId, year, retention }, cursor, limit);
    return {
      nodes: volumes.map((v) => ({ key: `volume:${categoryId}:${v.id}`, type: 'volume', label: `${v.archivalCode} ${v.title}`, isLeaf: true, ref: { categoryId, volumeId: v.id } })),
      nextCursor,
    };
  }
  throw badRequest('TREE_KEY_INVALID', `无效的目录树节点：${key}`, `Invalid tree node: ${key}`);
}
