/**
 * Signed `/log` load for the throughput benchmarks: closed-loop clients (each sends its next
 * request when the ack is in) spread over one or more app instances, an open loop at a fixed
 * rate, and the check that every confirmed request was saved exactly once.
 */
import { sql } from 'drizzle-orm';
import { type DatabaseConnection, queryRows } from '../src/db/client.js';
import { commandAnswer } from '../test/support/command-answer.js';
import type { FakeSlack } from '../test/support/fake-slack.js';
import type { SlackClientSimulator } from '../test/support/slack-requests.js';
import { quantile } from './figures.js';

const SLACK_ACK_MS = 3000;

export type Round = { perSecond: number; p50: number; p99: number; late: number; requests: number };
export type LoadRequest = { text: string; ok: RegExp; description?: string };

export class LogLoad {
  /** Every `/log` an app confirmed, by its description (in the ack, or later through response_url). */
  readonly confirmed = new Set<string>();
  /** `/log` acked "Saving…": the description, by the response_url where its answer goes. */
  private readonly savingByUrl = new Map<string, string>();
  private sent = 0;
  private user = 0;

  constructor(
    private readonly fake: FakeSlack,
    private readonly people: string[],
    /** Projects a person may log on, by user id. */
    private readonly projectOf: (userId: string) => string,
  ) {}

  /** Sends requests from `concurrency` clients, client i to instance i mod n, for `seconds`. */
  async closedLoop(
    instances: SlackClientSimulator[],
    concurrency: number,
    seconds: number,
    next: (userId: string) => LoadRequest = (userId) => this.logRequest(userId),
  ): Promise<Round> {
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, client) => {
        const slack = instances[client % instances.length]!;
        while (performance.now() < until) latencies.push(await this.send(slack, next));
      }),
    );
    return roundOf(latencies, (performance.now() - started) / 1000);
  }

  /**
   * Sends `perSecond` requests a second, evenly spaced, for `seconds`, each without waiting for the
   * ones before (as people do): the ack latency at a given rate, queueing included.
   */
  async openLoop(slack: SlackClientSimulator, perSecond: number, seconds: number): Promise<Round> {
    const started = performance.now();
    const sends: Promise<number>[] = [];
    for (let i = 0; i < Math.round(perSecond * seconds); i++) {
      const due = started + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sends.push(this.send(slack, (userId) => this.logRequest(userId)));
    }
    const latencies = await Promise.all(sends);
    return roundOf(latencies, seconds);
  }

  /** One `/log` from the next person: checked, and counted as confirmed or as acked "Saving…"; its ack time. */
  private async send(slack: SlackClientSimulator, next: (userId: string) => LoadRequest): Promise<number> {
    const userId = this.people[this.user++ % this.people.length]!;
    const request = next(userId);
    const responseUrl = this.fake.responseUrl();
    const response = await slack.slashCommand({ command: '/log', text: request.text, userId, responseUrl });
    if (response.status !== 200 || !request.ok.test(response.text)) {
      throw new Error(`"/log ${request.text}" got ${response.status} ${response.text}`);
    }
    if (request.description && response.text.includes('Saving')) this.savingByUrl.set(responseUrl, request.description);
    else if (request.description) this.confirmed.add(request.description);
    return response.ms;
  }

  /** A one-minute `/log` with a description unique in the run ("tp N"). */
  logRequest(userId: string): LoadRequest {
    const description = `tp ${this.sent++}`;
    return { text: `1m ${this.projectOf(userId)} ${description}`, ok: /Logged|Saving/, description };
  }

  /**
   * Every request an app confirmed is in time_entries exactly once, and nothing else was saved. A
   * `/log` acked "Saving…" counts as confirmed when its response_url got the confirmation.
   */
  async savedOnce(connection: DatabaseConnection): Promise<{ ok: boolean; text: string }> {
    for (const call of this.fake.callsTo('response_url')) {
      const url = new URL(String(call.args.url), 'http://fake-slack');
      const description = [...this.savingByUrl].find(([saving]) => new URL(saving).pathname === url.pathname)?.[1];
      if (description && JSON.stringify(call.args).includes('Logged')) this.confirmed.add(description);
    }
    const rows = await queryRows<{ description: string; n: number }>(
      connection.db,
      sql`select description, count(*)::int as n from time_entries where description like 'tp %' group by description`,
    );
    const twice = rows.filter((row) => row.n !== 1).length;
    const saved = new Set(rows.map((row) => row.description));
    const missing = [...this.confirmed].filter((d) => !saved.has(d)).length;
    const unconfirmed = rows.length - (this.confirmed.size - missing);
    const ok = twice + missing + unconfirmed === 0;
    const saving = this.savingByUrl.size;
    return {
      ok,
      text: ok
        ? `all ${this.confirmed.size} confirmed entries saved once (${saving} acked "Saving…" first)`
        : `${missing} confirmed but missing, ${twice} saved more than once, ${unconfirmed} saved unconfirmed (${saving} acked "Saving…" first)`,
    };
  }
}

function roundOf(latencies: number[], seconds: number): Round {
  return {
    perSecond: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    late: latencies.filter((ms) => ms > SLACK_ACK_MS).length,
    requests: latencies.length,
  };
}

/** Waits for a command's answer (in the ack, or through response_url after a late ack) and checks it. */
export async function answerOf(
  fake: FakeSlack,
  response: { text: string },
  responseUrl: string,
  expected: string,
): Promise<void> {
  const answer = await commandAnswer(fake, response, responseUrl);
  if (!answer.includes(expected)) throw new Error(`expected "${expected}", got ${answer}`);
}
