import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { requests } from '../../shared/contract';
import { fail } from '../../shared/result';
import type { ServerMessage } from '../../shared/wire';
import { parseClientMessage } from '../../shared/wire-envelope';
import type { Logger } from '../app/logger';
import type { ContractCarrier } from '../host/dispatcher';
import { StreamSession } from '../host/stream-session';

/** Page → main: `{ session, message }`, where `session` is the page load's own random id. */
export const STREAM_TO_MAIN = 'stream:to-main';
/** Main → page: a JSON `ServerMessage` as text. */
export const STREAM_TO_PAGE = 'stream:to-page';
/** Main → page: `(id, chunks)` of a byte stream, as Uint8Array. */
export const STREAM_BYTES = 'stream:bytes';

/**
 * The Electron half of the generic bridge: one `ipcMain.handle` per request of the contract, and
 * one stream session per page load over `webContents.send`. A page load is known by the random
 * session id its preload made: a reload (new id) or a closed window stops every stream of the
 * previous load, so nothing is inherited. Messages from any frame but our window's main frame
 * are dropped, for streams as for requests.
 */
export function bridgeContract(
  dispatcher: ContractCarrier,
  isOurFrame: (event: IpcMainInvokeEvent | IpcMainEvent) => boolean,
  logger: Logger,
): () => void {
  const pages = new Map<number, { pageSession: string; streams: StreamSession }>();
  const watched = new Set<WebContents>();

  const refuse = (event: IpcMainInvokeEvent | IpcMainEvent) => {
    logger.warn('ipc.foreign-frame', { url: event.senderFrame?.url ?? 'unknown' });
    return fail('Forbidden', 'message from a frame that is not the cockpit');
  };
  const endPage = (contentsId: number) => {
    pages.get(contentsId)?.streams.dispose();
    pages.delete(contentsId);
  };
  const sessionFor = (sender: WebContents, pageSession: string): StreamSession => {
    const current = pages.get(sender.id);
    if (current?.pageSession === pageSession) return current.streams;
    endPage(sender.id);
    const streams = new StreamSession(
      dispatcher,
      {
        sendText: (text) => {
          if (!sender.isDestroyed()) sender.send(STREAM_TO_PAGE, text);
        },
        sendBytes: (id, chunks) => {
          if (!sender.isDestroyed()) sender.send(STREAM_BYTES, id, chunks);
        },
        bufferedAmount: () => 0,
      },
      logger,
    );
    pages.set(sender.id, { pageSession, streams });
    if (!watched.has(sender)) {
      // One set of listeners per WebContents, however many page loads and streams it has.
      watched.add(sender);
      const id = sender.id;
      sender.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) endPage(id);
      });
      sender.on('render-process-gone', () => endPage(id));
      sender.once('destroyed', () => {
        endPage(id);
        watched.delete(sender);
      });
    }
    return streams;
  };

  for (const channel of Object.keys(requests)) {
    ipcMain.handle(channel, (event, input: unknown) => (isOurFrame(event) ? dispatcher.invoke(channel, input) : refuse(event)));
  }
  const onStreamMessage = (event: IpcMainEvent, envelope: unknown) => {
    if (!isOurFrame(event)) {
      refuse(event);
      return;
    }
    const pageSession = (envelope as { session?: unknown } | null)?.session;
    const parsed = parseClientMessage((envelope as { message?: unknown } | null)?.message);
    if (typeof pageSession !== 'string' || pageSession.length > 100 || 'refused' in parsed || parsed.message.t === 'invoke') {
      logger.warn('ipc.bad-message', { reason: 'refused' in parsed ? parsed.refused : 'no page session, or an invoke on the stream channel' });
      return;
    }
    const { message } = parsed;
    const streams = sessionFor(event.sender, pageSession);
    if (message.t === 'subscribe') streams.subscribe(message.id, message.channel, message.input);
    else if (message.t === 'unsubscribe') streams.unsubscribe(message.id);
    else streams.ack(message.id, message.bytes);
  };
  ipcMain.on(STREAM_TO_MAIN, onStreamMessage);

  return () => {
    for (const channel of Object.keys(requests)) ipcMain.removeHandler(channel);
    ipcMain.off(STREAM_TO_MAIN, onStreamMessage);
    for (const id of [...pages.keys()]) endPage(id);
  };
}

export type { ServerMessage };
