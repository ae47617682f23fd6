import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidationResult } from './validate-findings.js';
import { LAYOUT_0004, hashedNTupleMapper, validateStorageRoot } from './validate-root.js';
import { PDF, sampleArchive, writeObject } from './validate-testkit.js';

const IDS = ['urn:lantai:A001-WS-2023-Y-0001', 'urn:lantai:A001-WS-2023-Y-0002', 'urn:lantai:A001-WS-2023-D30-0003'];

/** Extension 0004 with its defaults, written out independently of the validator's mapper. */
function defaultPath(id: string): string {
  const d = createHash('sha256').update(id, 'utf8').digest('hex');
  return `${d.slice(0, 3)}/${d.slice(3, 6)}/${d.slice(6, 9)}/${d}`;
}

const codesOf = (r: ValidationResult) => [...new Set([...r.errors, ...r.warnings].map((f) => f.code))].sort();
const findings = (r: ValidationResult) => [...r.errors, ...r.warnings].map((f) => `${f.code} ${f.path}`).sort();

let work: string;
let template: string;
let cases = 0;

async function writeRoot(dir: string, declaration = '1.1'): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `0=ocfl_${declaration}`), `ocfl_${declaration}\n`);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocfl-validate-root-'));
  template = join(work, 'template');
  await writeRoot(template);
  await writeFile(
    join(template, 'ocfl_layout.json'),
    JSON.stringify({ extension: LAYOUT_0004, description: '对象标识经 SHA-256 散列后按三级三字符目录存放' }),
  );
  await mkdir(join(template, 'extensions', LAYOUT_0004), { recursive: true });
  await writeFile(
    join(template, 'extensions', LAYOUT_0004, 'config.json'),
    JSON.stringify({ extensionName: LAYOUT_0004, digestAlgorithm: 'sha256', tupleSize: 3, numberOfTuples: 3, shortObjectRoot: false }),
  );
  await writeFile(join(template, 'ocfl_1.1.md'), '# OCFL 1.1\n');
  for (const id of IDS) await writeObject(join(template, defaultPath(id)), sampleArchive(id));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function copyTemplate(): Promise<string> {
  const dir = join(work, `case-${++cases}`);
  await cp(template, dir, { recursive: true });
  return dir;
}

async function freshDir(): Promise<string> {
  return join(work, `case-${++cases}`);
}

describe('validateStorageRoot with the 0004 hashed n-tuple layout', () => {
  it('validates every object and finds nothing wrong', async () => {
    const seen: string[] = [];
    const result = await validateStorageRoot(template, { onObject: (p) => seen.push(p) });
    expect(result).toEqual({ valid: true, kind: 'storage-root', errors: [], warnings: [], objectsChecked: 3 });
    expect(seen.sort()).toEqual(IDS.map(defaultPath).sort());
  });

  it('reports the one broken object among three, with paths from the storage root', async () => {
    const dir = await copyTemplate();
    const broken = defaultPath(IDS[2]!);
    await appendFile(join(dir, broken, 'v2/content', PDF), 'tampered');
    const result = await validateStorageRoot(dir);
    expect(result.valid).toBe(false);
    expect(result.objectsChecked).toBe(3);
    expect(findings(result)).toEqual([`E092 ${broken}/v2/content/${PDF}`, `E093 ${broken}/v2/content/${PDF}`, `E093 ${broken}/v2/content/${PDF}`]);
  });

  it('reports an object stored where the layout does not put its id (E083)', async () => {
    const dir = await copyTemplate();
    const [first, second] = [defaultPath(IDS[0]!), defaultPath('urn:lantai:elsewhere')];
    await mkdir(join(dir, second, '..'), { recursive: true });
    await rename(join(dir, first), join(dir, second));
    await rm(join(dir, first.split('/')[0]!), { recursive: true });
    const result = await validateStorageRoot(dir);
    expect(findings(result)).toEqual([`E083 ${second}`]);
    expect(result.errors[0]!.message).toContain(first);
  });

  it('reports two objects with the same id (E037)', async () => {
    const dir = await copyTemplate();
    const [original, copy] = [defaultPath(IDS[1]!), defaultPath('urn:lantai:copy')];
    await cp(join(dir, original), join(dir, copy), { recursive: true });
    const result = await validateStorageRoot(dir);
    expect(codesOf(result)).toEqual(['E037', 'E083']);
    // Whichever of the two the walk meets second is the duplicate.
    const duplicate = result.errors.find((f) => f.code === 'E037')!;
    expect([original, copy]).toContain(duplicate.path);
    expect(duplicate.message).toContain(duplicate.path === copy ? original : copy);
    expect(result.errors.find((f) => f.code === 'E083')!.path).toBe(copy);
  });

  it('reports an object nested in an object, and a newer object under an older root', async () => {
    const dir = await copyTemplate();
    const outer = defaultPath(IDS[0]!);
    await writeObject(join(dir, outer, 'attic', 'inner'), sampleArchive('urn:lantai:inner'));
    await rm(join(dir, '0=ocfl_1.1'));
    await writeFile(join(dir, '0=ocfl_1.0'), 'ocfl_1.0\n');
    const result = await validateStorageRoot(dir);
    const objects = IDS.map(defaultPath);
    expect(findings(result)).toEqual(
      [`E001 ${outer}/attic`, `E082 ${outer}/attic/inner`, ...objects.map((o) => `E081 ${o}`)].sort(),
    );
  });
});

