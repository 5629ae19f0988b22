import { describe, expect, it } from 'vitest';
import { maskSecrets } from './mask-secrets';

describe('maskSecrets', () => {
  it('masks tokens, JWTs, passwords, URL passwords and keys, and leaves ordinary lines alone', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEyMzQ1Njc4In0.c2lnbmF0dXJlLXZhbHVl';
    expect(maskSecrets(`Authorization: Bearer abcdefghijklmnop`)).toBe('Authorization: Bearer [REDACTED]');
    expect(maskSecrets(`token ${jwt} rejected`)).toBe('token [REDACTED:jwt] rejected');
    expect(maskSecrets('login failed password=hunter22 user=u-1')).toBe('login failed password=[REDACTED] user=u-1');
    expect(maskSecrets('connecting to postgresql://codesign:s3cr3t@postgres-0:5432/db')).toBe('connecting to postgresql://codesign:[REDACTED]@postgres-0:5432/db');
    expect(maskSecrets('key AKIAABCDEFGHIJKLMNOP used')).toBe('key [REDACTED:aws-key] used');
    const plain = '2026-12-01T21:21:51.632Z INFO  [gunicorn] GET /api/v1/designs status=200 duration=152ms user=u-5551 request_id=f20963b6c94';
    expect(maskSecrets(plain)).toBe(plain);
  });
});
