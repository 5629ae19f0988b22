/**
 * The bridge's renderer half in Electron: exposes the contract as `window.cockpit` and nothing
 * else. The IPC event object never reaches the renderer. Each page load has its own random
 * session id, so main stops the streams of a page that was reloaded.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { CockpitApi } from '../shared/contract';
import { StreamClient } from '../shared/stream-client';
import type { ClientMessage, ServerMessage } from '../shared/wire';

const STREAM_TO_MAIN = 'stream:to-main';
const STREAM_TO_PAGE = 'stream:to-page';
const STREAM_BYTES = 'stream:bytes';

const session = crypto.randomUUID();
let lastId = 0;
const streams = new StreamClient(
  (message: ClientMessage) => ipcRenderer.send(STREAM_TO_MAIN, { session, message }),
  () => ++lastId,
);

ipcRenderer.on(STREAM_TO_PAGE, (_event, text: string) => {
  const message = JSON.parse(text) as ServerMessage;
  if (message.t === 'events' || message.t === 'end' || message.t === 'error') streams.receive(message);
});
ipcRenderer.on(STREAM_BYTES, (_event, id: number, chunks: Uint8Array[]) => {
  streams.receiveBytes(id, chunks, chunks.reduce((n, c) => n + c.byteLength, 0));
});

const api: CockpitApi = {
  invoke: (name, input) => ipcRenderer.invoke(name, input),
  subscribe: (name, input, handlers) => streams.subscribe(name, input, handlers as Parameters<StreamClient['subscribe']>[2]),
};

contextBridge.exposeInMainWorld('cockpit', api);
