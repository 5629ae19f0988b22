/**
 * The bridge's renderer half in Electron: exposes the contract as `window.cockpit` and nothing
 * else. The IPC event object never reaches the renderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { CockpitApi } from '../shared/contract';

const STREAM_SUBSCRIBE = 'stream:subscribe';
const STREAM_UNSUBSCRIBE = 'stream:unsubscribe';
const STREAM_EVENTS = 'stream:events';

const listeners = new Map<number, (event: unknown) => void>();
let nextId = 1;

ipcRenderer.on(STREAM_EVENTS, (_event, message: { id: number; events: unknown[] }) => {
  const listener = listeners.get(message.id);
  if (listener) for (const e of message.events) listener(e);
});

const api: CockpitApi = {
  invoke: (name, input) => ipcRenderer.invoke(name, input),
  subscribe: (name, input, listener) => {
    const id = nextId++;
    listeners.set(id, listener as (event: unknown) => void);
    void ipcRenderer.invoke(STREAM_SUBSCRIBE, { id, channel: name, input });
    return () => {
      listeners.delete(id);
      void ipcRenderer.invoke(STREAM_UNSUBSCRIBE, id);
    };
  },
};

contextBridge.exposeInMainWorld('cockpit', api);
