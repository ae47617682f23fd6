import { randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

/** scrypt with N = 2^15, r = 8, p = 1 (the OWASP baseline); parameters travel with the hash. */
const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LEN, { N: 2 ** LOG_N, r: R, p: P, maxmem: 256 * 1024 * 1024 });
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, {
    N: 2 ** Number(logN), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

export interface PasswordPolicy {
  minLength: number;
  expiryDays: number;
  history: number;
}

export interface PolicyViolation {
  code: string;
  message: string;
  message_en: string;
}

/** Length, three of four character classes, and not built on the account name. */
export function checkPasswordPolicy(password: string, username: string, policy: PasswordPolicy): PolicyViolation | null {
  if ([...password].length < policy.minLength) {
    return { code: 'PASSWORD_TOO_SHORT', message: `口令至少 ${policy.minLength} 个字符`, message_en: `The password needs at least ${policy.minLength} characters` };
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    return {
      code: 'PASSWORD_TOO_SIMPLE',
      message: '口令须包含大写字母、小写字母、数字、符号中的至少三类',
      message_en: 'The password needs at least three of: upper-case letters, lower-case letters, digits, symbols',
    };
  }
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    return { code: 'PASSWORD_CONTAINS_USERNAME', message: '口令不得包含用户名', message_en: 'The password must not contain the user name' };
  }
  return null;
}

export function isPasswordExpired(changedAt: string, policy: PasswordPolicy, now = new Date()): boolean {
  if (policy.expiryDays <= 0) return false;
  return now.getTime() - new Date(changedAt).getTime() > policy.expiryDays * 86_400_000;
}

const ALPHABETS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '#%+=@!'];

/** A one-time password that satisfies the policy; ambiguous characters (0/O, 1/l) left out for reading aloud. */
export function generateOneTimePassword(length = 16): string {
  const all = ALPHABETS.join('');
  const chars = ALPHABETS.map((a) => a[randomInt(a.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
