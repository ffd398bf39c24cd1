import { setTimeout as sleep } from 'node:timers/promises';
import type { Server } from 'node:http';
import { App, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config.js';
import type { RequestContext } from '../request-context.js';
import type { ServiceDeps } from './actor.js';
import { boltLogger } from './bolt-logger.js';
import { EdgeReceiver, edgeMiddleware } from './edge/edge-receiver.js';
import { type Health, healthRoutes, type Metrics, type Readiness } from './health.js';
import { HttpGate } from './http-gate.js';
import { InFlightRequests } from './in-flight.js';
import type { ScheduledJobs } from './listeners/actions/admin-jobs.js';
import { SlackRoutes } from './listener-routes.js';
import { registerListeners } from './listeners/index.js';
import { answerUnavailableUntilConnected, connectToSlack } from './slack-connection.js';
import type { Reporting } from './report-delivery.js';

export type SlackAppOptions = {
  config: Pick<Config, 'slack' | 'port' | 'ackDeadlineMs'>;
  deps: ServiceDeps;
  readiness: Readiness;
  /** What /healthz reports beside "ok", e.g. delivery paused and why; never a reason to fail it. */
  health?: Health;
  /** GET /metrics, when enabled. */
  metrics?: Metrics;
  reporting: Reporting;
  /** The scheduled jobs and the runner behind /admin > Scheduled jobs' Run now. */
  jobs: ScheduledJobs;
  /** Runs after every request's work, e.g. to send the messages it queued without waiting for a poll. */
  afterEachRequest?: () => void;
  /** Told when Slack's request has been answered (the ack), e.g. for the ack latency metric. */
  onAcknowledged?: (request: RequestContext, ms: number, status: number) => void;
};

export type RunningSlackApp = {
  app: App;
  /** The port the HTTP server listens on (health checks, and Slack requests in HTTP mode). */
  port: number;
  /** Resolves once Bolt has verified its token with Slack (auth.test). */
  initialised: Promise<void>;
  /** Resolves when no request is still working after its ack. */
  settled: () => Promise<void>;
  /**
   * Stops taking requests on every connection and lets those already taken finish, until
   * `deadline` (epoch ms). Returns how many were still running then.
   */
  stop(deadline?: number): Promise<{ unanswered: number; running: number }>;
};

/** Longer than any listener should take; a stuck one must not block a deploy forever. */
const DRAIN_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Builds the Bolt app (HTTP receiver, or Socket Mode when an app token is set) and starts it.
 * Slack may be unreachable at start-up: the server listens anyway (Slack's requests get 503 until
 * then) and Bolt's token check (auth.test) is retried in the background; a refused token rejects
 * `initialised`.
 */
export async function startSlackApp({
  config,
  deps,
  readiness,
  health,
  metrics,
  reporting,
  jobs,
  afterEachRequest,
  onAcknowledged,
}: SlackAppOptions): Promise<RunningSlackApp> {
  const logger = boltLogger(deps.log);
  let stopping = false;
  let connected = false;
  // Until the token check passes every Slack request is answered 503: a load balancer should send none here yet.
  const readyForSlack: Readiness = async () => {
    const { ready, checks } = await readiness();
    return { ready: ready && connected, checks: { ...checks, slack: connected ? 'ok' : 'connecting' } };
  };
  const customRoutes = healthRoutes(readyForSlack, health, metrics);
  const socketMode = config.slack.appToken !== undefined;
  const inner = socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        customRoutes,
        installerOptions: { port: config.port },
        logger,
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: '/slack/events',
        customRoutes,
        logger,
        // Past the edge every request is answered; a failure Bolt still reports is not Slack's to see as a 500.
        processEventErrorHandler: ({ response, error }) => {
          deps.log.error('Bolt could not process a request', { error });
          if (!response.headersSent) HTTPModuleFunctions.buildNoBodyResponse(response, 200);
          return Promise.resolve(false);
        },
      });
  const receiver = new EdgeReceiver(inner, deps.log, config.ackDeadlineMs);

  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger,
    deferInitialization: true,
    // Bolt's default conversation store rejects with a new Error for every request that has no
    // stored conversation (all of ours): a stack trace per request for a feature nothing uses.
    convoStore: false,
    clientOptions: {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      logger,
      timeout: 10_000,
      // Calls made while a user waits must fail fast; messages that must arrive go through the
      // outbox, which has its own retries and honours Retry-After.
      retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 500 },
      rejectRateLimitedCalls: true,
    },
  });
  app.error((error) => {
    deps.log.error('unhandled Slack listener error', { error });
    return Promise.resolve();
  });
  const inFlight = new InFlightRequests(afterEachRequest);
  app.use(inFlight.middleware);
  app.use(edgeMiddleware(deps.log));
  const routes = new SlackRoutes();
  registerListeners(routes.routes, deps, reporting, jobs);
  app.use(routes.middleware);

  const initialised = connectToSlack(app, deps.log, () => stopping).then(() => {
    connected = true;
  });
  // Whoever started the app hears of a refused token; nothing else should see it as unhandled.
  initialised.catch(() => undefined);
  if (inner instanceof HTTPReceiver) answerUnavailableUntilConnected(inner, () => connected);

  let port = config.port;
  let server: Server | undefined;
  const gate = new HttpGate(onAcknowledged);
  if (inner instanceof HTTPReceiver) {
    // Bolt's server calls this property for each request, so the gate stands in front of it.
    inner.requestListener = gate.wrap(inner.requestListener);
    server = await inner.start(config.port);
    // Idle connections outlive a proxy's (commonly 60 s): closing first at Node's default 5 s
    // drops a request sent on the connection at that moment, unanswered.
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
    const address = server.address();
    if (address && typeof address === 'object') port = address.port;
  } else {
    // Socket Mode connects to Slack; like auth.test it must not crash the start when Slack is away.
    initialised.then(
      () => inner.start().catch((error: unknown) => deps.log.error('Socket Mode could not connect', { error })),
      // A refused token is reported by whoever awaits `initialised`.
      () => undefined,
    );
  }

  return {
    app,
    port,
    initialised,
    settled: async () => {
      // The edge's own work too: a refused request's direct message goes out after its ack.
      await Promise.race([receiver.settled(), sleep(DRAIN_TIMEOUT_MS, undefined, { ref: false })]);
      await inFlight.drained(DRAIN_TIMEOUT_MS);
    },
    stop: async (deadline = Date.now() + DRAIN_TIMEOUT_MS) => {
      stopping = true;
      // Close the door on every connection, then let the requests already taken be answered and
      // finish their work after the ack. The socket keeps listening meanwhile, so a request that
      // was waiting to be accepted is answered 503 rather than reset.
      gate.close();
      const unanswered = await gate.answered(deadline);
      const running = await inFlight.drained(Math.max(0, deadline - Date.now()));
      if (server) await HttpGate.closeServer(server);
      else await inner.stop().catch((error: unknown) => deps.log.warn('stopping the Slack receiver failed', { error }));
      return { unanswered, running };
    },
  };
}
