/**
 * 移交接收 through the real UI: an archivist receives a carrier package, checks it, accepts it and
 * finds its items in the catalogue; a package damaged in transit fails its digest check, cannot be
 * accepted, and goes back with a reason. Registered once per database backend.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCategory, createFonds, createOrganization } from '../../src/catalog/structure.service.js';
import type { Dialect } from '../../src/db/database.js';
import { TRANSFER_CHECK_IDS } from '../../src/ingest/checks/run.js';
import { actorNamed, codeOf, writePackageDir } from '../../src/ingest/transfer/transfer-testkit.js';
import { zipDirectory } from '../../src/ingest/unpack/zip-fixtures.js';
import { createUser, grantRights } from '../../src/security/users.service.js';
import { archivalCodes, choose, expectText, firstSignIn, type Harness, modalSettled, openTreeNode, startHarness } from './harness.js';
import { SCREENSHOTS } from './workflow.js';

/** Checking and accepting run as jobs; on a loaded two-core machine they may take well beyond a click's wait. */
const JOB_WAIT = 60_000;
const FLOW_TIMEOUT = 120_000;
const DIGEST_CHECK = 'LT-YJ-1-1-1';

async function waitForState(detail: Locator, state: string): Promise<void> {
  await expect.poll(() => detail.getByTestId('transfer-state').innerText().catch(() => ''), { timeout: JOB_WAIT }).toBe(state);
}

