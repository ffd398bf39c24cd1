import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import { writeWholeFile } from '../whole-file.js';
import { openPglite } from './client.js';

/**
 * Backups of the embedded database. A backup is PGlite's own dump of the data directory (a gzip
 * tarball), taken between two statements by the process that owns the directory, after a
 * checkpoint: committed work is in it, and a transaction still open is rolled back on restore.
 */
export async function backupPglite(client: PGlite, file: string): Promise<number> {
  await client.exec('checkpoint');
  const dump = await client.dumpDataDir('gzip');
  const bytes = Buffer.from(await dump.arrayBuffer());
  writeWholeFile(file, bytes, { mode: 0o600 });
  return bytes.length;
}

/**
 * Loads a backup into `dataDir`, which no process may own. A directory that already holds data is
 * moved aside (its new name is returned) rather than overwritten.
 */
export async function restorePglite(file: string, dataDir: string): Promise<{ movedAside?: string }> {
  const bytes = readFileSync(file);
  checkBackup(bytes);
  const dump = new Blob([bytes]);
  let movedAside: string | undefined;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    movedAside = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dataDir, movedAside);
  } else rmSync(dataDir, { recursive: true, force: true });
  try {
    const connection = await openPglite({ dataDir, role: 'cli', loadDataDir: dump });
    await connection.close();
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    if (movedAside) renameSync(movedAside, dataDir);
    throw error;
  }
  return movedAside ? { movedAside } : {};
}

/** A restore refused before anything moves: the file is no whole backup. */
class NotABackup extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotABackup';
  }
}

/**
 * Reads the whole backup before the directory is touched: a cut-off or damaged gzip, or a tarball
 * holding no database, is refused here, rather than failing halfway inside PGlite's loader.
 */
function checkBackup(bytes: Buffer): void {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NotABackup(
      code === 'Z_BUF_ERROR'
        ? 'the file is cut off, perhaps a copy that did not finish'
        : 'the file is not a gzip backup',
    );
  }
  if (!tar.includes('PG_VERSION')) throw new NotABackup('the archive holds no database');
}
