import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { whyNotWritten } from '../file-system-errors.js';

/**
 * PGlite is a single-process database: two processes writing one data directory corrupt it (rows
 * vanish, indexes keep entries of rows that are gone). So one process owns a directory at a time,
 * recorded in a lock file next to it; the app also serves the command line through a socket there.
 */
export type DirectoryOwner = {
  pid: number;
  role: 'app' | 'cli';
  socket?: string;
  /** Which process had the pid (`processIdentity`): pids are reused, a restarted container's app is pid 1 again. */
  started?: string;
  /** The pid and time namespaces `pid` and `started` mean something in (`ourNamespaces`). */
  namespaces?: { pid: string; time: string };
};

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

/** The embedded database's folder cannot be used: not writable, read-only, a full disk. */
export class DirectoryUnusable extends Error {
  constructor(
    readonly dataDir: string,
    cause: unknown,
  ) {
    super(
      `Cannot use ${dataDir} for the embedded database: ${whyNotWritten(cause)}. ` +
        'Set PGLITE_DIR to a folder this user may write to, or let this user write to that one.',
      { cause },
    );
    this.name = 'DirectoryUnusable';
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
  try {
    // Recursive: the data directory's parents too, which PGlite does not make.
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DirectoryUnusable(dataDir, error);
  }
  const lockFile = join(folder, 'lock');
  const started = processIdentity(process.pid);
  const namespaces = ourNamespaces();
  const me: DirectoryOwner = {
    pid: process.pid,
    ...owner,
    ...(started && namespaces ? { started, namespaces } : {}),
  };

  // Written whole under a unique name, then linked into place: the link fails if a lock exists,
  // and a reader never sees a half-written file.
  const draft = join(folder, `lock.${process.pid}.${Date.now()}`);
  try {
    writeFileSync(draft, JSON.stringify(me), { mode: 0o600 });
  } catch (error) {
    throw new DirectoryUnusable(dataDir, error);
  }
  try {
    for (;;) {
      try {
        linkSync(draft, lockFile);
        return { owner: me, release: () => releaseIfMine(lockFile, me) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new DirectoryUnusable(dataDir, error);
      }
      const current = readOwner(lockFile);
      if (current && isRunning(current)) throw new DirectoryInUse(dataDir, current, lockFile);
      removeStaleLock(folder, lockFile, current);
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/** The process that owns `dataDir` now, if one runs. */
export function ownerOf(dataDir: string): DirectoryOwner | undefined {
  const owner = readOwner(join(controlDirectory(dataDir), 'lock'));
  return owner && isRunning(owner) ? owner : undefined;
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
    if (current?.pid === seen?.pid && current?.started === seen?.started && !(current && isRunning(current)))
      unlinkSync(lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    rmdirSync(marker);
  }
}

function releaseIfMine(lockFile: string, me: DirectoryOwner): void {
  const current = readOwner(lockFile);
  if (current?.pid === me.pid && current.started === me.started) rmSync(lockFile, { force: true });
}

function readOwner(lockFile: string): DirectoryOwner | undefined {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as DirectoryOwner;
  } catch {
    // Missing, or unreadable: a lock nobody can prove is held.
    return undefined;
  }
}

/**
 * Whether the process that wrote the lock still runs: its pid runs and, where its start time was
 * recorded in this pid and time namespace, it is the same process (a pid reused after a crash or a
 * reboot is not the owner). From another pid namespace (the owner in a container, or this process
 * in one) its pid may name any process here, and no process there may be visible from here, as for
 * two containers sharing a volume: only the pid is judged then, so such a lock is kept rather than
 * taken from an owner that may run, and the refusal says which file to delete if it does not.
 */
function isRunning(owner: DirectoryOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it runs, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const here = ourNamespaces();
  // A lock without its namespaces (written before they were recorded) may come from another container: pid alone.
  const comparable = owner.namespaces?.pid === here?.pid && owner.namespaces?.time === here?.time;
  if (owner.started === undefined || !comparable) return true;
  const now = processIdentity(owner.pid);
  return now === undefined || now === owner.started;
}

/** This process's pid and time namespaces, where Linux's /proc tells. */
function ourNamespaces(): { pid: string; time: string } | undefined {
  try {
    // A kernel without time namespaces has one clock for every process.
    const time = existsSync('/proc/self/ns/time') ? readlinkSync('/proc/self/ns/time') : 'none';
    return { pid: readlinkSync('/proc/self/ns/pid'), time };
  } catch {
    return undefined;
  }
}

/**
 * A process as more than its pid, where Linux's /proc tells: the boot and the process's start time
 * since that boot (field 22 of /proc/<pid>/stat). Undefined elsewhere, where the pid alone decides.
 */
function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces) start at field 3.
    const startTime = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .at(22 - 3);
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return startTime ? `${boot}:${startTime}` : undefined;
  } catch {
    return undefined;
  }
}
