import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
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
  const dump = new Blob([readFileSync(file)]);
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
