import type { CheckOutcome, CheckResult, CheckSeverity, PackageFormat, TransferState } from '../api/types.js';
import type { MessageKey } from '../i18n/index.js';

/** Every state, format, outcome and severity the server has: a new one there is a compile error here until it has a label. */
export const STATE_LABELS: Record<TransferState, MessageKey> = {
  received: 'transfer.stateName.received',
  unpacked: 'transfer.stateName.unpacked',
  awaiting_decision: 'transfer.stateName.awaiting_decision',
  accepting: 'transfer.stateName.accepting',
  accepted: 'transfer.stateName.accepted',
  returned: 'transfer.stateName.returned',
};
export const STATE_COLORS: Record<TransferState, string> = {
  received: 'default', unpacked: 'processing', awaiting_decision: 'gold', accepting: 'processing', accepted: 'green', returned: 'red',
};

export const FORMAT_LABELS: Record<PackageFormat, MessageKey> = {
  carrier: 'transfer.format.carrier',
  bagit: 'transfer.format.bagit',
  eep: 'transfer.format.eep',
  digitization: 'transfer.format.digitization',
};

export const OUTCOME_LABELS: Record<CheckOutcome, MessageKey> = {
  pass: 'transfer.outcome.pass',
  fail: 'transfer.outcome.fail',
  manual: 'transfer.outcome.manual',
  na: 'transfer.outcome.na',
};

export const SEVERITY_LABELS: Record<CheckSeverity, MessageKey> = {
  blocking: 'transfer.severity.blocking',
  warning: 'transfer.severity.warning',
  off: 'transfer.severity.off',
};

/** A failure that stops the accept is red; a failed warning is orange: it is recorded, the decision is the archivist's. */
export function outcomeColor(c: Pick<CheckResult, 'result' | 'severity'>): string {
  if (c.result === 'fail') return c.severity === 'blocking' ? 'red' : 'orange';
  return { pass: 'green', manual: 'blue', na: 'default' }[c.result];
}

/** States in which the package may still be checked or returned (the server's checkableTransfer and returnTransfer). */
export const UNDECIDED: readonly TransferState[] = ['received', 'unpacked', 'awaiting_decision'];
