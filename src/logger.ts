import { type Writable } from 'node:stream';
import pino from 'pino';
import pretty from 'pino-pretty';
import { currentRequest, type RequestContext } from './request-context.js';

/**
 * Structured logs through pino: one JSON line per record (`time`, `level`, `message`, fields), or
 * coloured lines when a person watches a terminal. Every line logged while a Slack request runs
 * carries its id, user and command (a child logger per request, see request-context.ts); tokens
 * and the signing secret never reach the output.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines all carry `bindings`. */
  child(bindings: LogFields): Logger;
}

export type LoggerOptions = {
  /** Values to blank wherever they appear, e.g. the bot token and the signing secret. */
  secrets?: readonly (string | undefined)[];
  /** Coloured, human lines (pino-pretty); by default when standard output is a terminal. */
  pretty?: boolean;
};

const REDACTED = '[redacted]';
/** Slack tokens by their shape (bot, user, app, refresh, config), wherever they hide in a line. */
const TOKEN_SHAPE = /\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+/g;
/** Fields that hold secrets by name, at the top or one level down (e.g. `config.botToken`). */
const SECRET_KEYS = ['token', 'botToken', 'appToken', 'signingSecret', 'authorization', 'password'];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.headers.${key}`]);

export function createLogger(
  level: LogLevel = 'info',
  write?: (line: string) => void,
  options: LoggerOptions = {},
): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 8);
  const scrub = (line: string) => {
    let out = line.replace(TOKEN_SHAPE, REDACTED);
    for (const secret of secrets) out = out.split(secret).join(REDACTED);
    return out;
  };
  const destination = write
    ? ({ write: (line: string) => write(line.trimEnd()) } as unknown as Writable)
    : (options.pretty ?? process.stdout.isTTY)
      ? pretty({ colorize: true, messageKey: 'message', translateTime: 'SYS:HH:MM:ss.l', sync: true })
      : pino.destination({ dest: 1, sync: true });
  const base = pino(
    {
      level,
      messageKey: 'message',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
  return wrap(base, {});
}

/**
 * Keeps our call shape, `log.info(message, fields)`, over pino's `(fields, message)`. Inside a
 * request the line goes through that request's child logger.
 */
function wrap(base: pino.Logger, bindings: LogFields): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields = {}) => {
      // A request's child logger (and its redaction) is made only for a line that is written.
      if (!base.isLevelEnabled(level)) return;
      const request = currentRequest();
      const target = request ? requestLogger(base, request) : base;
      target[level]({ ...bindings, ...serialiseErrors(fields) }, message);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => wrap(base, { ...bindings, ...more }),
  };
}

const children = new WeakMap<RequestContext, { key: string; logger: pino.Logger }>();

/**
 * The request's child logger, made on its first line; made again if the middleware has named the
 * user or command since (the HTTP server opens the request before its body is read).
 */
function requestLogger(base: pino.Logger, request: RequestContext): pino.Logger {
  const { requestId, userId, command } = request;
  const key = `${requestId}\u0000${userId ?? ''}\u0000${command ?? ''}`;
  const known = children.get(request);
  if (known?.key === key) return known.logger;
  const logger = base.child({ requestId, ...(userId ? { userId } : {}), ...(command ? { command } : {}) });
  children.set(request, { key, logger });
  return logger;
}

function serialiseErrors(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? serialiseError(value) : value;
  }
  return out;
}

/** drizzle reports "Failed query: …" and keeps the database's own message in `cause`: log both. */
function serialiseError(error: Error): LogFields {
  const fields: LogFields = { name: error.name, message: error.message, stack: error.stack };
  if (error.cause instanceof Error) fields.cause = serialiseError(error.cause);
  else if (error.cause !== undefined) fields.cause = error.cause;
  return fields;
}

export const silentLogger: Logger = createLogger('silent', () => {});
