/**
 * The bridge's renderer half in the web host: defines `window.cockpit` over one WebSocket to the
 * page's own origin (the HttpOnly token cookie authenticates it). Loaded before the app by the
 * web host; in Electron the preload defines `window.cockpit` instead and this is never served.
 * Streams ride the shared `StreamClient`; byte batches arrive as binary frames.
 */
import type { CockpitApi } from '../../shared/contract';
import type { CockpitError, Result } from '../../shared/result';
import { StreamClient } from '../../shared/stream-client';
import { decodeByteBatch, MAX_MESSAGE_BYTES, RPC_PATH, type ClientMessage, type ServerMessage } from '../../shared/wire';

const pending = new Map<number, (result: Result<unknown>) => void>();
let lastId = 0;
const nextId = () => ++lastId;
let socket: WebSocket | undefined;
let ready: Promise<WebSocket> | undefined;
/** Why the host cannot be reached, once we know (stopped, restarted with a new address). */
let lostReason: CockpitError | undefined;

const streams = new StreamClient((message) => {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    if (message.t === 'subscribe') void connect().then((ws) => send(ws, message), () => undefined);
    return message.t === 'subscribe' ? true : false;
  }
  send(socket, message);
  return true;
}, nextId);

function connect(): Promise<WebSocket> {
  ready ??= new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${RPC_PATH}`);
    ws.binaryType = 'arraybuffer';
    let opened = false;
    ws.onopen = () => {
      opened = true;
      socket = ws;
      lostReason = undefined;
      resolve(ws);
    };
    ws.onmessage = (message) => {
      if (message.data instanceof ArrayBuffer) {
        const batch = decodeByteBatch(new Uint8Array(message.data));
        if (batch) streams.receiveBytes(batch.id, batch.chunks, batch.bytes);
        return;
      }
      receive(JSON.parse(String(message.data)) as ServerMessage);
    };
    ws.onclose = () => {
      socket = undefined;
      ready = undefined;
      void explainLoss(opened).then((error) => {
        lostReason = error;
        watchConnection();
        for (const [id, settle] of pending) {
          pending.delete(id);
          settle({ ok: false, error });
        }
        streams.connectionLost(error);
        reject(new Error(error.message));
      });
    };
  });
  return ready;
}

/**
 * Tells a stopped host from one that restarted: a restarted host answers, but refuses this
 * page's old token. Either way the page says where to go next.
 */
async function explainLoss(wasOpen: boolean): Promise<CockpitError> {
  const where = 'Open the address the cockpit printed where it was started (Open http://127.0.0.1:…/?token=…); it is also saved in web-host.url in its data folder.';
  try {
    const response = await fetch('/session', { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) return { code: 'Unreachable', message: `The cockpit restarted, and this tab holds the old session. ${where}` };
    if (wasOpen) return { code: 'Unreachable', message: 'Lost the connection to the cockpit host; it will be retried.' };
    return { code: 'Unreachable', message: `Cannot open a connection to the cockpit host (HTTP ${response.status}).` };
  } catch {
    return { code: 'Unreachable', message: `The cockpit is not running at ${location.host} any more. Start it again; ${where}` };
  }
}

let watching: ReturnType<typeof setInterval> | undefined;

/**
 * While the host is gone, says so in a banner of the bridge's own (the app's state may be stale)
 * and looks again every few seconds: a host that came back with a new token is final for this
 * tab (open the new address); one that answers this tab's token again clears the banner.
 */
function watchConnection(): void {
  showBanner(lostReason?.message);
  if (watching) return;
  watching = setInterval(() => {
    void explainLoss(false).then(async (error) => {
      if (/restarted/.test(error.message)) {
        lostReason = error;
        showBanner(error.message);
        clearInterval(watching);
        watching = undefined;
        return;
      }
      if (/HTTP 20/.test(error.message) || (await fetch('/session', { cache: 'no-store' }).then((r) => r.ok, () => false))) {
        clearInterval(watching);
        watching = undefined;
        lostReason = undefined;
        showBanner(undefined);
        return;
      }
      lostReason = error;
      showBanner(error.message);
    });
  }, 3000);
}

function showBanner(message: string | undefined): void {
  let banner = document.getElementById('cockpit-connection');
  if (!message) {
    banner?.remove();
    return;
  }
  if (!banner) {
    banner = document.createElement('div');
    banner.id = 'cockpit-connection';
    banner.setAttribute('role', 'alert');
    banner.className = 'connection-banner';
    document.body.prepend(banner);
  }
  banner.textContent = message;
}

function send(ws: WebSocket, message: ClientMessage): void {
  ws.send(JSON.stringify(message));
}

function receive(message: ServerMessage): void {
  if (message.t === 'result') {
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  } else if (message.t === 'bye') {
    lostReason = { code: 'Unreachable', message: message.reason };
  } else {
    streams.receive(message);
  }
}

const api: CockpitApi = {
  invoke: async (name, input) => {
    let ws: WebSocket;
    try {
      ws = socket ?? (await connect());
    } catch {
      return { ok: false, error: lostReason ?? { code: 'Unreachable', message: 'cannot reach the cockpit host (is it still running?)' } };
    }
    const id = nextId();
    const text = JSON.stringify({ t: 'invoke', id, channel: name, input } satisfies ClientMessage);
    if (text.length > MAX_MESSAGE_BYTES) {
      const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
      return { ok: false, error: { code: 'Invalid', message: `the request is ${mib(text.length)}; the cockpit accepts at most ${mib(MAX_MESSAGE_BYTES)} per request` } };
    }
    return new Promise((resolve) => {
      pending.set(id, resolve as (result: Result<unknown>) => void);
      ws.send(text);
    });
  },
  subscribe: (name, input, handlers) => streams.subscribe(name, input, handlers as Parameters<StreamClient['subscribe']>[2]),
};

(window as unknown as { cockpit: CockpitApi }).cockpit = api;
