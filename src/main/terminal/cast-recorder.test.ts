import { describe, expect, it } from 'vitest';
import { parseCast } from '../../shared/terminal/asciicast';
import { SecretRedactor } from '../evidence/secret-redaction';
import { CastRecorder, MAX_RECORDING_CHARS } from './cast-recorder';

/** A recorder on a clock the test moves. */
function recorder(input = false) {
  let now = 1_796_000_000_000;
  const cast = new CastRecorder({ cols: 80, rows: 24, input, title: 'drill · codesign-production', shell: '/bin/bash', now: () => now });
  return { cast, advance: (ms: number) => (now += ms) };
}

const redactor = new SecretRedactor();
const redact = async (texts: string[]) => (await redactor.redactStrings(texts)).value;
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImRyaWxsIn0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmNvZGVzaWduIn0.c2lnbmF0dXJlLW9mLXRoZS1kcmlsbC10b2tlbi1mb3ItdGVzdHM';

describe('CastRecorder', () => {
  it('writes an asciicast v2 header with the size, start time, shell and TERM', () => {
    const { cast } = recorder();
    expect(cast.header).toEqual({ version: 2, width: 80, height: 24, timestamp: 1_796_000_000, title: 'drill · codesign-production', env: { SHELL: '/bin/bash', TERM: 'xterm-256color' } });
    expect(cast.since.toISOString()).toBe(new Date(1_796_000_000_000).toISOString());
  });

  it('keeps output in line-sized events timed from the start, and a quiet prompt as its own', () => {
    const { cast, advance } = recorder();
    advance(100);
    cast.output('hello ');
    cast.output('world\r\nready$ ');
    advance(500);
    cast.output('l');
    const { events } = cast.finish();
    expect(events).toEqual([
      [0.1, 'o', 'hello world\r\n'],
      [0.1, 'o', 'ready$ '],
      [0.6, 'o', 'l'],
    ]);
  });

  it('records input only when asked', () => {
    const without = recorder(false);
    without.cast.output('ready$ ');
    without.cast.input('ls\r');
    expect(without.cast.finish().events.filter((e) => e[1] === 'i')).toEqual([]);
    expect(without.cast.recordsInput).toBe(false);

    const withInput = recorder(true);
    withInput.cast.output('ready$ ');
    withInput.advance(1000);
    withInput.cast.input('ls\r');
    expect(withInput.cast.finish().events).toEqual([
      [0, 'o', 'ready$ '],
      [1, 'i', 'ls\r'],
    ]);
  });

  it('leaves out what is typed at a password prompt, up to its Enter, then records again', () => {
    const { cast } = recorder(true);
    cast.output('[sudo] password for oncall: ');
    cast.input('hunter2');
    cast.input('-more\r');
    cast.output('\r\nready$ ');
    cast.input('whoami\r');
    const inputs = cast.finish().events.filter((e) => e[1] === 'i').map((e) => e[2]);
    expect(inputs).toEqual(['whoami\r']);
  });

  it('records resizes as COLSxROWS', () => {
    const { cast, advance } = recorder();
    advance(2000);
    cast.resize(132, 43);
    expect(cast.finish().events).toEqual([[2, 'r', '132x43']]);
  });

  it('redacts secrets in the output, even one that arrived in several pieces', async () => {
    const { cast } = recorder();
    cast.output(`token=${JWT.slice(0, 30)}`);
    cast.output(`${JWT.slice(30)}\r\n`);
    cast.output('ready$ ');
    const { text, events } = await cast.encode(redact);
    expect(text).not.toContain(JWT);
    expect(text).toMatch(/\[REDACTED:[a-z0-9-]+\]/);
    expect(text).toContain('ready$ ');
    expect(events).toBe(2);
    expect(parseCast(text).header.version).toBe(2);
  });

  it('holds a private key block until its END line, so the redactor sees it whole', async () => {
    const { cast } = recorder();
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'.repeat(3);
    cast.output('-----BEGIN PRIVATE KEY-----\r\n');
    cast.output(`${body}\r\n`);
    cast.output('-----END PRIVATE KEY-----\r\nready$ ');
    const { text, events } = await cast.encode(redact);
    expect(events).toBe(2);
    // One event from BEGIN to END, redacted as a whole: no line of the key is left.
    expect(JSON.parse(text.split('\n')[1]!)).toEqual([0, 'o', '[REDACTED:private-key]\r\n']);
    expect(text).not.toContain(body.slice(0, 20));
  });

  it('stops taking output past its limit and says so in the cast', () => {
    const { cast } = recorder();
    const line = `${'y'.repeat(1023)}\n`;
    for (let written = 0; written <= MAX_RECORDING_CHARS + line.length; written += line.length) cast.output(line);
    cast.output('after the limit\n');
    const { events } = cast.finish();
    expect(events.at(-1)![2]).toMatch(/recording stopped: it reached 32 MiB/);
    expect(events.some((e) => e[2].includes('after the limit'))).toBe(false);
  });
});
