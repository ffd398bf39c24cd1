/**
 * Renders reports on worker threads: a few threads (a setting), and a short queue of reports
 * waiting for one. A thread that crashes fails only the report it was rendering; the next report
 * gets a new thread.
 */
import { Worker } from 'node:worker_threads';
import type { ReportKind, ReportLevel } from '../domain/report-request.js';
import type { ReportHeading } from './report-heading.js';
import type { ReportRow } from './report-layout.js';
import type { FromRenderWorker, ToRenderWorker } from './render-messages.js';

export type RenderRequest = { kind: ReportKind; level: ReportLevel; heading: ReportHeading; withPdf: boolean };
export type RenderedReport = { pdf: Buffer | null; csv: Buffer; rows: number };

/** Too many reports are waiting already. */
export class RendererBusy extends Error {
  constructor(waiting: number) {
    super(`${waiting} reports are already waiting to be built`);
    this.name = 'RendererBusy';
  }
}

/** The render thread stopped (crashed or ran out of memory) or refused the report. */
export class RenderFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderFailed';
  }
}

type Slot = { worker: Worker | undefined; busy: boolean; job: PendingJob | undefined };
type PendingJob = { id: number; resolve: (report: RenderedReport) => void; reject: (error: Error) => void };

// Under tsx or vitest this module is TypeScript and so is its worker; built, both are JavaScript.
const defaultWorkerFile = new URL(
  import.meta.url.endsWith('.ts') ? './render-worker.ts' : './render-worker.js',
  import.meta.url,
);

/** Loads a TypeScript worker through tsx (tests and benchmarks run the sources). */
function typeScriptLoader(file: URL): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(file.href)}));`;
}

export class ReportRenderer {
  readonly #slots: Slot[];
  readonly #queue: ((slot: Slot) => void)[] = [];
  readonly #queueLimit: number;
  readonly #workerFile: URL;
  #nextJobId = 0;
  #closed = false;

  constructor(options: { threads: number; queueLimit: number; workerFile?: URL }) {
    this.#slots = Array.from({ length: Math.max(1, options.threads) }, () => ({
      worker: undefined,
      busy: false,
      job: undefined,
    }));
    this.#queueLimit = options.queueLimit;
    this.#workerFile = options.workerFile ?? defaultWorkerFile;
  }

  /** Reports waiting for a thread. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Renders one report from its rows, which are read only once a thread is free. A failure
   * reading the rows stops the render and is thrown as it is.
   */
  async render(
    request: RenderRequest,
    pages: AsyncIterable<ReportRow[]> | Iterable<ReportRow[]>,
  ): Promise<RenderedReport> {
    if (this.#closed) throw new RenderFailed('the report renderer has stopped');
    const slot = await this.#acquire();
    try {
      return await this.#run(slot, request, pages);
    } finally {
      slot.job = undefined;
      slot.worker?.unref();
      // A waiting report takes the thread over as it is; otherwise it is free.
      const next = this.#queue.shift();
      if (next) next(slot);
      else slot.busy = false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.flatMap((slot) => (slot.worker ? [slot.worker.terminate()] : [])));
  }

  async #acquire(): Promise<Slot> {
    const free = this.#slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      return free;
    }
    if (this.#queue.length >= this.#queueLimit) throw new RendererBusy(this.#queue.length);
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  async #run(
    slot: Slot,
    request: RenderRequest,
    pages: AsyncIterable<ReportRow[]> | Iterable<ReportRow[]>,
  ): Promise<RenderedReport> {
    const worker = this.#workerFor(slot);
    worker.ref();
    const id = ++this.#nextJobId;
    let failed = false;
    const outcome = new Promise<RenderedReport>((resolve, reject) => {
      slot.job = {
        id,
        resolve,
        reject: (error) => {
          failed = true;
          reject(error);
        },
      };
    });
    // Rejections are awaited below; until then they must not count as unhandled.
    outcome.catch(() => {});
    const send = (message: ToRenderWorker) => worker.postMessage(message);
    send({ type: 'start', jobId: id, ...request });
    try {
      for await (const rows of pages) {
        if (failed) break;
        send({ type: 'rows', jobId: id, rows });
      }
    } catch (error) {
      send({ type: 'abort', jobId: id });
      throw error;
    }
    send({ type: 'end', jobId: id });
    return outcome;
  }

  #workerFor(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const worker = this.#workerFile.pathname.endsWith('.ts')
      ? new Worker(typeScriptLoader(this.#workerFile), { eval: true })
      : new Worker(this.#workerFile);
    const stopped = (why: string) => {
      if (slot.worker === worker) slot.worker = undefined;
      slot.job?.reject(new RenderFailed(why));
    };
    worker.on('message', (message: FromRenderWorker) => {
      const job = slot.job;
      if (!job || job.id !== message.jobId) return;
      if (message.type === 'failed') job.reject(new RenderFailed(message.message));
      else
        job.resolve({
          pdf: message.pdf ? Buffer.from(message.pdf) : null,
          csv: Buffer.from(message.csv),
          rows: message.rows,
        });
    });
    worker.on('error', (error) => stopped(`the report renderer crashed: ${error.message}`));
    worker.on('exit', (code) => stopped(`the report renderer stopped (exit code ${code})`));
    slot.worker = worker;
    return worker;
  }
}
