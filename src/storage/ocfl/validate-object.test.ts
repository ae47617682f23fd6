import { execFileSync } from 'node:child_process';
import { appendFile, cp, link, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidationResult } from './validate-findings.js';
import { validateObject } from './validate-object.js';
import {
  ATTACHMENT,
  ATTACHMENT_TEXT,
  CATALOGUE,
  CATALOGUE_XML,
  PDF,
  PDF_V1,
  PDF_V2,
  digest,
  editAllInventories,
  editInventories,
  moveContentPath,
  moveLogicalPath,
  readInventory,
  renameVersions,
  sampleArchive,
  writeObject,
  writeText,
  type Json,
  type ObjectSpec,
} from './validate-testkit.js';

/** The root inventory and its copy in the head version, edited together so E064 stays out. */
const HEAD = ['inventory.json', 'v2/inventory.json'];

const codesOf = (r: ValidationResult) => [...new Set([...r.errors, ...r.warnings].map((f) => f.code))].sort();

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let work: string;
let template: string;
let cases = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocfl-validate-object-'));
  template = join(work, 'template');
  await writeObject(template, sampleArchive());
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function copyTemplate(): Promise<string> {
  const dir = join(work, `case-${++cases}`);
  await cp(template, dir, { recursive: true });
  return dir;
}

async function build(spec: ObjectSpec): Promise<string> {
  const dir = join(work, `case-${++cases}`);
  await writeObject(dir, spec);
  return dir;
}

describe('validateObject on a sound object', () => {
  it('finds nothing wrong with the two-version sample archive', async () => {
    const result = await validateObject(template);
    expect(result).toEqual({ valid: true, kind: 'object', errors: [], warnings: [], objectsChecked: 1 });
  });

  it('accepts a logs directory and registered extension directories', async () => {
    const dir = await copyTemplate();
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'logs', '2024-01-15.log'), '归档\n');
    await mkdir(join(dir, 'extensions', '0005-mutable-head'), { recursive: true });
    expect(codesOf(await validateObject(dir))).toEqual([]);
  });

  it('verifies every fixity algorithm it can compute, and sm3 is not an unknown algorithm', async () => {
    const dir = await copyTemplate();
    await editInventories(dir, HEAD, (inv) => {
      const path = `v2/content/${CATALOGUE}`;
      for (const algorithm of ['md5', 'sha1', 'blake2b-512', 'sha512/256']) {
        inv.fixity[algorithm] = { [digest(algorithm, CATALOGUE_XML)]: [path] };
      }
      inv.fixity.size = { [String(Buffer.byteLength(CATALOGUE_XML))]: [path] };
      inv.fixity['blake2b-384'] = { ['0'.repeat(96)]: [path] };
    });
    expect(codesOf(await validateObject(dir))).toEqual([]);

    await editInventories(dir, HEAD, (inv) => {
      inv.fixity.md5 = { ['0'.repeat(32)]: [`v2/content/${CATALOGUE}`] };
      inv.fixity.size = { '1': [`v2/content/${CATALOGUE}`] };
    });
    const result = await validateObject(dir);
    expect(result.errors.map((f) => [f.code, f.path, f.message.split(' ')[0]])).toEqual([
      ['E093', `v2/content/${CATALOGUE}`, 'md5'],
      ['E093', `v2/content/${CATALOGUE}`, 'size'],
    ]);
  });

  it('skips content hashing when checkDigests is false', async () => {
    const dir = await copyTemplate();
    await appendFile(join(dir, 'v2/content', PDF), 'tampered');
    expect(codesOf(await validateObject(dir, { checkDigests: false }))).toEqual([]);
    expect(codesOf(await validateObject(dir))).toEqual(['E092', 'E093']);
  });

  it('reports paths relative to the object and messages in English and Chinese', async () => {
    const dir = await copyTemplate();
    await appendFile(join(dir, 'v1/content', ATTACHMENT), '!');
    const [first] = (await validateObject(dir)).errors;
    expect(first).toMatchObject({ code: 'E092', severity: 'error', path: `v1/content/${ATTACHMENT}` });
    expect(first!.message).toMatch(/^sha512 is [0-9a-f]{128} but the manifest in inventory.json says/);
    expect(first!.message_zh).toMatch(/manifest 记录为/);
  });

  it('calls onObject once with the object itself', async () => {
    const seen: string[] = [];
    await validateObject(template, { onObject: (p) => seen.push(p) });
    expect(seen).toEqual(['.']);
  });
});

