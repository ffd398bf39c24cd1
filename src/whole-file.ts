import { closeSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
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
 * Writes a file whole or not at all: into `<file>.partial` beside it, flushed to disk, then renamed
 * over it. A full disk or a crash never leaves a cut-off copy under the name (an export cut short
 * still parses as YAML), an earlier file there stays as it was, and a failed write leaves no
 * partial file behind. A file already there keeps its permissions (an export holds rates), and a
 * symbolic link is written through, to the file it points to.
 */
export function writeWholeFile(file: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  let target = file;
  let mode = options.mode ?? 0o666;
  try {
    target = realpathSync(file);
    mode = options.mode ?? statSync(target).mode & 0o7777;
  } catch {
    // Not there yet: written under its own name, with the mode asked for (less the umask).
  }
  const draft = `${target}.partial`;
  try {
    const fd = openSync(draft, 'w', mode);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
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
