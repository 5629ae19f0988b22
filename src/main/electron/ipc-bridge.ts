import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { requests } from '../../shared/contract';
import { fail } from '../../shared/result';
import type { Logger } from '../app/logger';
import type { ContractDispatcher } from '../host/dispatcher';
import { EventBatcher, interimSink } from '../host/event-batcher';

export const STREAM_SUBSCRIBE = 'stream:subscribe';
export const STREAM_UNSUBSCRIBE = 'stream:unsubscribe';
export const STREAM_EVENTS = 'stream:events';

/**
 * The Electron half of the generic bridge: one `ipcMain.handle` per request of the contract,
 * plus subscribe/unsubscribe for streams whose events go back batched over `webContents.send`.
 * Messages from any frame but our window's main frame are dropped.
 */
export function bridgeContract(dispatcher: ContractDispatcher, isOurFrame: (event: IpcMainInvokeEvent) => boolean, logger: Logger): () => void {
  const subscriptions = new Map<string, () => void>();
  const refuse = (event: IpcMainInvokeEvent) => {
    logger.warn('ipc.foreign-frame', { url: event.senderFrame?.url ?? 'unknown' });
    return fail('Forbidden', 'message from a frame that is not the cockpit');
  };

  for (const channel of Object.keys(requests)) {
    ipcMain.handle(channel, (event, input: unknown) => (isOurFrame(event) ? dispatcher.invoke(channel, input) : refuse(event)));
  }
  ipcMain.handle(STREAM_SUBSCRIBE, async (event, message: { id: number; channel: string; input: unknown }) => {
    if (!isOurFrame(event)) return refuse(event);
    const sender: WebContents = event.sender;
    const key = `${sender.id}:${message.id}`;
    const batcher = new EventBatcher<unknown>((events) => {
      if (!sender.isDestroyed()) sender.send(STREAM_EVENTS, { id: message.id, events });
    });
    const result = await dispatcher.subscribe(message.channel, message.input, interimSink((e) => batcher.push(e)));
    if (!result.ok) return result;
    subscriptions.set(key, () => result.value.dispose());
    sender.once('destroyed', () => {
      subscriptions.get(key)?.();
      subscriptions.delete(key);
    });
    return { ok: true, value: null };
  });
  ipcMain.handle(STREAM_UNSUBSCRIBE, (event, id: number) => {
    const key = `${event.sender.id}:${id}`;
    subscriptions.get(key)?.();
    subscriptions.delete(key);
  });

  return () => {
    for (const channel of [...Object.keys(requests), STREAM_SUBSCRIBE, STREAM_UNSUBSCRIBE]) ipcMain.removeHandler(channel);
    for (const stop of subscriptions.values()) stop();
    subscriptions.clear();
  };
}
