/**
 * ClamAV for the virus check (DA/T 70 GD-4-2; stack-notes F11). clamd is preferred: each
 * clamscan start loads the whole signature database (tens of seconds and ~1 GB with real
 * signatures). Neither needs an npm package: clamd speaks INSTREAM over its UNIX socket, and
 * clamscan is run with a file list.
 *
 * Size limits: a file over ClamAV's scan limits is skipped silently and reported clean unless
 * the limit alerts. clamscan is run with raised limits and --alert-exceeds-max, and the
 * Heuristics.Limits.Exceeded alert becomes an error, not a verdict. For clamd the same must be
 * configured in clamd.conf (AlertExceedsMax yes; StreamMaxLength, MaxFileSize and MaxScanSize at
 * least the largest file); an over-long stream already comes back as an error.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanVerdict, VirusScanner } from './types.js';

const DEFAULT_SOCKETS = ['/run/clamav/clamd.ctl', '/var/run/clamav/clamd.ctl', '/run/clamd.scan/clamd.sock'];
const LIMIT_ALERT = /^Heuristics\.Limits\.Exceeded/;

function verdictFrom(path: string, reply: string): ScanVerdict {
  const found = /^(.*) FOUND$/.exec(reply);
  if (found && !LIMIT_ALERT.test(found[1] ?? '')) return { path, infected: true, signature: found[1] ?? '' };
  if (reply === 'OK' || reply === 'Empty file') return { path, infected: false };
  return { path, error: reply };
}

/** Sends one clamd command and returns its reply; clamd closes the connection after a z-command. */
function clamdCall(socketPath: string, timeoutMs: number, send: (socket: Socket) => Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    const reply = () => Buffer.concat(chunks).toString('utf8').replace(/\0+$/, '').trim();
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`clamd did not answer within ${timeoutMs} ms`)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // clamd answers and hangs up early on a size-limit error; the reply matters, not the broken pipe.
    socket.on('error', (e) => (chunks.length > 0 ? resolve(reply()) : reject(e)));
    socket.on('close', () => resolve(reply()));
    socket.on('connect', () => {
      send(socket).catch((e: unknown) => socket.destroy(e instanceof Error ? e : new Error(String(e))));
    });
  });
}

function writeAll(socket: Socket, data: Buffer): Promise<void> {
  if (socket.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (e?: Error) => {
      socket.off('drain', done);
      socket.off('close', closed);
      if (e) reject(e);
      else resolve();
    };
    const closed = () => done(new Error('clamd closed the connection'));
    socket.once('drain', done);
    socket.once('close', closed);
  });
}

export class ClamdScanner implements VirusScanner {
  readonly name: string;

  constructor(
    private readonly socketPath: string,
    private readonly timeoutMs = 120_000,
  ) {
    this.name = `clamd ${socketPath}`;
  }

  async ping(): Promise<boolean> {
    try {
      return (await clamdCall(this.socketPath, 5_000, async (s) => void s.end('zPING\0'))) === 'PONG';
    } catch {
      return false;
    }
  }

  async scan(paths: readonly string[]): Promise<ScanVerdict[]> {
    const out: ScanVerdict[] = [];
    for (const path of paths) {
      try {
        const reply = await clamdCall(this.socketPath, this.timeoutMs, async (socket) => {
          await writeAll(socket, Buffer.from('zINSTREAM\0'));
          for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
            const header = Buffer.alloc(4);
            header.writeUInt32BE((chunk as Buffer).length);
            await writeAll(socket, Buffer.concat([header, chunk as Buffer]));
          }
          socket.end(Buffer.alloc(4));
        });
        out.push(verdictFrom(path, reply.replace(/^stream: /, '')));
      } catch (e) {
        out.push({ path, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }
}

interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(binary: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && typeof e.code === 'string') resolve({ code: null, stdout, stderr, spawnError: e });
      else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 2) : 0, stdout, stderr });
    });
  });
}

export class ClamscanScanner implements VirusScanner {
  readonly name: string;

  /** `databaseDir` is passed as -d; without it clamscan uses its configured database. */
  constructor(
    private readonly binary = 'clamscan',
    private readonly databaseDir?: string,
    private readonly timeoutMs = 30 * 60_000,
  ) {
    this.name = databaseDir ? `${binary} -d ${databaseDir}` : binary;
  }

  async available(): Promise<boolean> {
    const r = await run(this.binary, ['--version'], 30_000);
    return r.code === 0;
  }

  async scan(paths: readonly string[]): Promise<ScanVerdict[]> {
    if (paths.length === 0) return [];
    const dir = await mkdtemp(join(tmpdir(), 'lantai-clamscan-'));
    try {
      const list = join(dir, 'files.txt');
      await writeFile(list, paths.join('\n') + '\n');
      const args = ['--no-summary', '--stdout', '--max-filesize=2047M', '--max-scansize=4000M', '--alert-exceeds-max=yes', `--file-list=${list}`];
      if (this.databaseDir) args.unshift('-d', this.databaseDir);
      const r = await run(this.binary, args, this.timeoutMs);
      if (r.spawnError) {
        const message = `${this.binary}: ${r.spawnError.code ?? r.spawnError.message}`;
        return paths.map((path) => ({ path, error: message }));
      }
      return this.parse(paths, r);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Lines are "<path>: <result>"; matching on the known paths keeps names with ": " intact. */
  private parse(paths: readonly string[], r: ExecResult): ScanVerdict[] {
    const byPath = new Map<string, ScanVerdict>();
    const ordered = [...paths].sort((a, b) => b.length - a.length);
    for (const line of r.stdout.split('\n')) {
      const path = ordered.find((p) => line.startsWith(p + ': '));
      if (path !== undefined && !byPath.has(path)) byPath.set(path, verdictFrom(path, line.slice(path.length + 2).trim()));
    }
    const failure = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ') || `exit code ${r.code}`;
    return paths.map((path) => byPath.get(path) ?? { path, error: failure });
  }
}

export interface ScannerOptions {
  /** clamd sockets to try, in order; default the Debian and Fedora locations. [] skips clamd. */
  clamdSockets?: readonly string[];
  /** The clamscan fallback; null skips it. */
  clamscan?: { binary?: string; databaseDir?: string } | null;
}

/** The first scanner that answers, or null when none is installed. */
export async function findScanner(options: ScannerOptions = {}): Promise<VirusScanner | null> {
  for (const socket of options.clamdSockets ?? DEFAULT_SOCKETS) {
    const clamd = new ClamdScanner(socket);
    if (await clamd.ping()) return clamd;
  }
  if (options.clamscan === null) return null;
  const clamscan = new ClamscanScanner(options.clamscan?.binary, options.clamscan?.databaseDir);
  return (await clamscan.available()) ? clamscan : null;
}