export function describeTransferInbox(dialect: Dialect): void {
  describe(`transfer inbox in the browser (${dialect})`, () => {
    let h: Harness;
    let page: Page;
    let dir: string;
    let oneTimePassword: string;
    const packages = { valid: '', tampered: '' };
    const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `lantai-${dialect}-transfer-${name}.png`), fullPage: true });

    beforeAll(async () => {
      h = await startHarness(dialect);
      // The accounts and the receiving fonds are set up as the catalogue flows would leave them; this file is about receiving.
      const { ctx } = h;
      const created = await createUser(ctx, await actorNamed(ctx, 'sysadmin'), { username: 'wangwu', displayName: '王五' });
      oneTimePassword = created.oneTimePassword;
      await grantRights(ctx, await actorNamed(ctx, 'secadmin'), created.user.id, { businessRole: 'archivist', clearance: '机密', allFonds: true, fondsIds: [], version: created.user.version });
      const archivist = await actorNamed(ctx, 'wangwu');
      const org = await createOrganization(ctx, archivist, { code: 'YZ001', name: '峄城区人民政府办公室', kind: 'agency' });
      const fonds = await createFonds(ctx, archivist, { organizationId: org.id, code: 'Z109', name: '峄城区人民政府' });
      await createCategory(ctx, archivist, fonds.id, { code: 'WS' });

      dir = mkdtempSync(join(tmpdir(), 'lantai-e2e-transfer-'));
      packages.valid = await zipDirectory(await writePackageDir(join(dir, 'valid'), 2), join(dir, '移交包-2023.zip'), '');
      packages.tampered = await zipDirectory(await writePackageDir(join(dir, 'tampered'), 1, { tamper: true }), join(dir, '移交包-2023-补充.zip'), '');
    });
    afterAll(async () => {
      await h?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail' && page) await shot(`failure-${task.name.slice(1, 2)}`).catch(() => undefined);
    });

    /** Uploads a package from the inbox and returns the detail drawer it opens on. */
    async function upload(file: string): Promise<Locator> {
      await page.getByTestId('transfer-upload-open').click();
      await page.getByTestId('transfer-upload').waitFor();
      await modalSettled(page);
      await choose(page, 'transfer-upload_categoryId', 'WS 文书');
      await choose(page, 'transfer-upload_organizationId', 'YZ001');
      await page.locator('[data-testid="transfer-upload"] input[type=file]').setInputFiles(file);
      await page.getByTestId('transfer-upload-ok').click();
      const detail = page.getByTestId('transfer-detail');
      await waitForState(detail, '已收到');
      return detail;
    }

    async function runChecks(detail: Locator): Promise<void> {
      await detail.getByTestId('transfer-check').click();
      await waitForState(detail, '待决定');
      await expect.poll(() => detail.getByTestId('transfer-report').locator('tr[data-testid^="check-row-"]').count()).toBe(TRANSFER_CHECK_IDS.length);
    }

    it('(1) the archivist uploads a carrier package, runs the checks, reads the report, accepts it and finds its items in the catalogue', async () => {
      page = await h.newPage();
      await firstSignIn(page, 'wangwu', oneTimePassword);
      await page.getByTestId('nav-transfers').click();
      await page.getByTestId('transfers-page').waitFor();
      expect(new URL(page.url()).pathname).toBe('/transfers');
      await expectText(page.getByTestId('transfer-inbox'), '收件箱中没有移交');

      const detail = await upload(packages.valid);
      await expectText(detail, '尚无检测报告');
      await expectText(detail.getByTestId('transfer-accept-refusal'), '尚未检测');
      expect(await detail.getByTestId('transfer-accept').isDisabled()).toBe(true);

      await runChecks(detail);
      const digest = detail.getByTestId(`check-row-${DIGEST_CHECK}`);
      await expectText(digest.getByTestId('check-property'), '真实性');
      await expectText(digest.getByTestId('check-result'), '通过');
      await expectText(detail.getByTestId('transfer-report-summary'), /不通过 \d+（必须通过项 0，/);
      await expectText(detail, '2 件 / 4 个');
      expect(await detail.getByTestId('transfer-accept-refusal').count()).toBe(0);
      await shot('report');

      for (const [id, name] of [['transfer-report-pdf', /^四性检测报告-移交\d+\.pdf$/], ['transfer-report-xlsx', /^四性检测报告-移交\d+\.xlsx$/], ['transfer-receipt-pdf', /^电子档案移交与接收登记表-移交\d+\.pdf$/]] as const) {
        const [download] = await Promise.all([page.waitForEvent('download'), detail.getByTestId(id).click()]);
        expect(download.suggestedFilename()).toMatch(name);
        expect(await download.failure()).toBeNull();
      }

      await detail.getByTestId('transfer-accept').click();
      await waitForState(detail, '已接收');
      await expectText(detail.getByTestId('transfer-job'), '已接收 2 件');
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'hidden' });
      await expectText(page.getByTestId('transfer-row').filter({ hasText: '移交包-2023.zip' }).getByTestId('transfer-row-state'), '已接收');

      await page.getByTestId('nav-catalog').click();
      await openTreeNode(page, '峄城区人民政府办公室');
      await openTreeNode(page, 'Z109 峄城区人民政府');
      await openTreeNode(page, 'WS 文书');
      await expect.poll(() => archivalCodes(page)).toEqual([codeOf(1), codeOf(2)]);
      await expectText(page.getByTestId('item-table'), '关于第2号文件的通知');
    }, FLOW_TIMEOUT);

    it('(2) a package with a tampered file fails its digest check, cannot be accepted, and is returned with a reason', async () => {
      await page.getByTestId('nav-transfers').click();
      await page.getByTestId('transfers-page').waitFor();
      const detail = await upload(packages.tampered);
      await runChecks(detail);

      const digest = detail.getByTestId(`check-row-${DIGEST_CHECK}`);
      await expectText(digest.getByTestId('check-result'), '不通过');
      await expectText(digest.getByTestId('check-offending'), '电子档案/2023/0001.pdf');
      await expectText(detail.getByTestId('transfer-accept-refusal'), '未通过必须通过的检测项目，不能接收');
      expect(await detail.getByTestId('transfer-accept').isDisabled()).toBe(true);
      await expectText(page.getByTestId('transfer-row').filter({ hasText: '移交包-2023-补充.zip' }).getByTestId('transfer-row-blocked'), '必须通过项未通过');
      await shot('blocked');

      await detail.getByTestId('transfer-return').click();
      const form = page.getByTestId('return-form');
      await form.waitFor();
      await modalSettled(page);
      await page.getByTestId('return-form-ok').click();
      await expectText(form, '请填写“退回理由”');
      await page.locator('#return-form_reason').fill('第1件正文摘要与目录不符，请核对后重新移交');
      await page.getByTestId('return-form-ok').click();
      await form.waitFor({ state: 'detached' });
      await waitForState(detail, '已退回');
      await expectText(detail.getByTestId('transfer-reason'), '第1件正文摘要与目录不符');
      for (const id of ['transfer-check', 'transfer-accept', 'transfer-return']) expect(await detail.getByTestId(id).isDisabled()).toBe(true);
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'hidden' });

      // The inbox, filtered to what was returned, holds this package only.
      await choose(page, 'transfer-filter-state', '已退回');
      await expect.poll(() => page.getByTestId('transfer-file-name').allInnerTexts()).toEqual(['移交包-2023-补充.zip']);

      // The page speaks English too, state names and all.
      await page.getByTestId('lang-switch').click();
      await expectText(page.getByTestId('nav-transfers'), 'Transfers');
      await expectText(page.getByTestId('transfer-inbox').locator('thead'), 'Sender');
      await expectText(page.getByTestId('transfer-row-state'), 'Returned');
      await page.getByTestId('lang-switch').click();
      await expectText(page.getByTestId('nav-transfers'), '移交接收');

      await page.getByTestId('nav-catalog').click();
      await openTreeNode(page, '峄城区人民政府办公室');
      await openTreeNode(page, 'Z109 峄城区人民政府');
      await openTreeNode(page, 'WS 文书');
      await expect.poll(() => archivalCodes(page)).toEqual([codeOf(1), codeOf(2)]);
    }, FLOW_TIMEOUT);
  });
}
