/**
 * The lock that keeps a second process off an embedded database directory: who is named when it
 * is refused, which leftover locks are taken over (a dead owner's, an unreadable file, a takeover
 * marker from a crash), and that releasing never removes another process's lock.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  controlDirectory,
  controlSocketPath,
  DirectoryInUse,
  DirectoryUnusable,
  lockDataDirectory,
  ownerOf,
} from '../../src/db/directory-lock.js';

/** No process has this id: Linux pids stay below 2^22. */
const DEAD_PID = 99_999_999;
let root: string;
let dataDir: string;
const lockFile = () => join(controlDirectory(dataDir), 'lock');
const leaveLock = (text: string) => {
  mkdirSync(controlDirectory(dataDir), { recursive: true });
  writeFileSync(lockFile(), text);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ct-lock-'));
  dataDir = join(root, 'pglite');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the data directory lock', () => {
  it('keeps its lock and socket in a folder beside the data directory', () => {
    expect(controlDirectory(dataDir)).toBe(`${dataDir}.control`);
    expect(controlSocketPath(dataDir)).toBe(join(`${dataDir}.control`, 'socket'));
  });

  it('names the live app holding the directory and the lock file to delete if it does not run', () => {
    const held = lockDataDirectory(dataDir, { role: 'app', socket: controlSocketPath(dataDir) });
    expect(ownerOf(dataDir)).toEqual({
      pid: process.pid,
      role: 'app',
      socket: controlSocketPath(dataDir),
      started: expect.any(String),
      namespaces: { pid: expect.any(String), time: expect.any(String) },
    });
    let refusal: unknown;
    try {
      lockDataDirectory(dataDir, { role: 'cli' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DirectoryInUse);
    expect((refusal as Error).message).toBe(
      `The embedded database ${dataDir} is in use by the ConsulTracker app (pid ${process.pid}). Only one process may open it. If no such process runs, delete ${lockFile()}.`,
    );
    held.release();
    expect(existsSync(lockFile())).toBe(false);
    expect(ownerOf(dataDir)).toBeUndefined();
  });

  it('names a command-line owner as a consultracker command', () => {
    leaveLock(JSON.stringify({ pid: 1, role: 'cli' }));
    expect(() => lockDataDirectory(dataDir, { role: 'app' })).toThrow(
      `is in use by a consultracker command (pid 1). Only one process may open it.`,
    );
  });

  it('takes over the lock of a process that no longer runs, and of an unreadable lock file', () => {
    leaveLock(JSON.stringify({ pid: DEAD_PID, role: 'app' }));
    expect(ownerOf(dataDir)).toBeUndefined();
    const first = lockDataDirectory(dataDir, { role: 'cli' });
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toEqual({
      pid: process.pid,
      role: 'cli',
      started: expect.any(String),
      namespaces: { pid: expect.any(String), time: expect.any(String) },
    });
    first.release();
    leaveLock('{"pid": 12');
    const second = lockDataDirectory(dataDir, { role: 'app' });
    expect(second.owner).toMatchObject({ pid: process.pid, role: 'app', started: expect.any(String) });
    second.release();
  });

  it('takes over a lock whose pid now belongs to another process of the same namespaces (a pid reused)', () => {
    const mine = lockDataDirectory(dataDir, { role: 'cli' });
    const namespaces = mine.owner.namespaces;
    mine.release();
    leaveLock(JSON.stringify({ pid: process.pid, role: 'app', started: 'an-earlier-boot:12345', namespaces }));
    expect(ownerOf(dataDir)).toBeUndefined();
    const lock = lockDataDirectory(dataDir, { role: 'app' });
    expect(lock.owner.started).not.toBe('an-earlier-boot:12345');
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('keeps a lock written before namespaces were recorded while its pid runs: it may be another container’s', () => {
    leaveLock(JSON.stringify({ pid: 1, role: 'app', started: 'other-container-boot:1' }));
    expect(ownerOf(dataDir)).toMatchObject({ pid: 1, role: 'app' });
  });

  it('keeps the lock of an owner in another pid namespace whose pid runs here: two containers may share a volume', () => {
    leaveLock(JSON.stringify({ pid: 1, role: 'app', started: 'boot:1', namespaces: { pid: 'pid:[1]', time: 'none' } }));
    expect(ownerOf(dataDir)).toMatchObject({ pid: 1, role: 'app' });
    expect(() => lockDataDirectory(dataDir, { role: 'cli' })).toThrow(DirectoryInUse);
  });

  it('refuses a lock of this pid namespace whose pid runs when its start time was taken in another time namespace', () => {
    const mine = lockDataDirectory(dataDir, { role: 'cli' });
    const pid = mine.owner.namespaces!.pid;
    mine.release();
    leaveLock(
      JSON.stringify({ pid: process.pid, role: 'app', started: 'boot:1', namespaces: { pid, time: 'time:[1]' } }),
    );
    expect(ownerOf(dataDir)).toMatchObject({ pid: process.pid });
  });

  it('clears a takeover marker a crash left behind long ago, then takes the stale lock over', () => {
    leaveLock(JSON.stringify({ pid: DEAD_PID, role: 'app' }));
    const marker = join(controlDirectory(dataDir), 'takeover');
    mkdirSync(marker);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(marker, longAgo, longAgo);
    const lock = lockDataDirectory(dataDir, { role: 'app' });
    expect(lock.owner.pid).toBe(process.pid);
    expect(existsSync(marker)).toBe(false);
    lock.release();
  });

  it('does not remove a lock another process holds now when an old holder releases', () => {
    const lock = lockDataDirectory(dataDir, { role: 'app' });
    leaveLock(JSON.stringify({ pid: 1, role: 'cli' }));
    lock.release();
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toEqual({ pid: 1, role: 'cli' });
  });
});

describe('a data directory that cannot be used', () => {
  it('names the folder, says why in words and which setting to change', () => {
    // A file where the lock's folder would go: the folder cannot be made (ENOTDIR or EEXIST).
    const blocked = join(root, 'file-not-folder');
    writeFileSync(blocked, 'not a folder');
    const inside = join(blocked, 'pglite');
    expect(() => lockDataDirectory(inside, { role: 'app' })).toThrow(DirectoryUnusable);
    // Deeper down too: the folders above the data directory are made with the lock's.
    expect(() => lockDataDirectory(join(blocked, 'sub', 'pglite'), { role: 'app' })).toThrow(DirectoryUnusable);
    expect(() => lockDataDirectory(inside, { role: 'app' })).toThrow(
      new RegExp(
        `^Cannot use ${inside} for the embedded database: .+\\. Set PGLITE_DIR to a folder this user may write to`,
      ),
    );
  });
});
