/**
 * SPDY/3.1 sessions as Kubernetes clients open them (kubectl's port-forward and its exec
 * fallback), on top of spdy-transport, which speaks SPDY for HTTP: two adaptations make it fit.
 */
import type { Duplex } from 'node:stream';
import spdyTransport, { type SpdyConnection, type SpdyStream } from 'spdy-transport';

/** Gives a SPDY stream (and the connection) a send window the Go client never needs to refill. */
function unlimitedSendWindow(side: { current: number; max: number; limit: number }): void {
  side.limit = Number.POSITIVE_INFINITY;
  side.max = 2 ** 40;
  side.current = 2 ** 40;
}

/**
 * spdy-transport parses SYN_STREAM as an HTTP request and refuses one without `:method` and
 * `:path`; Kubernetes streams carry only their own headers, so supply neutral ones.
 */
function acceptNonHttpStreams(connection: SpdyConnection): void {
  const parser = connection._spdyState.parser;
  const parseKVs = parser.parseKVs;
  parser.parseKVs = function parseKVsWithDefaults(this: unknown, body: unknown, callback: (error: unknown, headers?: Record<string, string>) => void) {
    parseKVs.call(this, body, (error, headers) => {
      if (!error && headers) {
        headers[':method'] ??= 'POST';
        headers[':path'] ??= '/';
      }
      callback(error, headers);
    });
  };
}

/** A server-side SPDY session on `duplex` (a raw upgraded socket or a WebSocket tunnel). */
export function createSpdyServerSession(duplex: Duplex): SpdyConnection {
  const connection = spdyTransport.connection.create(duplex, { protocol: 'spdy', isServer: true, windowSize: 16 * 1024 * 1024, maxChunk: 32 * 1024 });
  unlimitedSendWindow(connection._spdyState.window.send);
  acceptNonHttpStreams(connection);
  connection.on('error', () => undefined);
  return connection;
}

/** Replies to a stream the client opened (Go's spdystream waits for the SYN_REPLY). */
export function acceptSpdyStream(stream: SpdyStream): void {
  unlimitedSendWindow(stream._spdyState.window.send);
  stream.on('error', () => undefined);
  stream.respond(200, {});
}