describe('validateStorageRoot on junk', () => {
  it('ignores loose top-level files but reports every other thing that is not an object', async () => {
    const dir = await copyTemplate();
    const tuple = defaultPath(IDS[0]!).split('/')[0]!;
    await writeFile(join(dir, 'README.txt'), '兰台存储根\n');
    await mkdir(join(dir, '.staging', 'upload-1'), { recursive: true });
    await writeFile(join(dir, '.staging', 'upload-1', '文件.pdf'), 'x');
    await writeFile(join(dir, tuple, 'Thumbs.db'), 'x');
    await mkdir(join(dir, 'abc', 'def'), { recursive: true });
    await mkdir(join(dir, 'other'));
    await writeFile(join(dir, 'other', '0=ocfl_1.1'), 'ocfl_1.1\n');
    await writeFile(join(dir, 'extensions', 'readme.txt'), 'x');
    await mkdir(join(dir, 'extensions', 'lantai-cache'));
    await symlink(join(dir, 'README.txt'), join(dir, 'link'));

    const result = await validateStorageRoot(dir);
    expect(result.objectsChecked).toBe(3);
    expect(findings(result)).toEqual(
      [
        'E072 .staging/upload-1/文件.pdf',
        'E088 .staging',
        'E073 abc/def',
        'E088 abc',
        'E074 other',
        'E088 other',
        `E084 ${tuple}/Thumbs.db`,
        'E112 extensions/readme.txt',
        'W016 extensions/lantai-cache',
        'E090 link',
      ].sort(),
    );
  });

  it('reports this is an object, not a storage root', async () => {
    const dir = await freshDir();
    await writeObject(dir, sampleArchive());
    expect(findings(await validateStorageRoot(dir))).toEqual(['E069 .']);
  });

  it('warns when objects sit both at the top and deeper (W015), or at mixed depths (W014)', async () => {
    const dir = await freshDir();
    await writeRoot(dir);
    await writeObject(join(dir, 'top'), sampleArchive('urn:lantai:top'));
    await writeObject(join(dir, 'a', 'b'), sampleArchive('urn:lantai:ab'));
    await writeObject(join(dir, 'c', 'd', 'e'), sampleArchive('urn:lantai:cde'));
    const result = await validateStorageRoot(dir);
    expect(result.valid).toBe(true);
    expect(codesOf(result)).toEqual(['W014', 'W015']);
  });
});

