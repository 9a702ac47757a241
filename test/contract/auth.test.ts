import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { echoBot } from '../shared/fixtures/bots.ts';
import { post, startServer } from './helpers.ts';

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('caller authentication', () => {
  it('is off by default', async () => {
    const s = await startServer(echoBot);
    expect((await post(s.url)).status).toBe(200);
  });

  it('bearer from the environment: missing or wrong => 401 with WWW-Authenticate; right => 200', async () => {
    const s = await startServer(echoBot, { ECO_AUTH_TOKEN: 's3cret-token' });
    const missing = await post(s.url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((missing.json as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await post(s.url, undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(s.url, undefined, { authorization: 'Bearer s3cret-token-longer' })).status).toBe(401);
    expect((await post(s.url, undefined, { authorization: basic('a', 's3cret-token') })).status).toBe(401);
    expect((await post(s.url, undefined, { authorization: 'Bearer s3cret-token' })).status).toBe(200);
    expect((await post(s.url, undefined, { authorization: 'bearer s3cret-token' })).status).toBe(200);
  });

  it('basic auth as Alertmanager sends it (http_config.basic_auth)', async () => {
    const s = await startServer(echoBot, { ECO_AUTH_USER: 'alertmanager', ECO_AUTH_PASSWORD: 'pa:ss' });
    const missing = await post(s.url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await post(s.url, undefined, { authorization: basic('alertmanager', 'nope') })).status).toBe(401);
    expect((await post(s.url, undefined, { authorization: basic('someone', 'pa:ss') })).status).toBe(401);
    expect((await post(s.url, undefined, { authorization: 'Bearer pa:ss' })).status).toBe(401);
    expect((await post(s.url, undefined, { authorization: basic('alertmanager', 'pa:ss') })).status).toBe(
      200,
    );
  });

  it('the secret is read from the OpenFaaS secrets directory (ECO_AUTH_SECRET_NAME)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eco-secrets-'));
    writeFileSync(join(dir, 'eco-bot-token'), 'from-file\n');
    const s = await startServer(echoBot, { ECO_AUTH_SECRET_NAME: 'eco-bot-token', ECO_SECRETS_DIR: dir });
    expect((await post(s.url, undefined, { authorization: 'Bearer from-file' })).status).toBe(200);
    expect((await post(s.url)).status).toBe(401);
  });

  it('health, ready and metrics stay open; a 401 is not a run', async () => {
    const s = await startServer(echoBot, { ECO_AUTH: 'bearer', ECO_AUTH_TOKEN: 't' });
    for (const path of ['/_/health', '/_/ready', '/metrics'])
      expect((await fetch(s.url + path)).status).toBe(200);
    await post(s.url);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain(
      'eco_bot_invocations_total{bot="eco-echo-bot",trigger="unknown",outcome="rejected"} 1',
    );
    expect(metrics).not.toContain('outcome="ok"');
  });
});
