import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { projectRoot } from '../../src/project-root.js';

const valid = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(valid)).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      pgliteDir: join(projectRoot(), 'data', 'pglite'),
      orgTimeZone: 'UTC',
      currency: 'USD',
      adminUserIds: [],
      slack: { botToken: 'xoxb-1', signingSecret: 'secret', appToken: undefined },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...valid,
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
      PORT: '8080',
      DATABASE_URL: 'postgres://u@h/db',
      ORG_TIMEZONE: 'Europe/Berlin',
      CURRENCY: 'EUR',
      ADMIN_USER_IDS: 'U01A, U02B',
      FINANCE_CHANNEL: 'C0123',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u@h/db',
      orgTimeZone: 'Europe/Berlin',
      currency: 'EUR',
      adminUserIds: ['U01A', 'U02B'],
      financeChannel: 'C0123',
      slack: { appToken: 'xapp-1', apiUrl: 'http://127.0.0.1:9/api/' },
    });
  });

  it('lists every problem at once and points at the README for Slack credentials', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ORG_TIMEZONE: 'Mars/Olympus', CURRENCY: 'dollars', ADMIN_USER_IDS: 'alice' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'PORT',
      'ORG_TIMEZONE',
      'CURRENCY',
      'ADMIN_USER_IDS',
      'Connect to Slack',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('refuses three letters that are no currency, such as EUO, saying what it needs', () => {
    expect(() => loadConfig({ ...valid, CURRENCY: 'EUO' })).toThrow(
      'CURRENCY must be a three-letter ISO 4217 currency code such as USD or EUR',
    );
    expect(loadConfig({ ...valid, CURRENCY: 'KWD' }).currency).toBe('KWD');
  });

  it('publishes at most 100 App Homes a minute, Slack’s rate for views.publish, unless told', () => {
    expect(loadConfig(valid).homePublishesPerMinute).toBe(100);
    expect(loadConfig({ ...valid, APP_HOME_PUBLISHES_PER_MINUTE: '600' }).homePublishesPerMinute).toBe(600);
  });

  it('refuses operations settings out of range, saying what each accepts', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', ...env });
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
      return '';
    };
    for (const seconds of ['0', '601', 'ten']) {
      expect(problems({ SHUTDOWN_TIMEOUT_SECONDS: seconds })).toBe(
        'SHUTDOWN_TIMEOUT_SECONDS must be a number of seconds from 1 to 600, such as 10',
      );
    }
    expect(problems({ METRICS_ENABLED: 'yes' })).toBe('METRICS_ENABLED must be true or false');
    for (const perMinute of ['0', '100000', 'fast']) {
      expect(problems({ APP_HOME_PUBLISHES_PER_MINUTE: perMinute })).toBe(
        'APP_HOME_PUBLISHES_PER_MINUTE must be a number of App Home publishes a minute from 1 to 99999, such as 100',
      );
    }
    expect(problems({ LOG_LEVEL: 'loud' })).toBe('LOG_LEVEL must be debug, info, warn or error');
    expect(
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', METRICS_ENABLED: 'true' }).operations,
    ).toMatchObject({ metricsEnabled: true, shutdownTimeoutMs: 10_000 });
  });

  it('refuses an empty signing secret in HTTP mode but not in Socket Mode', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: '  ' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack.appToken).toBe('xapp-1');
  });
  it('refuses the sample values copied unchanged from .env.example, naming each variable', () => {
    const example = readFileSync(join(projectRoot(), '.env.example'), 'utf8');
    const sample = (name: string) => example.match(new RegExp(`^#? ?${name}=(.*)$`, 'm'))![1]!;
    let error: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: sample('SLACK_BOT_TOKEN'),
        SLACK_SIGNING_SECRET: sample('SLACK_SIGNING_SECRET'),
        SLACK_APP_TOKEN: sample('SLACK_APP_TOKEN'),
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']) {
      expect(problems).toMatch(new RegExp(`${name}.*example value`));
    }
  });
});
