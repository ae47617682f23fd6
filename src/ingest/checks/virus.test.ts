import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferPackage } from '../packages/model.js';
import { runChecks } from './run.js';
import { ARCHIVAL_WITH_PDF, cleanPackage, noCatalogue, put, result, VIRUS_MARKER, writeTestSignatures } from './test-fixtures.js';
import { ClamdScanner, ClamscanScanner, findScanner } from './virus.js';

const INFECTED = '电子档案/2023/附件: 样本.txt';

let dir: string;
let databaseDir: string;
let root: string;
let pkg: TransferPackage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantai-virus-'));
  databaseDir = join(dir, 'db');
  await writeTestSignatures(databaseDir);
  root = join(dir, 'package');
  pkg = await cleanPackage(root);
  await put(root, INFECTED, `harmless text carrying ${VIRUS_MARKER} for the scanner\n`);
  pkg.unreferencedFiles.push(INFECTED);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = { existingCodes: noCatalogue, archivalFormatIds: ARCHIVAL_WITH_PDF };

describe('clamscan fallback', () => {
  // Must fail, not skip, where clamscan is missing: CI installs the Debian package clamav.
  it('is found and reports the marker, naming the file', async () => {
    const scanner = await findScanner({ clamdSockets: [], clamscan: { databaseDir } });
    expect(scanner?.name).toBe(`clamscan -d ${databaseDir}`);
    const check = result(await runChecks(pkg, { ...env, scanner }), 'LT-YJ-4-2');
    expect(check.result).toBe('fail');
    expect(check.offending).toEqual([{ path: INFECTED, reason: '发现病毒或恶意代码：Lantai.Test.Marker.UNOFFICIAL', reason_en: 'virus or malicious code found: Lantai.Test.Marker.UNOFFICIAL' }]);
  });

  it('passes a clean package', async () => {
    const clean = await cleanPackage(join(dir, 'clean'));
    const check = result(await runChecks(clean, { ...env, scanner: new ClamscanScanner('clamscan', databaseDir) }), 'LT-YJ-4-2');
    expect(check.result).toBe('pass');
  });

  it('never passes when the scanner fails', async () => {
    const noDatabase = await new ClamscanScanner('clamscan', join(dir, 'empty-db')).scan([join(root, INFECTED)]);
    expect(noDatabase).toEqual([{ path: join(root, INFECTED), error: expect.stringMatching(/\S/) }]);
    const check = result(await runChecks(pkg, { ...env, scanner: new ClamscanScanner('/nonexistent/clamscan') }), 'LT-YJ-4-2');
    expect(check.result).toBe('manual');
    expect(check.offending.length).toBeGreaterThan(0);
    expect(check.offending[0]?.reason_en).toBe('not scanned: /nonexistent/clamscan: ENOENT');
  });
});

describe('no scanner installed', () => {
  it('finds none and leaves the check to a person', async () => {
    const scanner = await findScanner({ clamdSockets: [join(dir, 'no-clamd.sock')], clamscan: { binary: '/nonexistent/clamscan' } });
    expect(scanner).toBeNull();
    const check = result(await runChecks(pkg, { ...env, scanner }), 'LT-YJ-4-2');
    expect(check).toMatchObject({ result: 'manual', note: { zh: '未安装病毒扫描程序，需人工检查', en: 'manual review: no scanner installed' } });
  });
});

describe('clamd INSTREAM client', () => {
  let server: Server;
  const socket = () => join(dir, 'clamd.sock');

  /** Speaks the clamd protocol: z-commands, length-prefixed INSTREAM chunks, NUL-terminated reply. */
  beforeAll(async () => {
    server = createServer((conn) => {
      let buffer = Buffer.alloc(0);
      const data: Buffer[] = [];
      let command: string | null = null;
      conn.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (command === null) {
          const end = buffer.indexOf(0);
          if (end < 0) return;
          command = buffer.subarray(0, end).toString();
          buffer = buffer.subarray(end + 1);
          if (command === 'zPING') return conn.end('PONG\0');
        }
        while (buffer.length >= 4) {
          const length = buffer.readUInt32BE(0);
          if (length === 0) {
            const found = Buffer.concat(data).includes(VIRUS_MARKER);
            return conn.end(found ? 'stream: Lantai.Test.Marker FOUND\0' : 'stream: OK\0');
          }
          if (buffer.length < 4 + length) return;
          data.push(buffer.subarray(4, 4 + length));
          buffer = buffer.subarray(4 + length);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(socket(), resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is preferred when it answers PING and streams every file', async () => {
    const scanner = await findScanner({ clamdSockets: [socket()], clamscan: null });
    expect(scanner).toBeInstanceOf(ClamdScanner);
    const big = join(dir, 'big.bin');
    await writeFile(big, Buffer.concat([Buffer.alloc(600 * 1024, 1), Buffer.from(VIRUS_MARKER)]));
    const verdicts = await scanner!.scan([big, join(root, '电子档案/2023/0001.pdf'), join(dir, 'absent')]);
    expect(verdicts[0]).toEqual({ path: big, infected: true, signature: 'Lantai.Test.Marker' });
    expect(verdicts[1]).toEqual({ path: join(root, '电子档案/2023/0001.pdf'), infected: false });
    expect(verdicts[2]).toMatchObject({ path: join(dir, 'absent'), error: expect.stringMatching(/ENOENT/) });
  });
});
