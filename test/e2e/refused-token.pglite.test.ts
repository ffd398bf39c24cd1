/** `npm start` with a token Slack refuses: the process stops by itself and says what to fix. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

const run = promisify(execFile);
let work: string;
let fake: FakeSlack;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ct-refused-'));
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
  rmSync(work, { recursive: true, force: true });
});

describe('starting with a revoked token', () => {
  it('exits with code 1 after asking Slack once, with one error line that says to reinstall the app', async () => {
    fake.failNext('auth.test', { error: 'token_revoked' });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLACK_BOT_TOKEN: 'xoxb-revoked',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      PGLITE_DIR: join(work, 'pglite'),
    };
    delete env.DATABASE_URL;

    const failed = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot(), env }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string },
    );

    expect(failed?.code).toBe(1);
    const errors = failed!.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; message: string })
      .filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/token_revoked.*reinstall the app.*"Connect to Slack"/);
    expect(fake.callsTo('auth.test')).toHaveLength(1);
    // A first start migrates a new embedded database: slow on a loaded machine.
  }, 120_000);
});
