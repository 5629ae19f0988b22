import { existsSync } from 'node:fs';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend';

const haveRedis = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => existsSync(p));

describe('Redis backend', () => {
  it('answers nothing when configured none, and a given address as is', async () => {
    expect(await new RedisBackend('none').address()).toBeUndefined();
    expect(await new RedisBackend({ host: '127.0.0.1', port: 6390 }).address()).toEqual({ host: '127.0.0.1', port: 6390 });
  });

  it.runIf(haveRedis)('starts redis-server on a free port with the password, and stops it on close', async () => {
    const backend = new RedisBackend('auto', () => 'pa"ss word\\');
    const address = await backend.address();
    expect(address?.host).toBe('127.0.0.1');
    const client = new Redis({ host: address!.host, port: address!.port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    await client.connect();
    await expect(client.ping()).rejects.toThrow(/NOAUTH/);
    expect(await client.call('AUTH', 'pa"ss word\\')).toBe('OK');
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await backend.close();
    const after = new Redis({ host: address!.host, port: address!.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });
});
