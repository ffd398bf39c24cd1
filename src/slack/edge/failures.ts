import { ZodError } from 'zod';

/** Thrown by a listener whose payload does not hold what it needs (a missing option, a bad id). */
export class UnreadableRequest extends Error {
  constructor(what: string) {
    super(`unreadable request: ${what}`);
    this.name = 'UnreadableRequest';
  }
}

/**
 * Whether a listener failed on its input rather than on our code or an outage: a zod parse, a
 * JSON.parse of a value or private_metadata, or an explicit refusal. Those are the sender's
 * problem, logged at warn and answered "could not be read"; everything else is ours.
 */
export function isUnreadable(error: unknown): boolean {
  return error instanceof ZodError || error instanceof UnreadableRequest || error instanceof SyntaxError;
}

/** The parts of a failure worth a log line, without the values that caused it. */
export function describeUnreadable(error: unknown): string[] {
  if (error instanceof ZodError)
    return error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`);
  return [error instanceof Error ? error.message : String(error)];
}
