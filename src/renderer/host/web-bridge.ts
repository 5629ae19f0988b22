/**
 * The bridge's renderer half in the web host: defines `window.cockpit` over one WebSocket to the
 * page's own origin (the HttpOnly token cookie authenticates it). Loaded before the app by the
 * web host; in Electron the preload defines `window.cockpit` instead and this is never served.
 */
import type { CockpitApi } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { RPC_PATH, type ClientMessage, type ServerMessage } from '../../shared/wire';

const pending = new Map<number, (result: Result<unknown>) => void>();
const subscriptions = new Map<number, { channel: string; input: unknown; listener: (event: unknown) => void }>();
let nextId = 1;
let socket: WebSocket | undefined;
let ready: Promise<WebSocket> | undefined;

function connect(): Promise<WebSocket> {
  ready ??= new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${RPC_PATH}`);
    ws.onopen = () => {
      socket = ws;
      for (const [id, sub] of subscriptions) send(ws, { t: 'subscribe', id, channel: sub.channel, input: sub.input });
      resolve(ws);
    };
    ws.onmessage = (message) => receive(JSON.parse(String(message.data)) as ServerMessage);
    ws.onclose = () => {
      socket = undefined;
      ready = undefined;
      for (const [id, settle] of pending) {
        pending.delete(id);
        settle({ ok: false, error: { code: 'Unreachable', message: 'lost the connection to the cockpit host' } });
      }
      reject(new Error('connection to the cockpit host closed'));
      if (subscriptions.size) setTimeout(() => void connect().catch(() => undefined), 1000);
    };
  });
  return ready;
}

function send(ws: WebSocket, message: ClientMessage): void {
  ws.send(JSON.stringify(message));
}

function receive(message: ServerMessage): void {
  if (message.t === 'result') {
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  } else if (message.t === 'events') {
    const sub = subscriptions.get(message.id);
    if (sub) for (const event of message.events) sub.listener(event);
  } else if (message.t === 'subscribed' && !message.result.ok) {
    console.error(`stream refused: ${message.result.error.message}`);
  }
}

const api: CockpitApi = {
  invoke: async (name, input) => {
    let ws: WebSocket;
    try {
      ws = socket ?? (await connect());
    } catch {
      return { ok: false, error: { code: 'Unreachable', message: 'cannot reach the cockpit host (is it still running?)' } };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve as (result: Result<unknown>) => void);
      send(ws, { t: 'invoke', id, channel: name, input });
    });
  },
  subscribe: (name, input, listener) => {
    const id = nextId++;
    subscriptions.set(id, { channel: name, input, listener: listener as (event: unknown) => void });
    if (socket) send(socket, { t: 'subscribe', id, channel: name, input });
    else void connect().catch(() => undefined);
    return () => {
      subscriptions.delete(id);
      if (socket) send(socket, { t: 'unsubscribe', id });
    };
  },
};

(window as unknown as { cockpit: CockpitApi }).cockpit = api;
