import { describe, expect, it } from 'vitest';
import { DomainError, issue } from './errors.js';

describe('DomainError', () => {
  it('carries code, both messages and details', () => {
    const err = new DomainError('X_Y', '中文', 'English', { a: 1 });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DomainError');
    expect(err.code).toBe('X_Y');
    expect(err.message).toBe('中文');
    expect(err.message_en).toBe('English');
    expect(err.details).toEqual({ a: 1 });
  });
});

describe('issue', () => {
  it('omits absent optional keys so issues serialise cleanly', () => {
    expect(issue(undefined, 'C', '中', 'en')).toEqual({ code: 'C', message: '中', message_en: 'en' });
    expect(issue('title', 'C', '中', 'en', { max: 3 })).toEqual({
      field: 'title', code: 'C', message: '中', message_en: 'en', details: { max: 3 },
    });
  });
});
