import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { whyNotWritten } from './file-system-errors.js';

/** A file that could not be written, saying why in words and that nothing under its name changed. */
export class FileNotWritten extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `Could not write ${file}: ${whyNotWritten(cause)}. Nothing was written under that name; a file already there is as it was.`,
      {
        cause,
      },
    );
    this.name = 'FileNotWritten';
  }
}

/**
 * Writes a file whole or not at all: into `<file>.partial` beside it, then renamed over it. A full
 * disk or a crash never leaves a cut-off copy under the name (an export cut short still parses as
 * YAML), an earlier file there stays as it was, and a failed write leaves no partial file behind.
 */
export function writeWholeFile(file: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  const draft = `${file}.partial`;
  try {
    writeFileSync(draft, data, options);
    renameSync(draft, file);
  } catch (error) {
    try {
      rmSync(draft, { force: true });
    } catch {
      // Not a file this wrote (a folder of that name): left alone; the refusal below says what failed.
    }
    throw new FileNotWritten(file, error);
  }
}
