import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, generateOneTimePassword, hashPassword, isPasswordExpired, verifyPassword } from './password.js';

const policy = { minLength: 10, expiryDays: 90, history: 5 };

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('档案Lantai#2026');
    expect(hash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(await verifyPassword('档案Lantai#2026', hash)).toBe(true);
    expect(await verifyPassword('档案Lantai#2027', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('Same#Password1')).not.toBe(await hashPassword('Same#Password1'));
  });

  it('treats composed and decomposed Unicode input as the same password', async () => {
    const hash = await hashPassword('Café#Lantai2026');
    expect(await verifyPassword('Cafe\u0301#Lantai2026', hash)).toBe(true);
  });
});

describe('password policy', () => {
  it.each([
    ['Ab1#', 'PASSWORD_TOO_SHORT'],
    ['abcdefghijkl', 'PASSWORD_TOO_SIMPLE'],
    ['abcdefgh1234', 'PASSWORD_TOO_SIMPLE'],
    ['Zhangsan#2026x', 'PASSWORD_CONTAINS_USERNAME'],
  ])('rejects %s with %s', (pw, code) => {
    expect(checkPasswordPolicy(pw, 'zhangsan', policy)?.code).toBe(code);
  });

  it('accepts three character classes of sufficient length', () => {
    expect(checkPasswordPolicy('archive#2026', 'zhangsan', policy)).toBeNull();
  });

  it('expires passwords after the configured days, never when set to 0', () => {
    const old = new Date(Date.now() - 91 * 86_400_000).toISOString();
    expect(isPasswordExpired(old, policy)).toBe(true);
    expect(isPasswordExpired(new Date().toISOString(), policy)).toBe(false);
    expect(isPasswordExpired(old, { ...policy, expiryDays: 0 })).toBe(false);
  });

  it('generates one-time passwords that satisfy the policy', () => {
    for (let i = 0; i < 50; i++) expect(checkPasswordPolicy(generateOneTimePassword(), 'sysadmin', policy)).toBeNull();
  });
});
