import { describe, expect, it } from 'vitest';
import {
  EXEC_PROTOCOLS,
  PORT_FORWARD_CHANNEL_PROTOCOLS,
  SPDY_TUNNEL_PROTOCOL,
  channelProtocolVersion,
  chooseSubprotocol,
  decodeChannelFrame,
  decodeResize,
  encodeChannelFrame,
  encodePortPreamble,
} from './channel-protocol';
import { parsePorts } from './port-forward';

describe('channel framing', () => {
  it('prefixes the channel byte and splits it off again', () => {
    const frame = encodeChannelFrame(1, 'hello');
    expect([...frame]).toEqual([1, ...Buffer.from('hello')]);
    expect(decodeChannelFrame(frame)).toEqual({ channel: 1, payload: Buffer.from('hello') });
    expect(decodeChannelFrame(Buffer.alloc(0))).toBeUndefined();
    expect(decodeChannelFrame(Buffer.from([255, 0]))).toEqual({ channel: 255, payload: Buffer.from([0]) });
  });

  it('opens each port-forward channel with the port as uint16 little-endian', () => {
    expect([...encodePortPreamble(0, 5432)]).toEqual([0, 0x38, 0x15]);
    expect([...encodePortPreamble(3, 6379)]).toEqual([3, 0xeb, 0x18]);
  });

  it('reads resize messages and ignores malformed ones', () => {
    expect(decodeResize(Buffer.from('{"Width":120,"Height":40}'))).toEqual({ width: 120, height: 40 });
    expect(decodeResize(Buffer.from('nope'))).toBeUndefined();
  });
});

describe('subprotocol negotiation', () => {
  it('prefers v5 for exec and falls back through v4 to the bare protocol', () => {
    expect(chooseSubprotocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'], EXEC_PROTOCOLS)).toBe('v5.channel.k8s.io');
    expect(chooseSubprotocol(['v4.channel.k8s.io'], EXEC_PROTOCOLS)).toBe('v4.channel.k8s.io');
    expect(chooseSubprotocol(['base64.channel.k8s.io'], EXEC_PROTOCOLS)).toBe(false);
    expect(channelProtocolVersion('v5.channel.k8s.io')).toBe(5);
    expect(channelProtocolVersion('channel.k8s.io')).toBe(1);
  });

  it('picks v4 for client-node port-forward (which offers v5 first) and the SPDY tunnel for kubectl', () => {
    const clientNode = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
    const supported = [SPDY_TUNNEL_PROTOCOL, ...PORT_FORWARD_CHANNEL_PROTOCOLS];
    expect(chooseSubprotocol(clientNode, supported)).toBe('v4.channel.k8s.io');
    expect(chooseSubprotocol(['SPDY/3.1+portforward.k8s.io'], supported)).toBe(SPDY_TUNNEL_PROTOCOL);
  });

  it('parses the ports query', () => {
    expect(parsePorts(new URLSearchParams('ports=5432'))).toEqual([5432]);
    expect(parsePorts(new URLSearchParams('ports=5432,6379&ports=8000'))).toEqual([5432, 6379, 8000]);
    expect(parsePorts(new URLSearchParams(''))).toBe('query parameter "port" is required');
    expect(parsePorts(new URLSearchParams('ports=99999'))).toMatch(/must be in the range/);
  });
});
