import { describe, expect, it } from 'vitest';
import { DEFAULT_OPEN_STATUS, OPEN_STATUSES, isOpenStatus, openStatusLabel } from './open-status.js';

describe('open status', () => {
  it('lists the four DA/T 18 values with English labels', () => {
    expect(OPEN_STATUSES.map((s) => [s, openStatusLabel(s).en])).toEqual([
      ['开放', 'Open'],
      ['控制', 'Controlled'],
      ['延期开放', 'Deferred'],
      ['未审核', 'Not reviewed'],
    ]);
    expect(DEFAULT_OPEN_STATUS).toBe('未审核');
  });

  it('recognises only those values', () => {
    expect(OPEN_STATUSES.every(isOpenStatus)).toBe(true);
    for (const v of ['', '公开', '开放 ', 'open', null, 1]) expect(isOpenStatus(v)).toBe(false);
    expect(openStatusLabel('x')).toEqual({ zh: 'x', en: 'x' });
  });
});
