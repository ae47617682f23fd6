/**
 * Path rules shared by the unpacker, the directory scan and the BagIt validator: what a relative
 * path inside a transfer may look like, and which paths would land on the same file once copied
 * to a case-insensitive or normalising filesystem (Windows, macOS, most USB media).
 */

export type PathProblem =
  | 'empty'
  | 'absolute'
  | 'escape'
  | 'nul'
  | 'control'
  | 'backslash'
  | 'empty-segment'
  | 'dot-segment'
  | 'too-long';

/** Linux and Windows both stop at 255 bytes (UTF-8) or UTF-16 units per name; bytes is the stricter. */
const MAX_SEGMENT_BYTES = 255;

/**
 * The first rule `path` breaks, or null. `path` uses `/` between segments and has no trailing
 * slash. The order matters for the report: an escape spelt with backslashes (`..\evil`) is called
 * an escape, not merely a backslash.
 */
export function pathProblem(path: string): PathProblem | null {
  if (path === '') return 'empty';
  if (path.includes('\0')) return 'nul';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return 'absolute';
  const segments = path.split(/[/\\]/);
  if (segments.includes('..')) return 'escape';
  // Tabs, newlines and other C0 controls are legal on Linux but break manifests, logs and Windows.
  if (/[\u0001-\u001f\u007f]/.test(path)) return 'control';
  if (path.includes('\\')) return 'backslash';
  if (segments.includes('')) return 'empty-segment';
  if (segments.includes('.')) return 'dot-segment';
  if (segments.some((s) => Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES)) return 'too-long';
  return null;
}

/** zh/en wording for each problem, for messages that name the offending path. */
export const PATH_PROBLEM_TEXT: Record<PathProblem, { zh: string; en: string }> = {
  empty: { zh: '路径为空', en: 'the path is empty' },
  absolute: { zh: '是绝对路径（以“/”“\\”或盘符开头）', en: 'is absolute (starts with "/", "\\" or a drive letter)' },
  escape: { zh: '含有“..”路径段，会指向目标目录之外', en: 'contains a ".." segment that points outside the target' },
  nul: { zh: '含有空字符（NUL）', en: 'contains a NUL character' },
  control: { zh: '含有换行、制表符等控制字符', en: 'contains a control character such as a newline or tab' },
  backslash: { zh: '含有反斜杠“\\”，Windows 会把它当作路径分隔符', en: 'contains a backslash, which Windows reads as a path separator' },
  'empty-segment': { zh: '含有空路径段（“//”）', en: 'contains an empty segment ("//")' },
  'dot-segment': { zh: '含有“.”路径段', en: 'contains a "." segment' },
  'too-long': { zh: `有一段名称超过 ${MAX_SEGMENT_BYTES} 字节`, en: `has a name longer than ${MAX_SEGMENT_BYTES} bytes` },
};

export type CollisionKind = 'exact' | 'case' | 'normalization' | 'file-directory';

export interface PathCollision {
  kind: CollisionKind;
  /** The path seen first, spelt as it was given. */
  first: string;
  /** The later path that collides with it, spelt as it was given. */
  second: string;
}

/** Same key ⇒ same file on NTFS, APFS/HFS+ or exFAT. Lower-casing after NFC approximates their folding. */
const collisionKey = (path: string) => path.normalize('NFC').toLowerCase();

/**
 * Pairs of paths that would overwrite or merge with each other on a case-insensitive or
 * normalising filesystem, including a file whose name is also used as a directory by another
 * path (`a` and `a/b`). Parent directories count even when only implied by a deeper path.
 * Listing the same directory twice is harmless and not reported.
 */
export function findPathCollisions(paths: Iterable<{ path: string; type: 'file' | 'directory' }>): PathCollision[] {
  const seen = new Map<string, { path: string; type: 'file' | 'directory' }>();
  const found: PathCollision[] = [];
  const visit = (path: string, type: 'file' | 'directory') => {
    const key = collisionKey(path);
    const prior = seen.get(key);
    if (!prior) {
      seen.set(key, { path, type });
      return;
    }
    if (prior.path !== path) {
      const kind = prior.path.normalize('NFC') === path.normalize('NFC') ? 'normalization' : 'case';
      found.push({ kind, first: prior.path, second: path });
    } else if (prior.type !== type) {
      found.push({ kind: 'file-directory', first: prior.path, second: path });
    } else if (type === 'file') {
      found.push({ kind: 'exact', first: prior.path, second: path });
    }
  };
  for (const { path, type } of paths) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) visit(segments.slice(0, i).join('/'), 'directory');
    visit(path, type);
  }
  return dedupe(found);
}

/** A conflicting parent directory shows up once per file beneath it; report it once. */
function dedupe(collisions: PathCollision[]): PathCollision[] {
  const keys = new Set<string>();
  return collisions.filter((c) => {
    const key = `${c.kind}\0${c.first}\0${c.second}`;
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}
