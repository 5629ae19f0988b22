import { describe, expect, it } from 'vitest';
import { HARMLESS_LINES, secretCorpus } from './secret-corpus.fixture';
import { redactionMarker, SecretRedactor, type RedactionTally } from './secret-redaction';

const redactor = new SecretRedactor();

async function* inPieces(text: string, seed: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  let offset = 0;
  let state = seed;
  while (offset < bytes.length) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 9000);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

describe('SecretRedactor', () => {
  for (const entry of secretCorpus()) {
    it(`redacts ${entry.name}`, async () => {
      const { value, hits } = await redactor.redactText(entry.text);
      for (const secret of entry.secrets) expect(value).not.toContain(secret);
      for (const rule of entry.rules) {
        expect(value).toContain(redactionMarker(rule));
        expect(hits[rule]).toBeGreaterThan(0);
      }
      expect(value).toMatch(/\[REDACTED:[a-z0-9-]+\]/);
    });
  }

  it('leaves ordinary incident text alone', async () => {
    for (const line of HARMLESS_LINES) expect((await redactor.redactText(line)).value).toBe(line);
  });

  it('redacts every string inside a record body, leaving keys and other values', async () => {
    const [kube, , bearer] = secretCorpus();
    const body = { note: kube!.text, steps: [{ output: bearer!.text, exitCode: 0 }], ok: true };
    const { value } = await redactor.redactValue(body);
    expect(JSON.stringify(value)).not.toContain(kube!.secrets[0]);
    expect(JSON.stringify(value)).not.toContain(bearer!.secrets[0]);
    expect(value.steps[0]!.exitCode).toBe(0);
    expect(value.ok).toBe(true);
  });

  it('redacts a private key captured as an array of lines', async () => {
    const pem = secretCorpus().find((e) => e.name.startsWith('RSA private key'))!;
    const { value } = await redactor.redactValue({ stdout: pem.text.split('\n'), exitCode: 0 });
    for (const secret of pem.secrets) expect(JSON.stringify(value)).not.toContain(secret);
    expect(value.stdout[0]).toBe('here is the key that leaked:');
    expect(value.stdout.at(-2)).toBe('end of paste');
  });

  it('redacts several values in one pass, each as redactValue would, with a tally per value', async () => {
    const corpus = secretCorpus();
    const pem = corpus.find((e) => e.name.startsWith('RSA private key'))!;
    const bearer = corpus[2]!;
    const lines = pem.text.split('\n');
    const cutInsideKey = lines.findIndex((l) => l.startsWith('-----BEGIN')) + 2;
    const body = { stdout: lines.slice(0, cutInsideKey) };
    const context = { context: 'codesign-production', note: bearer.text };
    const { values, hits } = await redactor.redactValues([body, context] as const);
    expect(values[0]).toEqual((await redactor.redactValue(body)).value);
    expect(values[1]).toEqual((await redactor.redactValue(context)).value);
    // A key left open at the end of the body does not swallow the context.
    expect(values[1].context).toBe('codesign-production');
    for (const secret of bearer.secrets) expect(JSON.stringify(values[1])).not.toContain(secret);
    expect(hits[0]).toEqual((await redactor.redactValue(body)).hits);
    expect(hits[1]).toEqual((await redactor.redactValue(context)).hits);
    expect(Object.keys(hits[1]!).length).toBeGreaterThan(0);
  });

  it('redacts a stream cut at arbitrary byte offsets, PEM blocks included', async () => {
    const corpus = secretCorpus();
    const filler = Array.from({ length: 4000 }, (_, i) => `2026-11-28T00:00:${String(i % 60).padStart(2, '0')}Z pod/api-7f9 GET /health 200 ${i}`).join('\n');
    const text = corpus.map((e, i) => `${filler.slice(0, 20_000 + i * 3_001)}\n${e.text}\n`).join('');
    for (const seed of [1, 7, 42]) {
      const hits: RedactionTally = {};
      const parts: Buffer[] = [];
      for await (const part of redactor.redactStream(inPieces(text, seed), hits, 16 * 1024)) parts.push(part);
      const out = Buffer.concat(parts).toString('utf8');
      for (const entry of corpus) for (const secret of entry.secrets) expect(out, entry.name).not.toContain(secret);
      expect(out).toContain(filler.slice(0, 5000));
      expect(Object.values(hits).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(corpus.length);
    }
  });
});

describe('redaction of large inputs', () => {
  it('runs on the worker thread and gives the same result as inline', async () => {
    const { offThreadRedaction, stopRedactionWorker } = await import('./off-thread-redaction');
    const offThread = new SecretRedactor(offThreadRedaction, 1024);
    const line = 'GET /api/v1/sign 200 12ms user=alice\n';
    const text = `${line.repeat(20_000)}postgres://codesign:s3cr3t-passw0rd@postgres-0:5432/codesign_db\n${line.repeat(100)}`;
    try {
      const [inline, worker] = await Promise.all([new SecretRedactor().redactText(text), offThread.redactText(text)]);
      expect(offThread.offThreadRuns).toBe(1);
      expect(worker).toEqual(inline);
      expect(worker.value).not.toContain('s3cr3t-passw0rd');
    } finally {
      await stopRedactionWorker();
    }
  });
});
