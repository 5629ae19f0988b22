/** The part of `spdy-transport` (untyped CommonJS) the port-forward server uses. */
declare module 'spdy-transport' {
  import type { Duplex } from 'node:stream';
  import type { EventEmitter } from 'node:events';

  interface SpdyWindowSide {
    current: number;
    max: number;
    limit: number;
  }

  export interface SpdyStream extends Duplex {
    id: number;
    headers: Record<string, string>;
    respond(status: number, headers: Record<string, string>, callback?: (error?: Error) => void): void;
    abort(code?: string, callback?: () => void): void;
    _spdyState: { window: { send: SpdyWindowSide } };
  }

  export interface SpdyConnection extends EventEmitter {
    on(event: 'stream', listener: (stream: SpdyStream) => void): this;
    on(event: 'error' | 'close' | 'version', listener: (arg?: unknown) => void): this;
    end(callback?: () => void): void;
    destroyStreams(error?: Error): void;
    _spdyState: {
      window: { send: SpdyWindowSide };
      parser: {
        parseKVs(body: unknown, callback: (error: unknown, headers?: Record<string, string>) => void): void;
      };
    };
  }

  const transport: {
    connection: {
      create(socket: Duplex, options: { protocol: 'spdy' | 'http2'; isServer: boolean; windowSize?: number; maxChunk?: number | false }): SpdyConnection;
    };
  };
  export default transport;
}
