import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { z } from 'zod';
import type { DatabaseConnection } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type CliIo, runCli } from './commands.js';

/**
 * While the app owns the embedded database, the command line runs through it: `consultracker
 * import` sends its command (and the files it names) over a unix socket beside the data directory,
 * and the app runs it on its own connection. PGlite then has one writer, and the app's transactions
 * and the command's never interleave. The socket's folder is readable by its owner only.
 */
const request = z.object({
  argv: z.array(z.string()).max(200), // `outbox retry` takes many ids
  files: z.record(z.string(), z.string()),
});

const reply = z.object({
  code: z.number().int(),
  out: z.array(z.string()),
  err: z.array(z.string()),
  written: z.array(z.object({ path: z.string(), text: z.string() })),
});

export type CommandRequest = z.infer<typeof request>;
export type CommandReply = z.infer<typeof reply>;

/** Serves command-line requests on `socketPath` with the app's database connection. */
export async function serveCommandLine(options: {
  socketPath: string;
  connection: DatabaseConnection;
  config: { currency: string; orgTimeZone: string };
  log: Logger;
}): Promise<{ close(): Promise<void> }> {
  const { socketPath, connection, config, log } = options;
  // We hold the directory's lock, so a socket file left here belongs to a process that died.
  rmSync(socketPath, { force: true });
  const shared = { ...connection, close: () => Promise.resolve() };
  const server: Server = createServer((socket) => {
    let body = '';
    socket.setEncoding('utf8');
    socket.on('error', (error) => log.warn('command-line connection failed', { error }));
    socket.on('data', (chunk: string) => {
      body += chunk;
      if (!body.endsWith('\n')) return;
      void answer(body).then((text) => socket.end(`${text}\n`));
    });
  });

  async function answer(body: string): Promise<string> {
    const parsed = request.safeParse(safeJson(body));
    if (!parsed.success) {
      return JSON.stringify({ code: 1, out: [], err: ['The app could not read that command.'], written: [] });
    }
    const result: CommandReply = { code: 1, out: [], err: [], written: [] };
    const io: CliIo = {
      out: (text) => result.out.push(text),
      err: (text) => result.err.push(text),
      read: (path) => {
        const text = parsed.data.files[path];
        if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
        return text;
      },
      write: (path, text) => result.written.push({ path, text }),
    };
    try {
      log.info('running a command for the command line', { command: parsed.data.argv[0] });
      result.code = await runCli(parsed.data.argv, io, () => Promise.resolve(shared), config);
    } catch (error) {
      log.error('a command-line command failed', { error });
      result.err.push(`The command failed in the app: ${describeError(error)}`);
    }
    return JSON.stringify(result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        rmSync(socketPath, { force: true });
      }),
  };
}

/** Sends a command to the app that owns the database and waits for its answer. */
export function sendCommand(socketPath: string, command: CommandRequest): Promise<CommandReply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let body = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    socket.on('data', (chunk: string) => (body += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const parsed = reply.safeParse(safeJson(body));
      if (parsed.success) resolve(parsed.data);
      else reject(new Error('The app answered with something that is not a command result.'));
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The database's own message travels in `cause` when drizzle reports "Failed query". */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message.split('\n')[0]}: ${cause}` : error.message;
}
