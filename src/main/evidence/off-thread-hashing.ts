import { Worker } from 'node:worker_threads';
import { inlineSha256, type PlaintextHasher } from './attachment-sealing';

/**
 * SHA-256 on a worker thread, fed through a shared-memory ring (no per-chunk allocation or
 * message): the main thread copies each chunk into a free slot while the worker hashes earlier
 * ones, so hashing runs beside encryption on a second core. One attachment at a time uses the
 * ring; a second concurrent one falls back to inline hashing.
 */
const SLOT_BYTES = 256 * 1024;
const SLOTS = 16;
// control: [0] head (slots written), [1] tail (slots hashed), [2] digests done, then per-slot lengths
const HEAD = 0;
const TAIL = 1;
const DONE = 2;
const LENGTHS = 3;
const FINISH = -1;

// Plain JS so it runs the same under tsx, vitest and an esbuild bundle (no worker file to ship).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { data, control, result } = workerData;
const ctl = new Int32Array(control);
const bytes = Buffer.from(data);
const out = Buffer.from(result);
let hash = createHash('sha256');
for (;;) {
  const tail = Atomics.load(ctl, ${TAIL});
  while (Atomics.load(ctl, ${HEAD}) === tail) Atomics.wait(ctl, ${HEAD}, tail);
  const slot = tail % ${SLOTS};
  const length = Atomics.load(ctl, ${LENGTHS} + slot);
  if (length === ${FINISH}) {
    out.write(hash.digest('hex'), 0, 'latin1');
    hash = createHash('sha256');
    Atomics.store(ctl, ${TAIL}, tail + 1);
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  } else {
    hash.update(bytes.subarray(slot * ${SLOT_BYTES}, slot * ${SLOT_BYTES} + length));
    Atomics.store(ctl, ${TAIL}, tail + 1);
  }
  Atomics.notify(ctl, ${TAIL});
}
`;

interface Ring {
  worker: Worker;
  /** Set when the worker died: waiting sessions fail instead of hanging. */
  dead: boolean;
  data: Buffer;
  control: Int32Array;
  result: Buffer;
  busy: boolean;
}

let ring: Ring | undefined;

function sharedRing(): Ring {
  if (!ring) {
    const data = new SharedArrayBuffer(SLOT_BYTES * SLOTS);
    const control = new SharedArrayBuffer(4 * (LENGTHS + SLOTS));
    const result = new SharedArrayBuffer(64);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { data, control, result } });
    worker.unref();
    const created: Ring = { worker, dead: false, data: Buffer.from(data), control: new Int32Array(control), result: Buffer.from(result), busy: false };
    const stopped = (): void => {
      created.dead = true;
      if (ring === created) ring = undefined;
    };
    worker.on('error', stopped);
    worker.on('exit', stopped);
    ring = created;
  }
  return ring;
}

/** `Atomics.waitAsync` (V8, Node ≥ 16; typed only from lib ES2024). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

async function waitWhile(r: Ring, index: number, value: number): Promise<void> {
  while (Atomics.load(r.control, index) === value) {
    if (r.dead) throw new Error('the hashing worker stopped');
    const waiting = waitAsync(r.control, index, value, 500);
    if (waiting.async) await waiting.value;
  }
}

/** Hashes on the worker ring when it is free, else inline (the store's default hasher). */
export function offThreadSha256(): PlaintextHasher {
  const r = sharedRing();
  if (r.busy) return inlineSha256();
  r.busy = true;
  // Atomics.waitAsync alone does not keep the event loop alive; the ref'd worker does.
  r.worker.ref();
  const { control, data } = r;
  const push = async (piece: Buffer, length: number): Promise<void> => {
    const head = Atomics.load(control, HEAD);
    let tail = Atomics.load(control, TAIL);
    while (head - tail >= SLOTS) {
      await waitWhile(r, TAIL, tail);
      tail = Atomics.load(control, TAIL);
    }
    const slot = head % SLOTS;
    if (length > 0) piece.copy(data, slot * SLOT_BYTES, 0, length);
    Atomics.store(control, LENGTHS + slot, length);
    Atomics.store(control, HEAD, head + 1);
    Atomics.notify(control, HEAD);
  };
  let chain: Promise<void> = Promise.resolve();
  return {
    update(chunk) {
      chain = chain.then(async () => {
        for (let offset = 0; offset < chunk.length; offset += SLOT_BYTES) {
          const piece = chunk.subarray(offset, offset + SLOT_BYTES);
          await push(piece, piece.length);
        }
      });
      return chain;
    },
    async digest() {
      await chain;
      const done = Atomics.load(control, DONE);
      await push(Buffer.alloc(0), FINISH);
      await waitWhile(r, DONE, done);
      const digest = r.result.toString('latin1', 0, 64);
      r.busy = false;
      r.worker.unref();
      return digest;
    },
  };
}
