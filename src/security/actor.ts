import { CLASSIFICATION_LEVELS, canAccess } from '../domain/classification.js';
import { forbidden } from '../platform/errors.js';
import type { AuditActor } from '../platform/audit/audit.service.js';
import { type Permission, permissionsOf } from './roles.js';

/** The signed-in user as every service sees it: who, with which rights, from where. */
export interface Actor {
  userId: number | null;
  username: string;
  displayName: string;
  adminRole: string | null;
  businessRole: string | null;
  clearance: string;
  allFonds: boolean;
  fondsIds: number[];
  organizationId: number | null;
  permissions: Set<Permission>;
  clientIp: string | null;
}

/** What rows a caller may see: a condition every catalogue query carries, never a filter applied afterwards. */
export interface ReadScope {
  fondsIds: number[] | 'all';
  classifications: string[];
}

export function readScope(actor: Actor): ReadScope {
  return {
    fondsIds: actor.allFonds ? 'all' : actor.fondsIds,
    classifications: CLASSIFICATION_LEVELS.filter((level) => canAccess(actor.clearance, level)),
  };
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw forbidden();
}

export function canReachFonds(actor: Actor, fondsId: number): boolean {
  return actor.allFonds || actor.fondsIds.includes(fondsId);
}

export const auditActorOf = (actor: Actor): AuditActor => ({ id: actor.userId, name: actor.username, clientIp: actor.clientIp });

/** The command line acting on the server's own authority (migrations, recovery); named in the audit trail. */
export function cliActor(name: string): Actor {
  return {
    userId: null, username: `cli:${name}`, displayName: name, adminRole: null, businessRole: null, clearance: '公开',
    allFonds: false, fondsIds: [], organizationId: null, permissions: permissionsOf({ adminRole: null, businessRole: null }), clientIp: null,
  };
}

/** The system's own background work (scheduled jobs), named as such in the audit trail; it passes no rights checks. */
export function systemActor(name: string): Actor {
  return { ...cliActor(name), username: `system:${name}` };
}

export function actorFromUser(
  user: { id: number; username: string; display_name: string; admin_role: string | null; business_role: string | null; clearance: string; all_fonds: number; organization_id: number | null },
  fondsIds: number[],
  clientIp: string | null,
): Actor {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    adminRole: user.admin_role,
    businessRole: user.business_role,
    clearance: user.clearance,
    allFonds: user.all_fonds === 1,
    fondsIds,
    organizationId: user.organization_id,
    permissions: permissionsOf({ adminRole: user.admin_role, businessRole: user.business_role }),
    clientIp,
  };
}
