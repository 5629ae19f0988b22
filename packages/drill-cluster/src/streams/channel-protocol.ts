/**
 * The Kubernetes WebSocket channel protocols (`channel.k8s.io`, v2–v5): every binary message
 * starts with a channel byte. Exec: 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize,
 * 255 close (v5). Port-forward: per port a data channel 2i and an error channel 2i+1.
 */

export const STDIN_CHANNEL = 0;
export const STDOUT_CHANNEL = 1;
export const STDERR_CHANNEL = 2;
export const ERROR_CHANNEL = 3;
export const RESIZE_CHANNEL = 4;
export const CLOSE_CHANNEL = 255;

/** Exec/attach subprotocols we speak, best first (kubectl 1.30+ asks for v5, client-node offers v5..v1). */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/** Port-forward channel subprotocols (the kubelet serves v4 binary, and the bare name). */
export const PORT_FORWARD_CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io', 'channel.k8s.io'];

/** kubectl 1.31+: SPDY/3.1 carried inside WebSocket binary messages. */
export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** The first of `supported` the client offered; false when none (the handshake then fails). */
export function chooseSubprotocol(offered: Iterable<string>, supported: readonly string[]): string | false {
  const set = new Set(offered);
  for (const protocol of supported) if (set.has(protocol)) return protocol;
  return false;
}

/** The protocol version number (1 for bare `channel.k8s.io`). */
export function channelProtocolVersion(protocol: string): number {
  const match = /^v(\d+)\./.exec(protocol);
  return match ? Number(match[1]) : 1;
}

/** One message: the channel byte then the payload. */
export function encodeChannelFrame(channel: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const frame = Buffer.allocUnsafe(data.length + 1);
  frame[0] = channel;
  data.copy(frame, 1);
  return frame;
}

export interface ChannelFrame {
  channel: number;
  payload: Buffer;
}

/** Splits a received message into its channel and payload; undefined for an empty message. */
export function decodeChannelFrame(message: Buffer): ChannelFrame | undefined {
  if (message.length === 0) return undefined;
  return { channel: message[0]!, payload: message.subarray(1) };
}

/** The port-forward preamble: the port, uint16 little-endian, first on each channel. */
export function encodePortPreamble(channel: number, port: number): Buffer {
  const frame = Buffer.alloc(3);
  frame[0] = channel;
  frame.writeUInt16LE(port, 1);
  return frame;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** Resize messages carry `{"Width":80,"Height":24}`. */
export function decodeResize(payload: Buffer): TerminalSize | undefined {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
    if (typeof parsed.Width === 'number' && typeof parsed.Height === 'number') {
      return { width: parsed.Width, height: parsed.Height };
    }
  } catch {
    // ignored: a malformed resize changes nothing
  }
  return undefined;
}
