/**
 * The staff workflow through the real UI, in order: each step builds on the one before, as the
 * people would (the system administrator opens accounts, the security officer grants rights, the
 * archivist sets up and describes, a reader looks). Registered once per database backend.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PDFDocument } from 'pdf-lib';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/database.js';
import { setItemText } from '../../src/search/index.service.js';
import { archivalCodes, choose, expectText, firstSignIn, type Harness, modalSettled, openTreeNode, signIn, startHarness, STRONG_PASSWORD, submitPasswordChange } from './harness.js';

export const SCREENSHOTS = process.env.LANTAI_E2E_SCREENSHOTS ?? tmpdir();

export function describeWorkflow(dialect: Dialect): void {
  describe(`staff workflow in the browser (${dialect})`, () => {
    let h: Harness;
    let sysadmin: Page;
    let secadmin: Page;
    let archivist: Page;
    let readerPage: Page;
    const oneTime: Record<string, string> = {};
    const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `lantai-${dialect}-${name}.png`), fullPage: true });

    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => {
      await h?.close();
    });
    // A failed step leaves a picture of every open page behind.
    afterEach(async ({ task }) => {
      if (task.result?.state !== 'fail' || !h) return;
      const pages = h.browser.contexts().flatMap((c) => c.pages());
      await Promise.all(pages.map((p, i) => shot(p, `failure-${task.name.slice(1, 3).replace(/\W/g, '')}-${i}`).catch(() => undefined)));
    });

    it('(1) sysadmin signs in with the one-time password, must change it, lands on 用户管理 and opens accounts', async () => {
      sysadmin = await h.newPage();
      await signIn(sysadmin, 'sysadmin', h.admins.sysadmin!);
      await sysadmin.getByTestId('password-page').waitFor();
      // The server's policy refusal is shown as the server words it.
      await submitPasswordChange(sysadmin, h.admins.sysadmin!, 'short');
      await expectText(sysadmin.getByTestId('server-error'), '口令至少 10 个字符');
      await submitPasswordChange(sysadmin, h.admins.sysadmin!, STRONG_PASSWORD);
      await sysadmin.getByTestId('users-page').waitFor();
      expect(new URL(sysadmin.url()).pathname).toBe('/users');
      await expectText(sysadmin.getByTestId('user-role'), '系统管理员');
      expect(await sysadmin.getByTestId('nav-catalog').count()).toBe(0);

      for (const [username, name] of [['zhangsan', '张三'], ['lisi', '李四']] as const) {
        await sysadmin.getByTestId('users-new').click();
        await sysadmin.locator('#user-form_username').fill(username);
        await sysadmin.locator('#user-form_displayName').fill(name);
        await sysadmin.getByTestId('user-form-ok').click();
        const otp = sysadmin.getByTestId('one-time-password');
        await otp.waitFor();
        oneTime[username] = (await otp.innerText()).trim();
        expect(oneTime[username]).toMatch(/^\S{16}$/);
        await sysadmin.getByTestId('otp-close').click();
        await expectText(sysadmin.getByTestId(`user-row-${username}`), name);
      }
      await expectText(sysadmin.getByTestId('user-row-zhangsan'), '待修改初始口令');
      await sysadmin.getByTestId('one-time-password').waitFor({ state: 'hidden' });
      await shot(sysadmin, 'users');
    });

    it('(2) secadmin grants the new user archivist, all fonds and clearance 机密; administrator accounts stay read-only', async () => {
      secadmin = await h.newPage();
      await firstSignIn(secadmin, 'secadmin', h.admins.secadmin!);
      await secadmin.getByTestId('rights-page').waitFor();
      expect(new URL(secadmin.url()).pathname).toBe('/rights');
      await secadmin.getByTestId('rights-readonly-sysadmin').waitFor();
      expect(await secadmin.getByTestId('rights-edit-sysadmin').count()).toBe(0);

      await secadmin.getByTestId('rights-edit-zhangsan').click();
      await choose(secadmin, 'rights-form_businessRole', '档案馆业务人员');
      await choose(secadmin, 'rights-form_clearance', '机密');
      await secadmin.getByTestId('rights-all-fonds').click();
      await secadmin.getByTestId('rights-form-ok').click();
      const row = secadmin.getByTestId('user-row-zhangsan');
      await expectText(row, '档案馆业务人员');
      await expectText(row, '全部全宗');
      await expectText(row, '机密');
    });

    it('(3) the archivist sets up organization, fonds Z109 and category WS, and describes two items that get their archival codes', async () => {
      archivist = await h.newPage();
      await firstSignIn(archivist, 'zhangsan', oneTime.zhangsan!);
      await archivist.getByTestId('catalog-page').waitFor();
      expect(new URL(archivist.url()).pathname).toBe('/catalog');
      await archivist.getByTestId('tree-empty').waitFor();

      await archivist.getByTestId('new-organization').click();
      await archivist.locator('#org-form_code').fill('YC001');
      await archivist.locator('#org-form_name').fill('峄城区人民政府办公室');
      await archivist.getByTestId('org-form-ok').click();
      await archivist.getByTestId('org-form').waitFor({ state: 'detached' });

      await archivist.getByTestId('new-fonds').click();
      await choose(archivist, 'fonds-form_organizationId', 'YC001');
      await archivist.locator('#fonds-form_code').fill('Z109');
      await archivist.locator('#fonds-form_name').fill('峄城区人民政府');
      await archivist.getByTestId('fonds-form-ok').click();
      await expectText(archivist.getByTestId('selected-node'), 'Z109 峄城区人民政府');

      await archivist.getByTestId('new-category').click();
      await archivist.locator('#category-form_code').fill('WS');
      await archivist.getByTestId('category-form-ok').click();
      await expectText(archivist.getByTestId('selected-node'), 'WS 文书');

      const describeItem = async (fields: { title: string; date: string; classification?: string }) => {
        await archivist.getByTestId('new-item').click();
        await archivist.locator('#item-form_title').fill(fields.title);
        await archivist.locator('#item-form_responsible').fill('峄城区人民政府办公室');
        await archivist.locator('#item-form_date').fill(fields.date);
        await choose(archivist, 'item-form_retention', '永久');
        if (fields.classification) {
          await choose(archivist, 'item-form_classification', fields.classification);
          await archivist.locator('#item-form_secrecy_period').fill('10年');
        }
        await archivist.getByTestId('item-form-ok').click();
      };

      // A date that does not exist is refused by the server and shown under 日期.
      await describeItem({ title: '关于做好2023年度档案工作的通知', date: '20230230' });
      await expectText(archivist.locator('.ant-form-item-has-error').filter({ has: archivist.locator('#item-form_date') }).locator('.ant-form-item-explain-error'), '不是有效日期');
      await shot(archivist, 'item-form-error');
      await archivist.locator('#item-form_date').fill('20230315');
      // The error line collapses once the field changes; a click while the form is still moving can miss the button.
      await archivist.locator('.ant-form-item-explain-error').waitFor({ state: 'detached' });
      await archivist.getByTestId('item-form-ok').click();
      await archivist.getByTestId('item-form').waitFor({ state: 'detached' });
      await describeItem({ title: '峄城区2023年档案工作要点', date: '20230410' });
      await archivist.getByTestId('item-form').waitFor({ state: 'detached' });

      await expect.poll(() => archivalCodes(archivist)).toEqual(['Z109-WS·2023·Y-0001', 'Z109-WS·2023·Y-0002']);
      await expectText(archivist.getByTestId('item-table'), '峄城区2023年档案工作要点');
      await expectText(archivist.getByTestId('item-table'), '2023年3月15日');
      await shot(archivist, 'catalog');
    });

    it('(3b) an edit that lost a race is refused with a clear message and the list reloads; a deletion asks for its reason', async () => {
      // A second tab of the same archivist edits the same item first.
      const other = await archivist.context().newPage();
      await other.goto('/catalog');
      await openTreeNode(other, '峄城区人民政府办公室');
      await openTreeNode(other, 'Z109 峄城区人民政府');
      await openTreeNode(other, 'WS 文书');
      const rowOf = (page: Page) => page.getByTestId('item-row').filter({ hasText: 'Z109-WS·2023·Y-0002' });

      await rowOf(archivist).getByTestId('item-edit').click();
      await archivist.getByTestId('item-form').waitFor();
      await rowOf(other).getByTestId('item-edit').click();
      await other.locator('#item-form_title').fill('峄城区2023年档案工作要点（修订稿）');
      await other.getByTestId('item-form-ok').click();
      await other.getByTestId('item-form').waitFor({ state: 'detached' });
      await other.close();

      await archivist.locator('#item-form_title').fill('峄城区2023年档案工作要点（覆盖）');
      await archivist.getByTestId('item-form-ok').click();
      await expectText(archivist.locator('.ant-message'), '该文件已被他人修改');
      await archivist.getByTestId('item-form').waitFor({ state: 'detached' });
      await expectText(rowOf(archivist), '（修订稿）');

      await rowOf(archivist).getByTestId('item-delete').click();
      await archivist.getByTestId('delete-form').waitFor();
      await modalSettled(archivist);
      await archivist.getByTestId('delete-form-ok').click();
      await expectText(archivist.getByTestId('delete-form'), '请填写“删除理由”');
      await archivist.locator('#delete-form_reason').fill('重复著录');
      await archivist.getByTestId('delete-form-ok').click();
      await expect.poll(() => archivalCodes(archivist)).toEqual(['Z109-WS·2023·Y-0001']);

      // The numbering check needs a year-and-retention node; the tombstoned 0002 leaves no gap.
      await archivist.locator('.ant-tree-treenode', { hasText: 'WS 文书' }).locator('.ant-tree-switcher_close').click();
      await openTreeNode(archivist, '2023');
      await openTreeNode(archivist, '永久');
      await archivist.getByTestId('check-numbering').click();
      const report = archivist.getByTestId('numbering-report');
      await expect.poll(() => report.locator('tbody tr').first().locator('td').allInnerTexts()).toEqual(['—', '1', '1', '无', '无']);
      await archivist.keyboard.press('Escape');
      // Later flows start from the category node.
      await openTreeNode(archivist, 'WS 文书');
    });

    it('(4) an imported spreadsheet with one bad row: the dry run names its row and field, and valid-only imports the rest', async () => {
      const file = join(SCREENSHOTS, `lantai-${dialect}-import.xlsx`);
      writeFileSync(file, await importSheet());
      await archivist.getByTestId('import-open').click();
      try {
        await importWithOneBadRow(archivist, file);
      } finally {
        // Leave the workspace usable for the next flow even when this one fails.
        for (let i = 0; i < 3 && (await archivist.getByTestId('import-wizard').count()); i++) {
          await archivist.keyboard.press('Escape');
          await archivist.waitForTimeout(300);
        }
      }
      await expectText(archivist.getByTestId('item-table'), '2023年第一季度工作总结');
      expect(await archivist.getByTestId('item-table').innerText()).not.toContain('关于召开档案工作会议的通知');

      // The node's catalogue comes back as a spreadsheet download.
      await archivist.getByTestId('export-menu').click();
      const [download] = await Promise.all([archivist.waitForEvent('download'), archivist.getByTestId('export-category').click()]);
      expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
      expect(await download.failure()).toBeNull();
    });

    async function importWithOneBadRow(archivist: Page, file: string) {
      await archivist.locator('[data-testid="import-wizard"] input[type=file]').setInputFiles(file);
      await expectText(archivist.getByTestId('import-row-count'), '3');
      // Map each column explicitly, whatever the server suggested.
      for (const [index, field] of ['题名', '责任者', '日期', '保管期限'].entries()) await choose(archivist, `import-map-${index}`, field);
      await archivist.getByTestId('import-dry-run').click();
      await expectText(archivist.getByTestId('import-invalid'), '1');
      const bad = archivist.getByTestId('import-error-row');
      await expect.poll(() => bad.count()).toBe(1);
      const cells = await bad.first().locator('td').allInnerTexts();
      expect(cells[0]).toBe('3'); // the sheet's row 3: header, one good row, then the bad one
      expect(cells[1]).toContain('日期');
      expect(cells[2]).toMatch(/日期.*有效/);
      await shot(archivist, 'import-dry-run');
      await archivist.getByText('仅导入正确的行').click();
      await archivist.getByTestId('import-commit').click();
      await expectText(archivist.getByTestId('import-result'), '新增 2 条');
      await archivist.getByTestId('import-close').click();
    }

    it('(5) a reader cleared for 公开 on fonds Z109 does not see a 秘密 item that the archivist sees', async () => {
      await archivist.getByTestId('new-item').click();
      await archivist.locator('#item-form_title').fill(SECRET_TITLE);
      await archivist.locator('#item-form_responsible').fill('峄城区人民政府办公室');
      await archivist.locator('#item-form_date').fill('20230520');
      await choose(archivist, 'item-form_retention', '永久');
      await choose(archivist, 'item-form_classification', '秘密');
      await archivist.locator('#item-form_secrecy_period').fill('10年');
      await archivist.getByTestId('item-form-ok').click();
      await archivist.getByTestId('item-form').waitFor({ state: 'detached' });
      await expectText(archivist.getByTestId('item-table'), SECRET_TITLE);

      await secadmin.reload();
      await secadmin.getByTestId('rights-edit-lisi').click();
      await choose(secadmin, 'rights-form_businessRole', '利用者');
      await choose(secadmin, 'rights-form_fondsIds', 'Z109 峄城区人民政府');
      await secadmin.keyboard.press('Escape');
      await secadmin.getByTestId('rights-form-ok').click();
      await expectText(secadmin.getByTestId('user-row-lisi'), 'Z109 峄城区人民政府');

      const reader = (readerPage = await h.newPage());
      await firstSignIn(reader, 'lisi', oneTime.lisi!);
      await reader.getByTestId('catalog-page').waitFor();
      expect(await reader.getByTestId('new-item').count()).toBe(0);
      await openTreeNode(reader, '峄城区人民政府办公室');
      await openTreeNode(reader, 'Z109 峄城区人民政府');
      await openTreeNode(reader, 'WS 文书');
      await expectText(reader.getByTestId('item-table'), '关于做好2023年度档案工作的通知');
      expect(await reader.getByTestId('item-table').innerText()).not.toContain(SECRET_TITLE);
      // Exactly the one item is hidden: the reader sees every other row the archivist sees.
      const seenByArchivist = await archivalCodes(archivist);
      await expect.poll(() => archivalCodes(reader)).toHaveLength(seenByArchivist.length - 1);
    });

    it('(5b) search finds simplified and traditional alike with highlights and facets, opens the full text at the page of the hit, and hides the 秘密 item from the reader', async () => {
      // Full texts arrive through receiving or OCR; here the text is handed over the way those modules do.
      const { ctx } = h;
      const row = await ctx.database.db.selectFrom('items').selectAll().where('title', '=', '关于做好2023年度档案工作的通知').executeTakeFirstOrThrow();
      await ctx.database.db.transaction().execute((tx) => setItemText(ctx.database, tx, { ...row, id: Number(row.id) }, 'ocr', ['第一页：通知正文。', '第二页：全面推进檔案數字化建設。']));

      const box = (page: Page) => page.locator('input[aria-label^="输入检索词"]');
      await archivist.getByTestId('nav-search').click();
      await archivist.getByTestId('search-page').waitFor();
      await box(archivist).fill('档案数字化');
      await box(archivist).press('Enter');
      await expectText(archivist.getByTestId('search-total'), '共 1 条');
      await expectText(archivist.getByTestId('search-snippet-fulltext').locator('mark'), '檔案數字化');
      await archivist.getByTestId('search-open-page-Z109-WS·2023·Y-0001').click();
      await expectText(archivist.getByTestId('text-viewer-page'), '第 2 页，共 2 页');
      await expectText(archivist.getByTestId('text-viewer-text').locator('mark'), '檔案數字化');
      await shot(archivist, 'search-viewer');
      await archivist.keyboard.press('Escape');
      await archivist.getByTestId('text-viewer').waitFor({ state: 'hidden' });
      await archivist.getByTestId('search-open-item-Z109-WS·2023·Y-0001').click();
      await expectText(archivist.getByTestId('search-item'), '关于做好2023年度档案工作的通知');
      await archivist.keyboard.press('Escape');
      await archivist.getByTestId('search-item').waitFor({ state: 'hidden' });

      await box(archivist).fill('峄城区');
      await box(archivist).press('Enter');
      await expectText(archivist.getByTestId('search-total'), /共 \d+ 条/);
      await archivist.getByTestId(`search-hit-${'Z109-WS·2023·Y-0001'}`).waitFor();
      await expectText(archivist.getByTestId('facet-classification'), '秘密');
      expect(await archivist.getByTestId('search-page').innerText()).toContain(SECRET_TITLE.slice(0, 8));
      const archivistTotal = Number((await archivist.getByTestId('search-total').innerText()).match(/\d+/)![0]);
      await shot(archivist, 'search');

      // 递进检索 with the advanced builder: within the 峄城区 results, titles holding 年度档案.
      await archivist.getByTestId('search-refine').click();
      await archivist.getByTestId('search-advanced').click();
      await archivist.getByTestId('search-builder-term-0').fill('年度档案');
      await archivist.getByTestId('search-builder-apply').click();
      await expectText(archivist.getByTestId('search-conditions'), '在“峄城区”的结果中');
      await expectText(archivist.getByTestId('search-total'), '共 1 条');
      await expectText(archivist.getByTestId('search-hit-title').locator('mark'), '年度档案');

      const reader = readerPage;
      await reader.getByTestId('nav-search').click();
      await box(reader).fill('峄城区');
      await box(reader).press('Enter');
      await expectText(reader.getByTestId('search-total'), `共 ${archivistTotal - 1} 条`);
      expect(await reader.getByTestId('search-page').innerText()).not.toContain(SECRET_TITLE.slice(0, 8));
      expect(await reader.getByTestId('facet-classification').innerText()).not.toContain('秘密');
      // The catalogue opens with nothing selected: back to the WS node, where (6) begins.
      await reader.getByTestId('nav-catalog').click();
      await openTreeNode(reader, '峄城区人民政府办公室');
      await openTreeNode(reader, 'Z109 峄城区人民政府');
      await openTreeNode(reader, 'WS 文书');
      await reader.getByTestId('item-table').waitFor();
    });

    it('(5c) the archivist stores two files with Chinese names as v1, then a revision as v2; the system administrator sees them in 保存管理 and runs a fixity audit', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lantai-e2e-files-'));
      try {
        const pdfName = '关于2023年度档案工作的通知（正文）.pdf';
        const pngName = '附件1：照片.png';
        const first = await pdfWithPages(1);
        const revised = await pdfWithPages(2);
        writeFileSync(join(dir, pdfName), first);
        writeFileSync(join(dir, pngName), Buffer.from(PNG_1x1, 'base64'));
        const revisedDir = mkdtempSync(join(dir, 'v2-'));
        writeFileSync(join(revisedDir, pdfName), revised);

        await archivist.getByTestId('nav-catalog').click();
        await openTreeNode(archivist, '峄城区人民政府办公室');
        await openTreeNode(archivist, 'Z109 峄城区人民政府');
        await openTreeNode(archivist, 'WS 文书');
        await archivist.getByTestId('item-row').filter({ hasText: 'Z109-WS·2023·Y-0001' }).getByTestId('item-files-open').click();
        const panel = archivist.getByTestId('item-files');
        await panel.getByTestId('files-none').waitFor();

        await panel.locator('[data-testid="files-upload"] input[type=file]').setInputFiles([join(dir, pdfName), join(dir, pngName)]);
        await panel.getByTestId('files-message').fill('首次归档');
        await panel.getByTestId('files-store').click();
        const fileRow = (name: string) => panel.getByTestId('file-row').filter({ has: archivist.getByTestId('file-path').getByText(name, { exact: true }) });
        // The server's classification: a plain PDF (no PDF/A claim) is not an archival format, PNG is.
        await expectText(fileRow(pdfName).getByTestId('file-archival'), '非归档格式');
        await expectText(fileRow(pngName).getByTestId('file-archival'), /^归档格式$/);
        expect(await fileRow(pdfName).getByTestId('file-sha256').getAttribute('title')).toBe(sha256(first));
        await expectText(panel.getByTestId('files-version'), 'v1');
        await expectText(panel.getByTestId('files-version-message'), '首次归档');
        await shot(archivist, 'item-files');

        await panel.locator('[data-testid="files-upload"] input[type=file]').setInputFiles(join(revisedDir, pdfName));
        await panel.getByTestId('files-message').fill('正文补充第二页');
        await panel.getByTestId('files-store').click();
        await expectText(panel.getByTestId('files-version'), 'v2');
        await expectText(panel.getByTestId('files-version-message'), '正文补充第二页');
        await expect.poll(() => fileRow(pdfName).getByTestId('file-sha256').getAttribute('title')).toBe(sha256(revised));
        await expectText(fileRow(pngName).getByTestId('file-archival'), /^归档格式$/);
        await expect.poll(() => panel.getByTestId('files-events').getByTestId('event-row').filter({ hasText: '存入' }).count()).toBe(2);

        // The earlier version stays readable as it was.
        await panel.getByTestId('files-version').click();
        await archivist.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: /^v1/ }).click();
        await expectText(panel.getByTestId('files-version-message'), '首次归档');
        await expect.poll(() => fileRow(pdfName).getByTestId('file-sha256').getAttribute('title')).toBe(sha256(first));
        await panel.locator('.ant-drawer-close').click();
        await panel.waitFor({ state: 'hidden' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      await sysadmin.getByTestId('nav-preservation').click();
      await sysadmin.getByTestId('preservation-page').waitFor();
      const primary = sysadmin.getByTestId('location-row-primary');
      await expectText(primary.getByTestId('location-objects'), /^1$/);
      await expectText(sysadmin.getByTestId('total-versions'), /版本\s*2/);
      await sysadmin.getByTestId('fixity-audit-run').click();
      const status = sysadmin.getByTestId('audit-run-status');
      await expectText(status, '校验完成');
      await expectText(status, /检查 1 个对象，通过 1，失败 0/);
      await expectText(primary, '第 1 轮');
      await expectText(sysadmin.getByTestId('preservation-events'), '固定性检测');
      await shot(sysadmin, 'preservation');
    });

    it('(6) switching to English changes the labels, and the choice survives a reload', async () => {
      const reader = readerPage;
      await reader.getByTestId('lang-switch').click();
      await expectText(reader.getByTestId('nav-catalog'), 'Catalogue');
      await expectText(reader.getByTestId('lang-switch'), '中文');
      await expectText(reader.getByTestId('item-table').locator('thead'), 'Title');
      await expectText(reader.getByTestId('selected-node'), 'WS Administrative records');
      await reader.reload();
      await expectText(reader.getByTestId('nav-catalog'), 'Catalogue');
      await expectText(reader.getByTestId('catalog-page'), 'Catalogue tree');
      expect(await reader.getByTestId('catalog-page').innerText()).not.toContain('档案目录');
      await openTreeNode(reader, '峄城区人民政府办公室');
      await openTreeNode(reader, 'Z109 峄城区人民政府');
      await openTreeNode(reader, 'WS Administrative records');
      await expectText(reader.getByTestId('item-table').locator('thead'), 'Archival code');
      await shot(reader, 'english');
    });

    it('(7) the auditor reads the trail and verifies the chain', async () => {
      const auditor = await h.newPage();
      await firstSignIn(auditor, 'auditor', h.admins.auditor!);
      await auditor.getByTestId('audit-page').waitFor();
      expect(new URL(auditor.url()).pathname).toBe('/audit');
      await expectText(auditor.getByTestId('audit-page'), 'item.create');
      // Times are shown in Beijing time whatever the browser's zone (this one runs in UTC).
      const newest = await auditor.evaluate(async () => ((await (await fetch('/api/v1/audit?limit=1')).json()) as { entries: Array<{ seq: number; at: string }> }).entries[0]!);
      const beijing = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(newest.at));
      const firstRow = auditor.locator('tbody tr.ant-table-row').first();
      await expectText(firstRow.locator('td').first(), String(newest.seq));
      expect(await firstRow.locator('td').nth(1).innerText()).toBe(beijing);
      await auditor.getByTestId('audit-verify').click();
      await expectText(auditor.getByTestId('audit-verify-result'), '审计链完整');
      await shot(auditor, 'audit');

      // Change the password from the user menu, by keyboard.
      await auditor.getByTestId('user-menu').focus();
      await auditor.keyboard.press('Enter');
      await auditor.getByTestId('menu-password').click();
      await auditor.getByTestId('password-page').waitFor();
      await submitPasswordChange(auditor, STRONG_PASSWORD, 'Audit#2026-renewed');
      await auditor.getByTestId('audit-page').waitFor();

      // A session that is gone sends the next request back to the sign-in page.
      await auditor.context().clearCookies();
      await auditor.getByTestId('audit-verify').click();
      await auditor.getByTestId('login-card').waitFor();
      await signIn(auditor, 'auditor', 'Audit#2026-renewed');
      await auditor.getByTestId('audit-page').waitFor();
      await auditor.getByTestId('user-menu').click();
      await auditor.getByTestId('menu-logout').click();
      await auditor.getByTestId('login-card').waitFor();
    });
  });
}

const SECRET_TITLE = '关于峄城区重点工程建设的请示（秘密）';

/** The smallest valid PNG: one pixel. */
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A real (plain, not PDF/A) PDF with blank pages. */
async function pdfWithPages(pages: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage();
  return Buffer.from(await doc.save());
}

/** Three rows under the header; the second has a date that does not exist. */
async function importSheet(): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('目录');
  sheet.addRow(['题名', '责任者', '日期', '保管期限']);
  sheet.addRow(['2023年第一季度工作总结', '峄城区人民政府办公室', '20230331', '永久']);
  sheet.addRow(['关于召开档案工作会议的通知', '峄城区人民政府办公室', '2023-13-45', 'Y']);
  sheet.addRow(['2023年档案移交清单', '峄城区档案馆', '20230601', 'D30']);
  return Buffer.from(await book.xlsx.writeBuffer());
}
