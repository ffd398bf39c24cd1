import { linkSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is a single-process database: two processes writing one data directory corrupt it (rows
 * vanish, indexes keep entries of rows that are gone). So one process owns a directory at a time,
 * recorded in a lock file next to it; the app also serves the command line through a socket there.
 */
export type DirectoryOwner = { pid: number; role: 'app' | 'cli'; socket?: string };

export type DirectoryLock = { owner: DirectoryOwner; release(): void };

export class DirectoryInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DirectoryOwner,
    readonly lockFile: string,
  ) {
    super(
      `The embedded database ${dataDir} is in use by ${owner.role === 'app' ? 'the ConsulTracker app' : 'a consultracker command'} (pid ${owner.pid}). ` +
        `Only one process may open it. If no such process runs, delete ${lockFile}.`,
    );
    this.name = 'DirectoryInUse';
  }
}

/** The private folder (owner-only) beside a data directory holding its lock and control socket. */
export function controlDirectory(dataDir: string): string {
  return `${dataDir}.control`;
}

export function controlSocketPath(dataDir: string): string {
  return join(controlDirectory(dataDir), 'socket');
}

// A takeover interrupted by a crash leaves its marker behind; after this long it is ignored.
const TAKEOVER_MARKER_MAX_AGE_MS = 10_000;

/**
 * Claims `dataDir` for this process, or throws DirectoryInUse naming the live owner. A lock left by
 * a process that no longer runs is taken over; two processes taking over the same stale lock at
 * once are serialised by a marker directory, so exactly one wins.
 */
export function lockDataDirectory(dataDir: string, owner: Omit<DirectoryOwner, 'pid'>): DirectoryLock {
  const folder = controlDirectory(dataDir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const lockFile = join(folder, 'lock');
  const me: DirectoryOwner = { pid: process.pid, ...owner };

  // Written whole under a unique name, then linked into place: the link fails if a lock exists,
  // and a reader never sees a half-written file.
  const draft = join(folder, `lock.${process.pid}.${Date.now()}`);
  writeFileSync(draft, JSON.stringify(me), { mode: 0o600 });
  try {
    for (;;) {
      try {
        linkSync(draft, lockFile);
        return { owner: me, release: () => releaseIfMine(lockFile, me) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readOwner(lockFile);
      if (current && isRunning(current.pid)) throw new DirectoryInUse(dataDir, current, lockFile);
      removeStaleLock(folder, lockFile, current);
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/** The process that owns `dataDir` now, if one runs. */
export function ownerOf(dataDir: string): DirectoryOwner | undefined {
  const owner = readOwner(join(controlDirectory(dataDir), 'lock'));
  return owner && isRunning(owner.pid) ? owner : undefined;
}

function removeStaleLock(folder: string, lockFile: string, seen: DirectoryOwner | undefined): void {
  const marker = join(folder, 'takeover');
  try {
    mkdirSync(marker);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (Date.now() - statSync(marker).mtimeMs > TAKEOVER_MARKER_MAX_AGE_MS) rmSync(marker, { recursive: true });
    return; // Someone else is taking it over: look again.
  }
  try {
    // Still the lock we judged stale (not one a faster process has just taken)?
    const current = readOwner(lockFile);
    if (current?.pid === seen?.pid && !(current && isRunning(current.pid))) unlinkSync(lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    rmdirSync(marker);
  }
}

function releaseIfMine(lockFile: string, me: DirectoryOwner): void {
  if (readOwner(lockFile)?.pid === me.pid) rmSync(lockFile, { force: true });
}

function readOwner(lockFile: string): DirectoryOwner | undefined {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as DirectoryOwner;
  } catch {
    // Missing, or unreadable: a lock nobody can prove is held.
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
