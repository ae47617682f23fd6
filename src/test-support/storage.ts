import { expect } from 'vitest';
import { StorageError, type StorageErrorCode } from '../storage/errors.js';

/** The StorageError a promise rejects with; anything else, or no rejection, fails the test. */
export async function failure(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  throw new Error('expected a StorageError');
}

export async function expectCode(p: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  const err = await failure(p);
  expect(err.code).toBe(code);
  return err;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
