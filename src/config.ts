import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { projectRoot } from './project-root.js';
import { SLACK_HOME_PUBLISHES_PER_MINUTE } from './slack/publish-pace.js';
import { isCurrencyCode } from './domain/money.js';

const SETUP_HINT = 'See README.md, section "Connect to Slack", for where to find these values.';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be Slack user ids like U01ABCDEF');

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** The sample values .env.example ships with: copied unchanged, they can only fail at Slack. */
const EXAMPLE_PLACEHOLDERS = {
  SLACK_BOT_TOKEN: 'xoxb-your-bot-token',
  SLACK_SIGNING_SECRET: 'your-signing-secret',
  SLACK_APP_TOKEN: 'xapp-your-app-level-token',
} as const;

const environmentSchema = z
  .object({
    SLACK_BOT_TOKEN: optionalText.pipe(z.string().startsWith('xoxb-', 'must start with xoxb-').optional()),
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: optionalText.pipe(z.string().startsWith('xapp-', 'must start with xapp-').optional()),
    SLACK_API_URL: optionalText.pipe(z.url('must be a URL such as https://slack.com/api/').optional()),
    PORT: optionalText.pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, 'must be a port number such as 3000')
        .transform(Number)
        .refine((port) => port <= 65535, 'must be at most 65535')
        .default(3000),
    ),
    DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    // Relative to the project folder, so the app and a command typed elsewhere find the same data.
    PGLITE_DIR: optionalText.pipe(
      z
        .string()
        .default('data/pglite')
        .transform((dir) => resolve(projectRoot(), dir)),
    ),
    ORG_TIMEZONE: optionalText.pipe(
      z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
    ),
    CURRENCY: optionalText.pipe(
      z
        .string()
        .refine(isCurrencyCode, 'must be a three-letter ISO 4217 currency code such as USD or EUR')
        .default('USD'),
    ),
    ADMIN_USER_IDS: optionalText.pipe(
      z
        .string()
        .transform((list) =>
          list
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean),
        )
        .pipe(z.array(slackUserId))
        .default([]),
    ),
    // Slack shows a timeout after 3 s; past this a request is acked for its listener ("still working" for a command, whose answer then goes to response_url).
    ACK_DEADLINE_MS: optionalText.pipe(
      z
        .string()
        .regex(/^\d{1,4}$/, 'must be milliseconds such as 2000')
        .transform(Number)
        .refine((ms) => ms >= 100 && ms <= 2500, 'must be from 100 to 2500 (Slack allows 3000 ms for an ack)')
        .default(2000),
    ),
    FINANCE_CHANNEL: optionalText.pipe(
      z
        .string()
        .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id like C01ABCDEF')
        .optional(),
    ),
  })
  .superRefine((env, issues) => {
    const missing = (name: string, why: string) =>
      issues.addIssue({ code: 'custom', path: [name], message: `is required ${why}` });
    for (const [name, placeholder] of Object.entries(EXAMPLE_PLACEHOLDERS)) {
      if (env[name as keyof typeof EXAMPLE_PLACEHOLDERS] === placeholder) {
        issues.addIssue({
          code: 'custom',
          path: [name],
          message: `still has the example value "${placeholder}" from .env.example: replace it with your app's own`,
        });
      }
    }
    if (!env.SLACK_BOT_TOKEN) missing('SLACK_BOT_TOKEN', '(the Bot User OAuth Token, xoxb-...)');
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      missing('SLACK_SIGNING_SECRET', 'in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
    }
  });

/** Report rendering (issue 13): its own block so other settings can grow beside it. */
const reportEnvironmentSchema = z.object({
  REPORT_THREADS: optionalText.pipe(
    z
      .string()
      .regex(/^[1-8]$/, 'must be a number of threads from 1 to 8')
      .transform(Number)
      .default(1),
  ),
  REPORT_QUEUE: optionalText.pipe(
    z
      .string()
      .regex(/^\d{1,3}$/, 'must be how many reports may wait, from 0 to 999')
      .transform(Number)
      .default(10),
  ),
  REPORT_PDF_MAX_ROWS: optionalText.pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,6}$/, 'must be a number of rows such as 50000')
      .transform(Number)
      .default(50_000),
  ),
});

/**
 * Slack delivery (issue 19): how long the outbox keeps retrying a message through Slack failures,
 * and how many App Homes it publishes a minute at most.
 */
const deliveryEnvironmentSchema = z.object({
  OUTBOX_DELIVERY_WINDOW_HOURS: optionalText.pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,2}$/, 'must be a number of hours from 1 to 999, such as 24')
      .transform(Number)
      .default(24),
  ),
  APP_HOME_PUBLISHES_PER_MINUTE: optionalText.pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,4}$/, 'must be a number of App Home publishes a minute from 1 to 99999, such as 100')
      .transform(Number)
      .default(SLACK_HOME_PUBLISHES_PER_MINUTE),
  ),
});

