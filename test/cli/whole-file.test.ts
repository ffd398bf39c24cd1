/** Exports and backups are written whole or not at all, and a failed write says why and leaves nothing behind. */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileNotWritten, writeWholeFile } from '../../src/whole-file.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'ct-whole-file-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('writeWholeFile', () => {
  it('replaces a file with the whole new text and leaves no partial file', () => {
    const file = join(folder, 'setup.yaml');
    writeWholeFile(file, 'old: 1\n');
    writeWholeFile(file, 'new: 2\n');
    expect(readFileSync(file, 'utf8')).toBe('new: 2\n');
    expect(readdirSync(folder)).toEqual(['setup.yaml']);
  });

  it('refuses a folder that does not exist in words, writing nothing', () => {
    const file = join(folder, 'missing', 'setup.yaml');
    expect(() => writeWholeFile(file, 'x: 1\n')).toThrow(
      `Could not write ${file}: its folder does not exist. Nothing was written under that name; a file already there is as it was.`,
    );
    expect(readdirSync(folder)).toEqual([]);
  });

  it('removes its partial file when the last step fails, and leaves what is under the name as it was', () => {
    const file = join(folder, 'backup.tar.gz');
    mkdirSync(join(file, 'in-the-way'), { recursive: true });
    let refusal: unknown;
    try {
      writeWholeFile(file, Buffer.from('backup bytes'));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(FileNotWritten);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(readdirSync(file)).toEqual(['in-the-way']);
  });

  it('keeps the permissions of the file it replaces, a private export staying private', () => {
    const file = join(folder, 'setup.yaml');
    writeFileSync(file, 'old: 1\n');
    chmodSync(file, 0o600);
    writeWholeFile(file, 'new: 2\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new: 2\n');
  });

  it('writes through a symbolic link to the file it points to, keeping the link', () => {
    const real = join(folder, 'real.yaml');
    writeFileSync(real, 'old: 1\n');
    const link = join(folder, 'setup.yaml');
    symlinkSync(real, link);
    writeWholeFile(link, 'new: 2\n');
    expect(readFileSync(real, 'utf8')).toBe('new: 2\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});