type Fault = [name: string, codes: string[], mutate: (dir: string) => Promise<void>];

const faults: Fault[] = [
  // Object root and conformance declaration
  ['extra file in the object root', ['E001'], (d) => writeFile(join(d, 'notes.txt'), 'x')],
  ['extra directory in the object root', ['E001'], async (d) => {
    await mkdir(join(d, 'tmp'));
    await writeFile(join(d, 'tmp', 'x'), 'x');
  }],
  ['object nested inside the object', ['E001', 'E082'], async (d) => {
    await mkdir(join(d, 'inner', 'obj'), { recursive: true });
    await writeFile(join(d, 'inner', 'obj', '0=ocfl_object_1.1'), 'ocfl_object_1.1\n');
  }],
  ['no conformance declaration', ['E003'], (d) => rm(join(d, '0=ocfl_object_1.1'))],
  ['two conformance declarations', ['E003'], (d) => writeFile(join(d, '0=ocfl_object_1.0'), 'ocfl_object_1.0\n')],
  ['declaration not named T=dvalue', ['E003', 'E004'], (d) => rename(join(d, '0=ocfl_object_1.1'), join(d, 'ocfl_object_1.1'))],
  ['declaration with T other than 0', ['E003', 'E005'], (d) => rename(join(d, '0=ocfl_object_1.1'), join(d, '1=ocfl_object_1.1'))],
  ['declaration with the wrong dvalue', ['E006'], (d) => rename(join(d, '0=ocfl_object_1.1'), join(d, '0=ocfl_objekt_1.1'))],
  ['declaration text without newline', ['E007'], (d) => writeFile(join(d, '0=ocfl_object_1.1'), 'ocfl_object_1.1')],

  // Version sequence and naming
  ['no versions at all', ['E008', 'E042', 'E046', 'E107'], (d) => editInventories(d, HEAD, (inv) => (inv.versions = {}))],
  ['versions start at v2', ['E009'], (d) => renameVersions(d, { v1: 'v2', v2: 'v3' })],
  ['gap in the version sequence', ['E010'], (d) => renameVersions(d, { v2: 'v3' })],
  ['mixed padded and unpadded version names', ['E012'], (d) => renameVersions(d, { v2: 'v02' })],
  ['zero-padded version names', ['W001'], (d) => renameVersions(d, { v1: 'v001', v2: 'v002' })],
  ['version name without the v prefix', ['E104'], (d) => editInventories(d, HEAD, (inv) => (inv.versions['3'] = inv.versions.v2))],
  ['version number that is not a positive integer', ['E105'], (d) => editInventories(d, HEAD, (inv) => (inv.versions.v0 = inv.versions.v1))],
  ['version number with a suffix', ['E105'], (d) => editInventories(d, HEAD, (inv) => (inv.versions.v2a = inv.versions.v2))],
  ['head is not the latest version', ['E040'], (d) => editInventories(d, HEAD, (inv) => (inv.head = 'v1'))],
  ['head is not a string', ['E040'], (d) => editInventories(d, HEAD, (inv) => (inv.head = 2))],

  // Version directories
  ['extra file in a version directory', ['E015'], (d) => writeFile(join(d, 'v1', 'readme.txt'), 'x')],
  ['extra directory in a version directory', ['W002'], async (d) => {
    await mkdir(join(d, 'v1', 'scratch'));
    await writeFile(join(d, 'v1', 'scratch', 'x'), 'x');
  }],
  ['version with new content but no content directory', ['E016'], (d) => rm(join(d, 'v2', 'content'), { recursive: true })],
  ['version directory missing', ['E046'], (d) => rm(join(d, 'v1'), { recursive: true })],
  ['version directory the inventory does not know', ['E046'], (d) => cp(join(d, 'v2'), join(d, 'v3'), { recursive: true })],
  ['hard link to a content file', ['E090'], (d) => link(join(d, 'v1/content', ATTACHMENT), join(d, '..', `${cases}-hard-link`))],
  ['file in content but not in the manifest', ['E023'], (d) => writeFile(join(d, 'v1/content/电子档案/多余.txt'), 'x')],
  ['empty directory in content', ['E024'], (d) => mkdir(join(d, 'v1/content/空目录'))],
  ['symbolic link in content', ['E090'], (d) => symlink(join(d, 'v1/content', PDF), join(d, 'v1/content/电子档案/链接.pdf'))],

  // Inventory header
  ['inventory is not JSON', ['E033'], (d) => writeText(d, 'inventory.json', '{ "id": ', 'sha512')],
  ['inventory without id', ['E036'], (d) => editInventories(d, HEAD, (inv) => delete inv.id)],
  ['id is not a URI', ['W005'], (d) => editAllInventories(d, (inv) => (inv.id = '档案 0001'))],
  ['id changes between versions', ['E110'], (d) => editInventories(d, ['v1/inventory.json'], (inv) => (inv.id = 'urn:lantai:other'))],
  ['unknown inventory type', ['E038'], (d) => editInventories(d, HEAD, (inv) => (inv.type = 'https://example.org/inventory'))],
  ['md5 for content addressing', ['E025'], (d) => editInventories(d, HEAD, (inv) => (inv.digestAlgorithm = 'md5'))],
  ['key the spec does not define', ['E102'], (d) => editAllInventories(d, (inv) => (inv.lantai = { fonds: 'A001' }))],
  ['contentDirectory with a slash', ['E017'], (d) => editInventories(d, HEAD, (inv) => (inv.contentDirectory = 'a/b'))],
  ['contentDirectory of ..', ['E018'], (d) => editInventories(d, HEAD, (inv) => (inv.contentDirectory = '..'))],
  ['empty contentDirectory', ['E108'], (d) => editInventories(d, HEAD, (inv) => (inv.contentDirectory = ''))],

  // Manifest
  ['no manifest', ['E041'], (d) => editInventories(d, HEAD, (inv) => delete inv.manifest)],
  ['manifest is not an object', ['E106'], (d) => editInventories(d, HEAD, (inv) => (inv.manifest = []))],
  ['manifest digest of the wrong algorithm', ['E039', 'E092'], (d) =>
    editAllInventories(d, (inv) => {
      const [from, to] = [digest('sha512', ATTACHMENT_TEXT), digest('sha256', ATTACHMENT_TEXT)];
      inv.manifest[to] = inv.manifest[from];
      delete inv.manifest[from];
      for (const v of Object.values(inv.versions) as Json[]) {
        v.state[to] = v.state[from];
        delete v.state[from];
      }
    })],
  ['manifest digest repeated in another case', ['E096'], async (d) => {
    await writeFile(join(d, 'v2/content/元数据/副本.xml'), CATALOGUE_XML);
    await editInventories(d, HEAD, (inv) => {
      const upper = digest('sha512', CATALOGUE_XML).toUpperCase();
      inv.manifest[upper] = ['v2/content/元数据/副本.xml'];
      inv.versions.v2.state[upper] = ['元数据/副本.xml'];
    });
  }],
  ['manifest digest no version uses', ['E107'], async (d) => {
    await writeFile(join(d, 'v2/content/元数据/未使用.xml'), 'unused');
    await editInventories(d, HEAD, (inv) => (inv.manifest[digest('sha512', 'unused')] = ['v2/content/元数据/未使用.xml']));
  }],
  ['content path listed twice', ['E101'], (d) =>
    editInventories(d, HEAD, (inv) => inv.manifest[digest('sha512', CATALOGUE_XML)].push(`v2/content/${CATALOGUE}`))],
  ['content path listed under two digests', ['E092', 'E101'], (d) =>
    editInventories(d, HEAD, (inv) => inv.manifest[digest('sha512', PDF_V2)].push(`v2/content/${CATALOGUE}`))],
  ['content path that is also a directory', ['E092', 'E101'], (d) =>
    editInventories(d, HEAD, (inv) => inv.manifest[digest('sha512', PDF_V2)].push(`v2/content/${CATALOGUE}/附录.xml`))],
  ['content path outside any version directory', ['E023', 'E042'], (d) =>
    editInventories(d, HEAD, (inv) => moveContentPath(inv, `v2/content/${CATALOGUE}`, `extra/${CATALOGUE}`))],
  ['content path with a misspelt version directory', ['E014', 'E023'], (d) =>
    editInventories(d, HEAD, (inv) => moveContentPath(inv, `v1/content/${ATTACHMENT}`, `v01/content/${ATTACHMENT}`))],
  ['content path with a backslash', ['E023', 'E035'], (d) =>
    editInventories(d, HEAD, (inv) => moveContentPath(inv, `v2/content/${CATALOGUE}`, 'v2/content/元数据\\著录.xml'))],
  ['content path with ..', ['E023', 'E099'], (d) =>
    editInventories(d, HEAD, (inv) => moveContentPath(inv, `v2/content/${CATALOGUE}`, 'v2/content/元数据/../著录.xml'))],
  ['content path ending in a slash', ['E023', 'E100'], (d) =>
    editInventories(d, HEAD, (inv) => moveContentPath(inv, `v2/content/${CATALOGUE}`, `v2/content/${CATALOGUE}/`))],

  // Versions and states
  ['version without created', ['E048'], (d) => editAllInventories(d, (inv) => delete inv.versions.v1.created)],
  ['created without a time zone', ['E049'], (d) => editAllInventories(d, (inv) => (inv.versions.v1.created = '2024-01-15T09:30:00'))],
  ['created not to the second', ['E049'], (d) => editAllInventories(d, (inv) => (inv.versions.v1.created = '2024-01-15T09:30+08:00'))],
  ['state digest not in the manifest', ['E050'], (d) =>
    editInventories(d, HEAD, (inv) => (inv.versions.v2.state['ab'.repeat(64)] = ['其他.txt']))],
  ['logical path with ..', ['E052'], (d) => editInventories(d, HEAD, (inv) => moveLogicalPath(inv, 'v2', CATALOGUE, '元数据/../著录.xml'))],
  ['logical path with a leading slash', ['E053'], (d) => editInventories(d, HEAD, (inv) => moveLogicalPath(inv, 'v2', CATALOGUE, `/${CATALOGUE}`))],
  ['logical path used as file and directory', ['E095'], (d) =>
    editInventories(d, HEAD, (inv) => moveLogicalPath(inv, 'v2', CATALOGUE, `${ATTACHMENT}/著录.xml`))],
  ['logical path used twice', ['E095'], (d) => editInventories(d, HEAD, (inv) => moveLogicalPath(inv, 'v2', CATALOGUE, ATTACHMENT))],
  ['message that is not a string', ['E094'], (d) => editAllInventories(d, (inv) => (inv.versions.v1.message = 42))],
  ['version without message', ['W007'], (d) => editAllInventories(d, (inv) => delete inv.versions.v1.message)],
  ['user without name', ['E054'], (d) => editAllInventories(d, (inv) => delete inv.versions.v1.user.name)],
  ['user without address', ['W008'], (d) => editAllInventories(d, (inv) => delete inv.versions.v1.user.address)],
  ['user address that is not a URI', ['W009'], (d) =>
    editAllInventories(d, (inv) => (inv.versions.v1.user.address = 'zhangsan@example.org'))],

  // Fixity
  ['fixity that is not an object', ['E111'], (d) => editAllInventories(d, (inv) => (inv.fixity = null))],
  ['fixity algorithm nobody registered', ['E056'], (d) =>
    editAllInventories(d, (inv) => (inv.fixity.crc32 = { '1c291ca3': [`v1/content/${ATTACHMENT}`] }))],
  ['fixity content path not in the manifest', ['E057'], (d) =>
    editAllInventories(d, (inv) => (inv.fixity.sha256['ab'.repeat(32)] = ['v1/content/电子档案/不存在.txt']))],
  ['fixity digest repeated in another case', ['E097'], (d) =>
    editInventories(d, HEAD, (inv) => (inv.fixity.sha256[digest('sha256', PDF_V1).toUpperCase()] = [`v1/content/${PDF}`]))],
  ['sm3 fixity value that does not match', ['E093'], (d) =>
    editInventories(d, HEAD, (inv) => {
      delete inv.fixity.sm3[digest('sm3', CATALOGUE_XML)];
      inv.fixity.sm3['0'.repeat(64)] = [`v2/content/${CATALOGUE}`];
    })],
  ['sha256 fixity value that does not match', ['E093'], (d) =>
    editAllInventories(d, (inv) => {
      delete inv.fixity.sha256[digest('sha256', ATTACHMENT_TEXT)];
      inv.fixity.sha256['f'.repeat(64)] = [`v1/content/${ATTACHMENT}`];
    })],

  // Content against the manifest
  ['content file altered', ['E092', 'E093'], (d) => appendFile(join(d, 'v2/content', PDF), 'tampered')],
  ['content file missing', ['E092', 'E093'], (d) => rm(join(d, 'v1/content', ATTACHMENT))],

  // Sidecars and version inventories
  ['no sidecar', ['E058'], (d) => rm(join(d, 'inventory.json.sha512'))],
  ['no sidecar for a version inventory', ['E058'], (d) => rm(join(d, 'v1', 'inventory.json.sha512'))],
  ['sidecar named for another algorithm', ['E058', 'E059'], (d) => rename(join(d, 'inventory.json.sha512'), join(d, 'inventory.json.sha256'))],
  ['sidecar with the wrong digest', ['E060'], (d) => writeFile(join(d, 'inventory.json.sha512'), `${'0'.repeat(128)}  inventory.json\n`)],
  ['sidecar in the wrong format', ['E061'], async (d) => {
    const text = await readFile(join(d, 'inventory.json.sha512'), 'utf8');
    await writeFile(join(d, 'inventory.json.sha512'), text.split(' ')[0]!);
  }],
  ['no root inventory', ['E063'], async (d) => {
    await rm(join(d, 'inventory.json'));
    await rm(join(d, 'inventory.json.sha512'));
  }],
  ['root inventory differs from the head version copy', ['E064'], async (d) =>
    writeText(d, 'inventory.json', JSON.stringify(await readInventory(d)), 'sha512')],
  ['prior inventory with a different state', ['E066'], (d) =>
    editInventories(d, ['v1/inventory.json'], (inv) => moveLogicalPath(inv, 'v1', ATTACHMENT, '电子档案/附件一.txt'))],
  ['prior inventory with a different message', ['W011'], (d) =>
    editInventories(d, ['v1/inventory.json'], (inv) => (inv.versions.v1.message = '初次归档'))],
  ['version without its own inventory', ['W010'], async (d) => {
    await rm(join(d, 'v1', 'inventory.json'));
    await rm(join(d, 'v1', 'inventory.json.sha512'));
  }],

  // Extensions
  ['file in the extensions directory', ['E067'], async (d) => {
    await mkdir(join(d, 'extensions'));
    await writeFile(join(d, 'extensions', 'readme.txt'), 'x');
  }],
  ['unregistered extension directory', ['W013'], async (d) => {
    await mkdir(join(d, 'extensions', 'lantai-audit'), { recursive: true });
  }],
];

