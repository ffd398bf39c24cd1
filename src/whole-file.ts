import {
  closeSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { whyNotWritten } from './file-system-errors.js';

/** A file that could not be written, saying why in words and that nothing under its name changed. */
export class FileNotWritten extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `Could not write ${file}: ${whyNotWritten(cause)}. Nothing was written under that name; a file already there is as it was.`,
      { cause },
    );
    this.name = 'FileNotWritten';
  }
}

/**
 * Writes a file whole or not at all: into `<file>.partial` beside it, every byte written (a disk
 * filling up fails the write rather than cutting it short) and flushed, then renamed over it. A
 * full disk or a crash never leaves a cut-off copy under the name (an export cut short still parses
 * as YAML), an earlier file there stays as it was, and a failed write leaves no partial file
 * behind. A file already there keeps its permissions (an export holds rates), and a symbolic link
 * is written through, to the file it points to.
 */
export function writeWholeFile(file: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  let target: string;
  try {
    target = linkTarget(file);
  } catch (error) {
    throw new FileNotWritten(file, error);
  }
  const existingMode = modeOf(target);
  const mode = options.mode ?? existingMode ?? 0o666;
  const draft = `${target}.partial`;
  try {
    // A draft a crash left behind would keep its own mode: made afresh, the mode asked for holds.
    rmSync(draft, { force: true });
    const fd = openSync(draft, 'wx', mode);
    try {
      // The umask trims the mode `openSync` is given; a mode asked for, or the file's own, is kept whole.
      if (options.mode !== undefined || existingMode !== undefined) fchmodSync(fd, mode);
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(draft, target);
  } catch (error) {
    try {
      rmSync(draft, { force: true });
    } catch {
      // Not a file this wrote (a folder of that name): left alone; the refusal below says what failed.
    }
    throw new FileNotWritten(file, error);
  }
}

/** Symbolic links followed at most, as the kernel does before it answers ELOOP. */
const MAX_LINKS = 40;

/**
 * Where a path leads: through its symbolic links, as the kernel follows them (each link's target
 * taken from the folder the link really is in), also to a file that does not exist yet.
 */
function linkTarget(file: string): string {
  let path = file;
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    try {
      if (!lstatSync(path).isSymbolicLink()) return realpathSync(path);
    } catch {
      return path; // Nothing there yet: written under this name.
    }
    path = resolve(realpathSync(dirname(path)), readlinkSync(path));
  }
  throw Object.assign(new Error(`${file}: too many symbolic links`), { code: 'ELOOP' });
}

/** The permissions of a file already there. */
function modeOf(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o7777;
  } catch {
    return undefined;
  }
}