/** Running it (issue 19): shutdown, logs, metrics, backups of the embedded database. */
const operationsEnvironmentSchema = z.object({
  SHUTDOWN_TIMEOUT_SECONDS: optionalText.pipe(
    z
      .string()
      .regex(/^\d{1,3}$/, 'must be a number of seconds from 1 to 600, such as 10')
      .transform(Number)
      .refine((seconds) => seconds >= 1 && seconds <= 600, 'must be a number of seconds from 1 to 600, such as 10')
      .default(10),
  ),
  LOG_LEVEL: optionalText.pipe(
    z.enum(['debug', 'info', 'warn', 'error'], 'must be debug, info, warn or error').default('info'),
  ),
  METRICS_ENABLED: optionalText.pipe(
    z
      .enum(['true', 'false'], 'must be true or false')
      .transform((value) => value === 'true')
      .default(false),
  ),
  BACKUP_DIR: optionalText.pipe(
    z
      .string()
      .transform((dir) => resolve(projectRoot(), dir))
      .optional(),
  ),
  BACKUP_AT: optionalText.pipe(
    z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 02:30')
      .default('02:30'),
  ),
  BACKUP_KEEP: optionalText.pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,2}$/, 'must be how many nightly backups to keep, from 1 to 999')
      .transform(Number)
      .default(7),
  ),
});

export type OperationsConfig = {
  shutdownTimeoutMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Serve GET /metrics (Prometheus) on PORT. */
  metricsEnabled: boolean;
  /** Nightly backups of the embedded database: where, when (HH:MM in the firm's zone), how many kept. */
  backup: { dir: string; at: string; keep: number } | undefined;
};

export type ReportConfig = { threads: number; queueLimit: number; pdfRowLimit: number };

export type Config = {
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  port: number;
  databaseUrl: string | undefined;
  pgliteDir: string;
  orgTimeZone: string;
  currency: string;
  adminUserIds: string[];
  financeChannel: string | undefined;
  /** How long a listener may work before the edge acks for it (a command then answers through response_url). */
  ackDeadlineMs: number;
  reports: ReportConfig;
  /** How long a message is retried through transient Slack failures before it is dead. */
  deliveryWindowHours: number;
  /** The most App Homes published a minute (Slack's rate for views.publish). */
  homePublishesPerMinute: number;
  operations: OperationsConfig;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`ConsulTracker cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = environmentSchema.safeParse(env);
  const reports = reportEnvironmentSchema.safeParse(env);
  const delivery = deliveryEnvironmentSchema.safeParse(env);
  const operations = operationsEnvironmentSchema.safeParse(env);
  if (!parsed.success || !reports.success || !delivery.success || !operations.success) {
    const issues = [
      ...(parsed.error?.issues ?? []),
      ...(reports.error?.issues ?? []),
      ...(delivery.error?.issues ?? []),
      ...(operations.error?.issues ?? []),
    ];
    const problems = issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    if (issues.some((issue) => String(issue.path[0]).startsWith('SLACK_'))) problems.push(SETUP_HINT);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN!,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL && (e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`),
    },
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    pgliteDir: e.PGLITE_DIR,
    orgTimeZone: e.ORG_TIMEZONE,
    currency: e.CURRENCY,
    adminUserIds: e.ADMIN_USER_IDS,
    financeChannel: e.FINANCE_CHANNEL,
    ackDeadlineMs: e.ACK_DEADLINE_MS,
    reports: {
      threads: reports.data.REPORT_THREADS,
      queueLimit: reports.data.REPORT_QUEUE,
      pdfRowLimit: reports.data.REPORT_PDF_MAX_ROWS,
    },
    deliveryWindowHours: delivery.data.OUTBOX_DELIVERY_WINDOW_HOURS,
    homePublishesPerMinute: delivery.data.APP_HOME_PUBLISHES_PER_MINUTE,
    operations: {
      shutdownTimeoutMs: operations.data.SHUTDOWN_TIMEOUT_SECONDS * 1000,
      logLevel: operations.data.LOG_LEVEL,
      metricsEnabled: operations.data.METRICS_ENABLED,
      backup: operations.data.BACKUP_DIR
        ? { dir: operations.data.BACKUP_DIR, at: operations.data.BACKUP_AT, keep: operations.data.BACKUP_KEEP }
        : undefined,
    },
  };
}

/** The settings the command line needs: the database and the firm's defaults, no Slack. */
export function loadDatabaseConfig(
  env: NodeJS.ProcessEnv,
): Pick<Config, 'databaseUrl' | 'pgliteDir' | 'orgTimeZone' | 'currency' | 'adminUserIds'> {
  const parsed = environmentSchema.safeParse({
    SLACK_BOT_TOKEN: 'xoxb-unused',
    SLACK_APP_TOKEN: 'xapp-unused',
    ...pickDatabaseVariables(env),
  });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return {
    databaseUrl: parsed.data.DATABASE_URL,
    pgliteDir: parsed.data.PGLITE_DIR,
    orgTimeZone: parsed.data.ORG_TIMEZONE,
    currency: parsed.data.CURRENCY,
    adminUserIds: parsed.data.ADMIN_USER_IDS,
  };
}

function pickDatabaseVariables(env: NodeJS.ProcessEnv) {
  const { DATABASE_URL, PGLITE_DIR, ORG_TIMEZONE, CURRENCY, ADMIN_USER_IDS } = env;
  return { DATABASE_URL, PGLITE_DIR, ORG_TIMEZONE, CURRENCY, ADMIN_USER_IDS };
}

/** Reads `.env` from the working directory, else from the project folder; the environment wins. */
export function loadEnvironmentFile(): void {
  const file = [join(process.cwd(), '.env'), join(projectRoot(), '.env')].find((path) => existsSync(path));
  if (file) process.loadEnvFile(file);
}
