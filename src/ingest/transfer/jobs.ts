import type { AppContext } from '../../platform/context.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { enqueueJob, type JobView, registerJobHandler } from '../../platform/jobs/jobs.service.js';
import { type Actor, actorFromUser, systemActor } from '../../security/actor.js';
import { UsersRepository } from '../../security/users.repository.js';
import { acceptableTransfer, acceptTransfer, checkableTransfer, checkTransfer } from './transfer.service.js';

export const TRANSFER_CHECK_JOB = 'transfer.check';
export const TRANSFER_ACCEPT_JOB = 'transfer.accept';

interface TransferPayload {
  transferId: number;
  /** Null for a package a sender submitted with a token: the archive checks it on its own authority. */
  userId: number | null;
}

/** The archive's own check of what senders submit online, named as such in the audit trail; only the check job acts as it. */
const inboxChecker = (): Actor => ({ ...systemActor('transfer-inbox'), allFonds: true, permissions: new Set(['transfer.receive']) });

/** The job acts as the user who asked, with that user's rights as they are when it runs. */
async function actorOfUser(ctx: AppContext, userId: number): Promise<Actor> {
  const users = new UsersRepository(ctx.database.db);
  const user = await users.byId(userId);
  if (!user || user.status !== 'active') throw notFound({ zh: '用户', en: 'User' });
  return actorFromUser(user, await users.fondsOf(user.id), null);
}

/** Idempotent; called at start-up by the routes. A job interrupted and run again resumes the accept. */
export function registerTransferJobs(): void {
  registerJobHandler(TRANSFER_CHECK_JOB, async (ctx, job) => {
    const { transferId, userId } = job.payload as TransferPayload;
    const actor = userId === null ? inboxChecker() : await actorOfUser(ctx, userId);
    const view = await checkTransfer(ctx, actor, transferId, { onProgress: (done, total) => void job.progress(done, total).catch(() => undefined) });
    return { transferId, state: view.state, blocking: view.report?.blocking ?? null };
  });
  registerJobHandler(TRANSFER_ACCEPT_JOB, async (ctx, job) => {
    const { transferId, userId } = job.payload as TransferPayload;
    if (userId === null) throw forbidden();
    const view = await acceptTransfer(ctx, await actorOfUser(ctx, userId), transferId, {
      signal: job.signal, onProgress: (done, total) => void job.progress(done, total).catch(() => undefined),
    });
    return { transferId, state: view.state, acceptedCount: view.acceptedCount };
  });
}

function enqueueFor(ctx: AppContext, actor: Actor, kind: string, transferId: number): Promise<JobView> {
  // The job reloads its actor by user id; the command line works in its own process instead.
  if (actor.userId === null) throw forbidden();
  const payload: TransferPayload = { transferId, userId: actor.userId };
  return enqueueJob(ctx, kind, payload, actor.userId);
}

/** Refuses at once a transfer that cannot be checked (409), then queues the check. */
export async function requestCheck(ctx: AppContext, actor: Actor, transferId: number): Promise<JobView> {
  await checkableTransfer(ctx, actor, transferId);
  return enqueueFor(ctx, actor, TRANSFER_CHECK_JOB, transferId);
}

/** Refuses at once what cannot be accepted (409 with the report), then queues the accept. */
export async function requestAccept(ctx: AppContext, actor: Actor, transferId: number): Promise<JobView> {
  await acceptableTransfer(ctx, actor, transferId);
  return enqueueFor(ctx, actor, TRANSFER_ACCEPT_JOB, transferId);
}

/** Queues the check of a package a sender submitted with its token; there is no user to act as. */
export function requestInboxCheck(ctx: AppContext, transferId: number): Promise<JobView> {
  const payload: TransferPayload = { transferId, userId: null };
  return enqueueJob(ctx, TRANSFER_CHECK_JOB, payload, null);
}
