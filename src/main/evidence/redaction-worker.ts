/**
 * The redaction worker's entry: redacts what the main thread sends it, in order, and answers
 * each job by id. Built as `out/main/redaction-worker.js`; run from source under tsx in tests.
 */
import { parentPort } from 'node:worker_threads';
import { redactGroupsInline } from './secret-redaction';

parentPort?.on('message', (job: { id: number; texts: string[][] }) => {
  redactGroupsInline(job.texts).then(
    (result) => parentPort?.postMessage({ id: job.id, result }),
    (error: unknown) => parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
