import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/types.ts';
import { accepts } from '../../shared/http/index.ts';
import { echoBot, pageBot } from '../shared/fixtures/bots.ts';
import { post, startServer } from './helpers.ts';

const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('non-JSON answers and GET invocations (bots that opt in)', () => {
  it('a browser GET gets the HTML; query parameters are the options', async () => {
    const s = await startServer(pageBot);
    const r = await fetch(`${s.url}/?title=fleet`, { headers: { accept: browser } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await r.text()).toBe('<h1>fleet</h1>');
  });

  it('a JSON caller gets the report, without the http body in it', async () => {
    const s = await startServer(pageBot);
    const r = await post(s.url, '{}', { 'content-type': 'application/json', accept: 'application/json' });
    expect(r.status).toBe(200);
    expect((r.json as Report).summary).toBe('page status');
    expect(r.text).not.toContain('<h1>');
    const get = await fetch(`${s.url}/eco-page-bot?format=json`, { headers: { accept: browser } });
    expect(((await get.json()) as Report).summary).toBe('page status');
    const noAccept = await post(s.url);
    expect((noAccept.json as Report).bot).toBe('eco-page-bot');
  });

  it('GET stays a 405 for bots that did not opt in, and bad query options are a 400', async () => {
    const s = await startServer(echoBot);
    const r = await fetch(s.url, { headers: { accept: browser } });
    expect(r.status).toBe(405);
    const page = await startServer(pageBot);
    expect((await fetch(`${page.url}/?title=a&title=b&unknown=1`)).status).toBe(200);
    const other = await startServer([pageBot, echoBot]);
    expect((await fetch(`${other.url}/eco-echo-bot?count=x`)).status).toBe(405);
  });

  it('accepts(): the media type must be named, and not after JSON', () => {
    expect(accepts(browser, 'text/html; charset=utf-8')).toBe(true);
    expect(accepts('*/*', 'text/html')).toBe(false);
    expect(accepts(undefined, 'text/html')).toBe(false);
    expect(accepts('application/json, text/html', 'text/html')).toBe(false);
    expect(accepts('text/html;q=0, application/json', 'text/html')).toBe(false);
    expect(accepts('TEXT/HTML', 'text/html')).toBe(true);
  });
});
