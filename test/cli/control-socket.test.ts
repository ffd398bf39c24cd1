/**
 * The command line talking to the app that owns the embedded database, over its unix socket: the
 * answers it gets back when the request is unreadable, a file was not sent, or the command fails
 * inside the app, and files the app writes travel back to where the command was typed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommand, serveCommandLine } from '../../src/cli/control-socket.js';
import { openPglite } from '../../src/db/client.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addCustomer } from '../support/fixtures.js';

const config = { currency: 'USD', orgTimeZone: 'UTC' };
let folder: string;
let database: TestDatabase;
let served: { close(): Promise<void> };
let socketPath: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'ct-socket-'));
  database = await createTestDatabase();
  await addCustomer(database.db, 'ACME');
  socketPath = join(folder, 'app.sock');
  served = await serveCommandLine({ socketPath, connection: database, config, log: silentLogger });
});
afterAll(async () => {
  await served.close();
  await database.drop();
  rmSync(folder, { recursive: true, force: true });
});

describe('the command-line socket', () => {
  it('answers a request it cannot read with an error, running nothing', async () => {
    const tooLong = Array.from({ length: 201 }, () => 'x');
    expect(await sendCommand(socketPath, { argv: tooLong, files: {} })).toEqual({
      code: 1,
      out: [],
      err: ['The app could not read that command.'],
      written: [],
    });
  });

  it('says a file the command names was not sent along', async () => {
    expect(await sendCommand(socketPath, { argv: ['import', 'setup.yaml'], files: {} })).toEqual({
      code: 1,
      out: [],
      err: ["Cannot read setup.yaml: ENOENT: no such file, open 'setup.yaml'"],
      written: [],
    });
  });

  it('sends back the file an export writes, for the command line to write where it was typed', async () => {
    const reply = await sendCommand(socketPath, { argv: ['export', 'out.yaml'], files: {} });
    expect(reply).toMatchObject({ code: 0, out: ['Wrote the setup to out.yaml.'], err: [] });
    expect(reply.written).toEqual([{ path: 'out.yaml', text: expect.stringContaining('code: ACME') }]);
  });

  it('reports a command that fails inside the app as one line, and keeps serving', async () => {
    const closed = await openPglite({ inMemory: true });
    await closed.close();
    const brokenPath = join(folder, 'broken.sock');
    const broken = await serveCommandLine({ socketPath: brokenPath, connection: closed, config, log: silentLogger });
    try {
      const reply = await sendCommand(brokenPath, { argv: ['migrate'], files: {} });
      expect(reply).toMatchObject({ code: 1, out: [] });
      expect(reply.err).toEqual([expect.stringMatching(/^The command failed in the app: .+/)]);
      expect(await sendCommand(brokenPath, { argv: ['help'], files: {} })).toMatchObject({ code: 0 });
    } finally {
      await broken.close();
    }
  });

  it('refuses an answer that is not a command result', async () => {
    const oddPath = join(folder, 'odd.sock');
    const odd = createServer((socket) => socket.on('data', () => socket.end('not a result\n')));
    await new Promise<void>((resolve) => odd.listen(oddPath, resolve));
    try {
      await expect(sendCommand(oddPath, { argv: ['help'], files: {} })).rejects.toThrow(
        'The app answered with something that is not a command result.',
      );
    } finally {
      await new Promise((resolve) => odd.close(resolve));
    }
  });

  it('fails when no app listens on the socket', async () => {
    await expect(sendCommand(join(folder, 'nobody.sock'), { argv: ['help'], files: {} })).rejects.toThrow(/ENOENT/);
  });
});
