import { test, expect, Page, FrameLocator } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { binary, dataDir } from '../playwright.config';

// Logbook runs on 3123; the platform's portal on 3124 (allowed to embed)
// and another site on 3125 (not allowed).
const logbook = 'http://127.0.0.1:3123';
const portal = 'http://127.0.0.1:3124';
const stranger = 'http://127.0.0.1:3125';
const env = { ...process.env, LOGBOOK_DATA_DIR: dataDir };

let key = '';
let sites: Server[] = [];

/** A page on `port` that frames `src`, as a platform's own page would. */
function site(port: number): Server {
  const server = createServer((req, res) => {
    const src = new URL(req.url!, 'http://x').searchParams.get('src') ?? '';
    res.setHeader('content-type', 'text/html');
    res.end(`<!DOCTYPE html><title>portal</title><h1>Portal</h1>
      <iframe id="log" title="Activity" style="width:1200px;height:700px" src="${src.replace(/"/g, '&quot;')}"></iframe>`);
  });
  server.listen(port, '127.0.0.1');
  return server;
}

async function token(body: object): Promise<{ token: string; url: string; expires_at: string }> {
  const res = await fetch(`${logbook}/api/v1/viewer-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** Opens `path` of Logbook framed by the page on `origin`. */
async function framed(page: Page, origin: string, path: string): Promise<FrameLocator> {
  await page.goto(`${origin}/?src=${encodeURIComponent(logbook + path)}`);
  return page.frameLocator('#log');
}

test.beforeAll(() => {
  key = execFileSync(binary, ['create-api-key', '--tenant', 'keyforge', '--name', 'portal', '--scope', 'read,export'], { env })
    .toString().trim();
  execFileSync(binary, ['embed-origins', '--tenant', 'keyforge', '--set', portal], { env });
  sites = [site(3124), site(3125)];
});

test.afterAll(() => sites.forEach((s) => s.close()));

test('a platform frames the viewer for one actor, who sees only their own events however the URL or token is edited', async ({ page }) => {
  // The actor of the newest keyforge event, through the read API.
  const newest = await (await fetch(`${logbook}/api/v1/events?limit=1&q=actor_type:customer`, {
    headers: { authorization: `Bearer ${key}` },
  })).json();
  const actor = newest.events[0].actor;
  const label = actor.name ?? actor.email ?? actor.id;
  const issued = await token({ actor: actor.id, user: actor.id, export: true });
  expect(issued.url).toBe(`/embed?token=${issued.token}`);

  const frame = await framed(page, portal, `${issued.url}&theme=dark&lang=de`);
  const rows = frame.locator('.embed-table tbody tr');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThan(0);
  const actors = await frame.locator('.embed-table td.actor').allTextContents();
  expect(new Set(actors)).toEqual(new Set([label]));
  // No Logbook chrome, the platform's theme and language.
  await expect(frame.locator('.topbar')).toHaveCount(0);
  await expect(frame.locator('.embed.dark')).toBeVisible();
  await expect(frame.getByRole('button', { name: 'Suchen' })).toBeVisible();

  // Details, with the diff, stay inside the scope.
  await frame.locator('.embed-table td.description a').first().click();
  await expect(frame.locator('table.changes, .embed p.notice').first()).toBeVisible();
  await expect(frame.locator('.fields')).toContainText(label);

  // Editing the URL: another actor, another tenant.
  for (const q of ['actor:someone-else', 'tenant:stampy', `actor:${actor.id} tenant:luckyspin`]) {
    const edited = await framed(page, portal, `${issued.url}&q=${encodeURIComponent(q)}`);
    await expect(edited.getByText('No activity matches.')).toBeVisible();
  }
  // Editing the token: refused with a clear message.
  const flipped = issued.token.slice(0, -3) + (issued.token.endsWith('AAA') ? 'BBB' : 'AAA');
  await page.goto(`${logbook}/embed?token=${flipped}`);
  await expect(page.getByRole('alert')).toHaveText('This link is not valid. Ask the site that showed it for a new one.');
  // A server-function call with another actor's filter is narrowed all the same.
  const res = await page.request.post(`${logbook}/api/embed/events`, {
    data: { token: issued.token, filter: { is: { actor: 'someone-else' } }, page: { older_than: null, newer_than: null, limit: 50 } },
  });
  expect(res.status()).toBe(200);
  expect((await res.json()).events).toEqual([]);
  // And a pin of the viewer's own making is not a field the server reads.
  const widened = await page.request.post(`${logbook}/api/embed/events`, {
    data: { token: issued.token, filter: { pin: { actor_id: null } }, page: { older_than: null, newer_than: null, limit: 50 } },
  });
  expect(widened.status()).toBe(400);
});

test('an expired viewer link is refused with a clear message inside the frame', async ({ page }) => {
  const issued = await token({ expires_in: 1 });
  await page.waitForTimeout(1500);
  const frame = await framed(page, portal, issued.url);
  await expect(frame.getByRole('alert')).toHaveText('This link has expired. Reload the page that showed it.');
});

test('a site not on the tenant\'s list cannot frame the viewer', async ({ page }) => {
  const issued = await token({});
  const allowed = await framed(page, portal, issued.url);
  await expect(allowed.locator('.embed-table tbody tr').first()).toBeVisible();
  const refused = await framed(page, stranger, issued.url);
  await page.waitForTimeout(1500);
  await expect(refused.locator('.embed')).toHaveCount(0);
  const response = await page.request.get(`${logbook}${issued.url}`);
  expect(response.headers()['content-security-policy']).toContain(`frame-ancestors 'self' ${portal}`);
  expect(response.headers()['x-frame-options']).toBeUndefined();
  // The dashboard itself is never framable.
  const dashboard = await page.request.get(`${logbook}/sign-in`);
  expect(dashboard.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});
