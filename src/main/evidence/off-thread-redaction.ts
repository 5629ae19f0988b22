import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { redactGroupsInline, type RedactedGroups } from './secret-redaction';

interface Job {
  resolve(result: RedactedGroups): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
let nextId = 1;
const jobs = new Map<number, Job>();

/**
 * Where the worker's code is: beside the bundle in a build (`out/main/redaction-worker.js`), the
 * TypeScript source under tsx and vitest (then run with tsx's loader). Undefined when neither is
 * there, and redaction stays on the calling thread.
 */
function workerEntry(): { file: string; execArgv: string[] } | undefined {
  const here = import.meta.url;
  const source = here.endsWith('.ts');
  const file = fileURLToPath(new URL(source ? './redaction-worker.ts' : './redaction-worker.js', here));
  if (!existsSync(file)) return undefined;
  return { file, execArgv: source ? ['--import', 'tsx'] : [] };
}

function failAll(error: Error): void {
  for (const job of jobs.values()) job.reject(error);
  jobs.clear();
  worker = undefined;
}

function sharedWorker(): Worker | undefined {
  if (worker) return worker;
  const entry = workerEntry();
  if (!entry) return undefined;
  const started = new Worker(entry.file, { execArgv: entry.execArgv });
  started.unref();
  started.on('message', (message: { id: number; result?: RedactedGroups; error?: string }) => {
    const job = jobs.get(message.id);
    jobs.delete(message.id);
    if (message.result) job?.resolve(message.result);
    else job?.reject(new Error(`redaction failed on the worker: ${message.error ?? 'no result'}`));
    if (jobs.size === 0) started.unref();
  });
  started.on('error', (error) => failAll(error));
  started.on('exit', (code) => {
    if (worker === started) failAll(new Error(`the redaction worker exited (${code})`));
  });
  worker = started;
  return started;
}

/**
 * The app's off-thread redaction runner: one shared worker, jobs answered in order. A worker
 * that cannot start or dies makes that job run inline instead, so nothing is ever sealed
 * unredacted.
 */
export function offThreadRedaction(): ((texts: string[][]) => Promise<RedactedGroups>) | undefined {
  const running = sharedWorker();
  if (!running) return undefined;
  return (texts) =>
    new Promise<RedactedGroups>((resolve, reject) => {
      const id = nextId++;
      jobs.set(id, { resolve, reject });
      running.ref();
      running.postMessage({ id, texts });
    }).catch(() => redactGroupsInline(texts));
}

/** Stops the worker (tests, quit); the next large redaction starts a new one. */
export async function stopRedactionWorker(): Promise<void> {
  const running = worker;
  worker = undefined;
  await running?.terminate();
}
