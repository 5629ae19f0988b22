import type { terminalRequests, terminalStreams } from '../../shared/contract/terminal';
import { toDisposable } from '../../shared/lifetimes';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { TerminalService } from './terminal-service';

/** `terminal:` requests and streams. */
export function terminalHandlers(terminal: TerminalService): {
  handlers: HandlersOf<keyof typeof terminalRequests>;
  providers: Pick<StreamProviders, keyof typeof terminalStreams>;
} {
  return {
    handlers: {
      'terminal:open': (input) => terminal.open(input),
      'terminal:input': ({ id, key, data, flushOutput }) => {
        const flushedBytes = terminal.input(id, key, data, flushOutput);
        return { written: data.length, ...(flushOutput ? { flushedBytes } : {}) };
      },
      'terminal:resize': ({ id, key, cols, rows }) => {
        terminal.resize(id, key, cols, rows);
        return { cols, rows };
      },
      'terminal:close': ({ id, key }) => terminal.close(id, key),
      'terminal:list': () => terminal.list(),
      'terminal:record': ({ id, key, incidentId, input }) => terminal.record(id, key, incidentId, input),
      'terminal:stopRecording': ({ id, key }) => terminal.stopRecording(id, key),
      'terminal:recording': ({ incidentId, sha256 }) => terminal.recording(incidentId, sha256),
    },
    providers: {
      'terminal:output': ({ id, key }, sink) => terminal.attach(id, key, sink),
      'terminal:sessions': (_input, sink) => {
        sink.emit(terminal.list());
        const listener = terminal.onDidChange(() => sink.emit(terminal.list()));
        return toDisposable(() => listener.dispose());
      },
    },
  };
}