describe('validateStorageRoot declaration and layout faults', () => {
  const declarationFaults: Array<[string, string[], (dir: string) => Promise<void>]> = [
    ['no declaration', ['E069'], (d) => rm(join(d, '0=ocfl_1.1'))],
    ['declaration with T other than 0', ['E069', 'E078'], (d) => rename(join(d, '0=ocfl_1.1'), join(d, '1=ocfl_1.1'))],
    ['declaration not named T=dvalue', ['E069', 'E077'], (d) => rename(join(d, '0=ocfl_1.1'), join(d, 'ocfl_1.1'))],
    ['declaration of an unknown version', ['E079'], (d) => rename(join(d, '0=ocfl_1.1'), join(d, '0=ocfl_2.0'))],
    ['declaration text without newline', ['E080'], (d) => writeFile(join(d, '0=ocfl_1.1'), 'ocfl_1.1')],
    ['two declarations', ['E076'], (d) => writeFile(join(d, '0=ocfl_1.0'), 'ocfl_1.0\n')],
    ['ocfl_layout.json that is not JSON', ['E070'], (d) => writeFile(join(d, 'ocfl_layout.json'), '{')],
    ['ocfl_layout.json without description', ['E070'], (d) => writeFile(join(d, 'ocfl_layout.json'), JSON.stringify({ extension: LAYOUT_0004 }))],
    ['unregistered layout extension', ['E071'], (d) =>
      writeFile(join(d, 'ocfl_layout.json'), JSON.stringify({ extension: 'lantai-layout', description: '本地布局' }))],
    ['invalid 0004 configuration', ['E083'], (d) =>
      writeFile(join(d, 'extensions', LAYOUT_0004, 'config.json'), JSON.stringify({ tupleSize: 40, numberOfTuples: 3 }))],
  ];

  it.each(declarationFaults)('%s → %j', async (_name, codes, mutate) => {
    const dir = await copyTemplate();
    await mutate(dir);
    expect(codesOf(await validateStorageRoot(dir))).toEqual(codes);
  });

  it('uses the 0004 defaults when the layout has no config.json', async () => {
    const dir = await copyTemplate();
    await rm(join(dir, 'extensions', LAYOUT_0004, 'config.json'));
    expect(codesOf(await validateStorageRoot(dir))).toEqual([]);
  });
});

describe('hashedNTupleMapper', () => {
  // The mapping tables of the extension's own examples 1 and 2.
  it('maps ids with the default parameters', () => {
    const map = hashedNTupleMapper({});
    if (typeof map === 'string') throw new Error(map);
    expect(map('object-01')).toBe('3c0/ff4/240/3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4');
    expect(map('..hor/rib:le-$id')).toBe('487/326/d8c/487326d8c2a3c0b885e23da1469b4d6671fd4e76978924b4443e9e3c316cda6d');
  });

  it('maps ids with md5, 15 two-character tuples and a short object root', () => {
    const map = hashedNTupleMapper({ extensionName: LAYOUT_0004, digestAlgorithm: 'md5', tupleSize: 2, numberOfTuples: 15, shortObjectRoot: true });
    if (typeof map === 'string') throw new Error(map);
    expect(map('object-01')).toBe('ff/75/53/44/92/48/5e/ab/b3/9f/86/35/67/28/88/4e');
    expect(map('..hor/rib:le-$id')).toBe('08/31/97/66/fb/6c/29/35/dd/17/5b/94/26/77/17/e0');
  });

  it.each([
    [{ tupleSize: 0, numberOfTuples: 3 }],
    [{ tupleSize: 33 }],
    [{ digestAlgorithm: 'crc32' }],
    [{ digestAlgorithm: 'md5', tupleSize: 4, numberOfTuples: 8, shortObjectRoot: true }],
    [{ extensionName: '0002-flat-direct-storage-layout' }],
    [[]],
  ])('rejects the configuration %j', (config) => {
    expect(typeof hashedNTupleMapper(config)).toBe('string');
  });
});