describe('validateObject on faulty copies of the sample archive', () => {
  it('covers at least 35 distinct codes', () => {
    expect(new Set(faults.flatMap(([, codes]) => codes)).size).toBeGreaterThanOrEqual(35);
  });

  it.each(faults)('%s → %j', async (_name, codes, mutate) => {
    const dir = await copyTemplate();
    await mutate(dir);
    const result = await validateObject(dir);
    expect(codesOf(result)).toEqual(codes);
    expect(result.valid).toBe(!codes.some((c) => c.startsWith('E')));
  });

  it.skipIf(!hasMkfifo)('reports a named pipe in content as E089 without opening it', async () => {
    const dir = await copyTemplate();
    execFileSync('mkfifo', [join(dir, 'v1/content/电子档案/管道')]);
    expect(codesOf(await validateObject(dir))).toEqual(['E089']);
  });
});

describe('validateObject on objects built differently', () => {
  const archive = sampleArchive();
  const third = { files: { [PDF]: PDF_V2, [CATALOGUE]: CATALOGUE_XML }, message: '删除附件', user: { name: '王五', address: 'mailto:wangwu@example.org' } };

  it('warns W004 for sha256 content addressing, and nothing else', async () => {
    expect(codesOf(await validateObject(await build({ ...archive, digestAlgorithm: 'sha256' })))).toEqual(['W004']);
  });

  it('accepts a custom contentDirectory set from the first version', async () => {
    expect(codesOf(await validateObject(await build({ ...archive, contentDirectory: 'data' })))).toEqual([]);
  });

  it('reports E019 when contentDirectory was not set in the first version', async () => {
    const dir = await build({ ...archive, contentDirectory: 'data' });
    await editInventories(dir, ['v1/inventory.json'], (inv) => delete inv.contentDirectory);
    expect(codesOf(await validateObject(dir))).toEqual(['E019', 'E042']);
  });

  it('reports E020 when contentDirectory changes between versions', async () => {
    const dir = await build({ ...archive, contentDirectory: 'data' });
    await editInventories(dir, ['v1/inventory.json'], (inv) => (inv.contentDirectory = 'files'));
    expect(codesOf(await validateObject(dir))).toEqual(['E020', 'E042']);
  });

  it('warns W003 for a content directory in a version that adds nothing', async () => {
    const dir = await build({ ...archive, versions: [...archive.versions, third] });
    expect(codesOf(await validateObject(dir))).toEqual([]);
    await mkdir(join(dir, 'v3', 'content'));
    expect(codesOf(await validateObject(dir))).toEqual(['W003']);
  });

  it('reports E103 when a later version declares an older OCFL version', async () => {
    const dir = await build({ ...archive, versions: [...archive.versions, third] });
    await editInventories(dir, ['v2/inventory.json'], (inv) => (inv.type = 'https://ocfl.io/1.0/spec/#inventory'));
    expect(codesOf(await validateObject(dir))).toEqual(['E103']);
  });

  it('reports E011 when zero-padded names run out of digits', async () => {
    const versions = Array.from({ length: 10 }, (_, i) => ({
      files: { '说明.txt': `第${i + 1}版` },
      message: `第${i + 1}版`,
      user: { name: '张三', address: 'mailto:zhangsan@example.org' },
    }));
    const dir = await build({ id: 'urn:lantai:padded', versions, padding: 2 });
    expect(codesOf(await validateObject(dir))).toEqual(['E011', 'W001']);
  });
});
