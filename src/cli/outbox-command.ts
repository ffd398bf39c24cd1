import type { ServiceContext } from '../services/context.js';
import type { UndeliveredMessage } from '../services/outbox.js';
import { dismissUndeliveredMessages, listUndelivered, retryUndelivered } from '../services/undelivered.js';

export const OUTBOX_USAGE = `  outbox list          Slack messages not delivered: dead ones, and ones pending for over an hour
  outbox retry ID...   send dead messages again (after fixing the cause); --all for every dead one
  outbox dismiss ID... stop trying these messages`;

export type OutboxCommand =
  { action: 'list' } | { action: 'retry'; ids: number[] | 'all' } | { action: 'dismiss'; ids: number[] };

/** Reads `outbox …` arguments; a string says what was wrong. */
export function parseOutboxCommand(args: string[]): OutboxCommand | string {
  const [action, ...rest] = args;
  if (action === 'list') return rest.length === 0 ? { action } : 'outbox list takes no arguments.';
  if (action !== 'retry' && action !== 'dismiss') {
    return `outbox needs list, retry or dismiss, e.g. consultracker outbox list`;
  }
  if (action === 'retry' && rest.length === 1 && rest[0] === '--all') return { action, ids: 'all' };
  const bad = rest.filter((id) => !/^[1-9]\d{0,14}$/.test(id));
  if (rest.length === 0 || bad.length > 0) {
    return `outbox ${action} needs the ids that outbox list shows, e.g. consultracker outbox ${action} 42 43${bad.length ? ` (not an id: ${bad.join(', ')})` : ''}`;
  }
  return { action, ids: rest.map(Number) };
}

/** Lists, resends or dismisses undelivered Slack messages; returns the exit code. */
export async function runOutboxCommand(
  ctx: ServiceContext,
  command: OutboxCommand,
  io: { out: (text: string) => void; err: (text: string) => void },
): Promise<number> {
  if (command.action === 'list' || command.ids === 'all') {
    const listed = await listUndelivered(ctx, 1_000);
    if (!listed.ok) return refused(io, listed.error.message);
    const { count, recent } = listed.undelivered;
    if (command.action === 'list') {
      if (count === 0)
        io.out('Every Slack message was delivered or is on its way (none dead, none pending over an hour).');
      for (const message of recent) io.out(describe(message));
      if (count > recent.length) io.out(`… and ${count - recent.length} older.`);
      return 0;
    }
    return resend(
      ctx,
      recent.filter((m) => m.status === 'dead').map((m) => m.id),
      io,
    );
  }
  if (command.action === 'retry') return resend(ctx, command.ids, io);
  const dismissed = await dismissUndeliveredMessages(ctx, command.ids);
  if (!dismissed.ok) return refused(io, dismissed.error.message);
  if (dismissed.dismissed.length) io.out(`Dismissed ${list(dismissed.dismissed)}; they will not be sent.`);
  if (dismissed.skipped.length)
    io.err(`Not dismissed (not dead and not pending over an hour): ${list(dismissed.skipped)}.`);
  noSuch(dismissed.unknown, io);
  return dismissed.skipped.length || dismissed.unknown.length ? 1 : 0;
}

async function resend(ctx: ServiceContext, ids: number[], io: { out: (t: string) => void; err: (t: string) => void }) {
  if (ids.length === 0) {
    io.out('No dead messages to resend.');
    return 0;
  }
  const resent = await retryUndelivered(ctx, ids);
  if (!resent.ok) return refused(io, resent.error.message);
  if (resent.resent.length) io.out(`Queued ${list(resent.resent)} to be sent again, with a fresh delivery window.`);
  if (resent.skipped.length)
    io.err(`Not resent (only dead messages can be; pending ones are still being retried): ${list(resent.skipped)}.`);
  noSuch(resent.unknown, io);
  return resent.skipped.length || resent.unknown.length ? 1 : 0;
}

function noSuch(ids: number[], io: { err: (t: string) => void }): void {
  if (ids.length) io.err(`No ${list(ids)}: \`consultracker outbox list\` shows the ids of undelivered messages.`);
}

function refused(io: { err: (t: string) => void }, message: string): number {
  io.err(message);
  return 1;
}

const list = (ids: number[]) => `${ids.length === 1 ? 'message' : 'messages'} ${ids.join(', ')}`;

function describe(m: UndeliveredMessage): string {
  const sending = m.leasedUntil && m.leasedUntil > m.nextAttemptAt ? m.leasedUntil : undefined;
  const state =
    m.status === 'dead'
      ? 'dead'
      : sending
        ? `pending, being sent (claim held until ${sending.toISOString()})`
        : `pending, next try ${m.nextAttemptAt.toISOString()}`;
  return `${m.id}  ${m.kind} ${m.ref}  queued ${m.createdAt.toISOString()}  ${state} after ${m.attempts} attempts  ${m.lastError ?? ''}`.trimEnd();
}
