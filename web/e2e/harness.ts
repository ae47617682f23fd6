/**
 * The browser-test harness: the real server in-process on a random port over a fresh database,
 * serving the built UI from web/dist, and one headless Debian Chromium for the whole file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Dialect } from '../../src/db/database.js';
import { buildApp } from '../../src/http/app.js';
import { defaultConfig } from '../../src/platform/config.js';
import type { AppContext } from '../../src/platform/context.js';
import { startJobRunner } from '../../src/platform/jobs/runner.js';
import { bootstrapAdministrators } from '../../src/security/users.service.js';
import { createTestDatabase } from '../../src/test-support/databases.js';

export const WEB_DIST = fileURLToPath(new URL('../dist', import.meta.url));
export const STRONG_PASSWORD = 'Lantai#2026-strong';

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Harness {
  baseUrl: string;
  /** One-time passwords of sysadmin, secadmin and auditor. */
  admins: Record<string, string>;
  browser: Browser;
  /** The server's own context: for what other modules (receiving, OCR) would hand over, such as full texts. */
  ctx: AppContext;
  /** A fresh browser context (its own cookies and storage): one per person in a flow. Its clock is UTC: Beijing time must come from the UI. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(dialect: Dialect): Promise<Harness> {
  // Never skip: a missing build is a failure someone has to fix.
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    throw new Error(`${join(WEB_DIST, 'index.html')} is missing: run \`npm run build:web\` before the browser tests`);
  }
  const db = await createTestDatabase(dialect);
  const dir = mkdtempSync(join(tmpdir(), 'lantai-e2e-'));
  const ctx: AppContext = { database: db.database, config: { ...defaultConfig(dir), databaseUrl: db.url, webDir: WEB_DIST } };
  const admins = Object.fromEntries((await bootstrapAdministrators(ctx)).map((c) => [c.username, c.oneTimePassword]));
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  // The job worker `lantai serve` runs beside the server, without its periodic schedules: only the flows start jobs.
  const worker = startJobRunner(ctx, { pollMs: 200, onError: (e) => console.error('[jobs]', e) });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (e) {
    await worker.stop();
    await app.close();
    await db.dispose();
    throw new Error(`Cannot start Chromium at ${executablePath} (install the Debian package chromium, or set CHROMIUM_PATH): ${(e as Error).message}`);
  }
  const contexts: BrowserContext[] = [];

  return {
    baseUrl, admins, browser, ctx,
    async newPage() {
      const context = await browser.newContext({ baseURL: baseUrl, locale: 'zh-CN', timezoneId: 'UTC', viewport: { width: 1440, height: 900 } });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[browser] ${e.message}`));
      // Script errors and warnings (React, antd) are worth seeing; refused requests are part of the flows.
      page.on('console', (m) => {
        if ((m.type() === 'error' || m.type() === 'warning') && !m.text().startsWith('Failed to load resource')) console.error(`[browser ${m.type()}] ${m.text().slice(0, 500)}`);
      });
      return page;
    },
    async close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.close().catch(() => undefined);
      await worker.stop();
      await app.close();
      await db.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- page helpers -------------------------------------------------------------------------

/** Polls a locator's text until it contains `expected` (vitest has no auto-waiting matchers). */
export async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  try {
    await expect.poll(async () => ((await locator.count()) ? locator.first().innerText() : ''), { timeout: 10_000 }).toMatch(expected instanceof RegExp ? expected : new RegExp(escape(expected)));
  } catch (e) {
    // Say what the page said instead: a refused request is the usual reason.
    const shown = await locator.page().locator('[data-testid=server-error], [data-testid=form-error], .ant-form-item-explain-error').allInnerTexts().catch(() => []);
    if (shown.length && e instanceof Error) e.message += `\nThe page shows: ${shown.join(' | ')}`;
    throw e;
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Fills the password form (forced or voluntary) and submits it. */
export async function submitPasswordChange(page: Page, current: string, next: string): Promise<void> {
  await page.getByTestId('password-current').fill(current);
  await page.getByTestId('password-next').fill(next);
  await page.getByTestId('password-repeat').fill(next);
  await page.getByTestId('password-submit').click();
}

/** First sign-in with a one-time password: the forced change, then the workspace. */
export async function firstSignIn(page: Page, username: string, oneTimePassword: string): Promise<void> {
  await signIn(page, username, oneTimePassword);
  await page.getByTestId('password-page').waitFor();
  await submitPasswordChange(page, oneTimePassword, STRONG_PASSWORD);
  await page.getByTestId('user-menu').waitFor();
}

/** Waits until a modal's opening animation is over, so a click lands where the button stays. */
export async function modalSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.ant-modal[class*="-enter"], .ant-modal[class*="-appear"]'));
}

/** Chooses in an antd Select (by its input id) the way a keyboard user does: type to filter, then Enter. */
export async function choose(page: Page, inputId: string, option: string): Promise<void> {
  const input = page.locator(`#${inputId}`);
  await input.click();
  await input.fill(option);
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option-active').filter({ hasText: option }).waitFor();
  await input.press('Enter');
}

/** Selects a tree node by its label (expanding it too). */
export async function openTreeNode(page: Page, label: string | RegExp): Promise<void> {
  await page.getByTestId('tree-node').filter({ hasText: label }).first().click();
}

export async function archivalCodes(page: Page): Promise<string[]> {
  return page.getByTestId('item-table').getByTestId('archival-code').allInnerTexts();
}
