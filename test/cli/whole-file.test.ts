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
import { execFileSync } from 'node:child_process';
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

  it('keeps the permissions of the file it replaces, also those the umask would take away', () => {
    const file = join(folder, 'setup.yaml');
    writeFileSync(file, 'old: 1\n');
    chmodSync(file, 0o664);
    writeWholeFile(file, 'new: 2\n');
    expect(statSync(file).mode & 0o777).toBe(0o664);
  });

  it('writes through a symbolic link whose file does not exist yet, keeping the link', () => {
    mkdirSync(join(folder, 'shared'));
    const real = join(folder, 'shared', 'setup.yaml');
    const link = join(folder, 'setup.yaml');
    symlinkSync(real, link);
    writeWholeFile(link, 'new: 2\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new: 2\n');
  });

  it('refuses a write the file system cuts short (a file size limit, as a full disk does) and keeps the old file', () => {
    const file = join(folder, 'backup.bin');
    writeFileSync(file, 'old good backup\n');
    const script = join(folder, 'write.ts');
    writeFileSync(
      script,
      `import { writeWholeFile } from ${JSON.stringify(new URL('../../src/whole-file.ts', import.meta.url).pathname)};
       try { writeWholeFile(${JSON.stringify(file)}, Buffer.alloc(64 * 1024, 0x61), { mode: 0o600 }); console.log('written'); }
       catch (error) { console.log(error.name); }`,
    );
    // 16 blocks of 1 KiB at most: the write stops partway, as on a disk that fills up. Without the
    // signal it raises, a short write is what the program sees.
    const out = execFileSync(
      'bash',
      [
        '-c',
        `ulimit -f 16; trap '' XFSZ; ${new URL('../../node_modules/.bin/tsx', import.meta.url).pathname} ${script}`,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe('FileNotWritten');
    expect(readFileSync(file, 'utf8')).toBe('old good backup\n');
    expect(readdirSync(folder).sort()).toEqual(['backup.bin', 'write.ts']);
  });

  it('follows links as the kernel does: a relative target from the folder a link really is in, and a chain of them', () => {
    mkdirSync(join(folder, 'app'));
    mkdirSync(join(folder, 'real', 'conf'), { recursive: true });
    symlinkSync(join('..', 'real', 'conf'), join(folder, 'app', 'conf'));
    symlinkSync(join('..', 'setup.yaml'), join(folder, 'real', 'conf', 'setup.yaml'));
    writeWholeFile(join(folder, 'app', 'conf', 'setup.yaml'), 'through: folder\n');
    expect(readFileSync(join(folder, 'real', 'setup.yaml'), 'utf8')).toBe('through: folder\n');

    const real = join(folder, 'chained.yaml');
    symlinkSync(real, join(folder, 'middle.yaml'));
    symlinkSync(join(folder, 'middle.yaml'), join(folder, 'first.yaml'));
    writeWholeFile(join(folder, 'first.yaml'), 'through: chain\n');
    expect(lstatSync(join(folder, 'middle.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('through: chain\n');
  });

  it('gives the mode asked for also over a partial file a crash left behind', () => {
    const file = join(folder, 'backup.tar.gz');
    writeFileSync(`${file}.partial`, 'left by a crash');
    chmodSync(`${file}.partial`, 0o644);
    writeWholeFile(file, 'backup bytes', { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
