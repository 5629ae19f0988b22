import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { MemoryLogger } from '../../../src/main/app/logger';
import { ContractDispatcher, type RequestHandlers, type StreamProviders } from '../../../src/main/host/dispatcher';
import { WebHost } from '../../../src/main/host/web-host';
import { toDisposable } from '../../../src/shared/lifetimes';

/** The web host's socket and HTTP edges, with a small contract of its own. */
describe('WebHost', () => {
  let host: WebHost;
  const logger = new MemoryLogger();
  let running = 0;

  beforeAll(async () => {
    const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'cockpit-webhost-'));
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
    const bridgeFile = path.join(rendererDir, 'bridge.js');
    await writeFile(bridgeFile, '');
    const contract = {
      requests: { 'test:echo': { input: z.strictObject({ text: z.string() }) } },
      streams: { 'test:ticks': { input: z.strictObject({}) } },
    };
    const handlers = { 'test:echo': ({ text }: { text: string }) => ({ text }) } as unknown as RequestHandlers;
    const providers = {
      'test:ticks': () => {
        running++;
        return toDisposable(() => running--);
      },
    } as unknown as StreamProviders;
    host = await WebHost.start({ dispatcher: new ContractDispatcher(handlers, providers, logger, contract), rendererDir, bridgeFile, logger, idleTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await host.close();
  });

  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const echo = async (ws: WebSocket, id: number) => {
    const reply = new Promise<unknown>((resolve) => ws.on('message', (data) => resolve(JSON.parse(String(data)))));
    ws.send(JSON.stringify({ t: 'invoke', id, channel: 'test:echo', input: { text: 'still here' } }));
    return reply;
  };

  it('survives the frames that used to end the process, and answers on the same socket after them', async () => {
    const ws = await open();
    for (const frame of ['null', '[{"valueOf":1}]', '{"t":"subscribe","id":1,"channel":{"toString":1},"input":{}}', '{"t":"ack","id":1}', '{', '7']) ws.send(frame);
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await echo(ws, 9)).toEqual({ t: 'result', id: 9, result: { ok: true, value: { text: 'still here' } } });
    ws.close();
  });

  it('answers a malformed invoke that has a usable id with Invalid, so the page is not left waiting', async () => {
    const ws = await open();
    const reply = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    ws.send('{"t":"invoke","id":3,"channel":{"toString":1},"input":{}}');
    expect(await reply).toEqual({ t: 'result', id: 3, result: { ok: false, error: { code: 'Invalid', message: expect.stringContaining('malformed message') } } });
    ws.close();
  });

  it('closes a socket whose frame is over the size limit without hurting the host', async () => {
    const ws = await open();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(Buffer.alloc(17 * 1024 * 1024, 0x20));
    expect(await closed).toBe(1009);
    const again = await open();
    expect(await echo(again, 1)).toMatchObject({ result: { ok: true } });
    again.close();
  });

  it('stops the earlier stream when a subscription id is reused, and every stream when the socket closes', async () => {
    const ws = await open();
    for (let i = 0; i < 200; i++) ws.send(JSON.stringify({ t: 'subscribe', id: 5, channel: 'test:ticks', input: {} }));
    await expect.poll(() => host.liveSubscriptions).toBe(1);
    expect(running).toBe(1);
    ws.close();
    await expect.poll(() => running).toBe(0);
  });

  it('answers 400 to a malformed percent-encoding, not 500', async () => {
    const response = await fetch(`http://127.0.0.1:${host.port}/%E0%A4%A?token=${host.token}`);
    expect(response.status).toBe(400);
  });

  it('closes a connection that never sends a request', async () => {
    const socket = net.connect(host.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
