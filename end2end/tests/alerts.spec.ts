import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { binary, dataDir } from '../playwright.config';
import { signIn } from './helpers';

type Hit = { headers: http.IncomingHttpHeaders; body: string };

/** A local webhook receiver standing in for the team's endpoint. */
async function receiver() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return { hits, url: `http://127.0.0.1:${port}/hook`, close: () => server.close() };
}

async function opened(page: Page) {
  await expect(page.locator('section.alerts[data-ready="true"]')).toBeVisible();
}

test('an admin wires a webhook, test-fires it, and a matching event arrives signed', async ({ page, request }) => {
  const hook = await receiver();
  const run = Date.now();
  const hookName = `E2E hook ${run}`;
  await signIn(page, 'admin@logbook.demo', '/alerts');
  await opened(page);

  // The demo's two rules, and what one would have matched.
  const guessing = page.locator('tr[data-rule="Password guessing"]');
  await expect(guessing).toContainText('5 × category:auth outcome:failure within 10 min per actor');
  await expect(page.locator('tr[data-rule="Manual balance additions"]')).toBeVisible();
  await guessing.getByRole('button', { name: 'Test against 30 days' }).click();
  await expect(guessing.locator('.preview')).toContainText(/[1-9]\d* matching events in the last 30 days/);

  // A webhook destination, then a test message through the outbox.
  const newDestination = page.locator('details.new-destination');
  await newDestination.locator('summary').click();
  await newDestination.getByLabel('Name').fill(hookName);
  await newDestination.getByLabel('Kind').selectOption('webhook');
  await newDestination.getByLabel(/Send to/).fill(hook.url);
  await newDestination.getByLabel(/Secret/).fill('e2e-secret');
  await newDestination.getByRole('button', { name: 'Add destination' }).click();
  const row = page.locator(`tr[data-destination="${hookName}"]`);
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Send test' }).click();
  await expect.poll(() => hook.hits.length, { timeout: 15_000 }).toBe(1);
  const test = hook.hits[0];
  const signed = createHmac('sha256', 'e2e-secret')
    .update(`${test.headers['x-logbook-timestamp']}.${test.body}`)
    .digest('hex');
  expect(test.headers['x-logbook-signature']).toBe(`sha256=${signed}`);
  expect(JSON.parse(test.body).summary).toContain('Test message');

  // A rule on a fresh action, fired by an event sent through the API.
  const action = `e2e.alert_${run}`;
  const newRule = page.locator('details.new-rule');
  await newRule.locator('summary').click();
  await newRule.getByLabel('Name').fill(`E2E rule ${run}`);
  // The first label naming a tenant is the tenant choice ("per tenant" comes later).
  await newRule.locator('label:has-text("Tenant") select').first().selectOption('keyforge');
  await newRule.getByLabel('Conditions').fill(`action:${action}`);
  await newRule.getByLabel(hookName).check();
  await newRule.getByRole('button', { name: 'Save rule' }).click();
  await expect(page.locator(`tr[data-rule="E2E rule ${run}"]`)).toContainText(`action:${action}`);

  const key = execFileSync(binary, ['create-api-key', '--tenant', 'keyforge', '--name', 'e2e-alerts'], {
    env: { ...process.env, LOGBOOK_DATA_DIR: dataDir },
  }).toString().trim();
  const response = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${key}` },
    data: [{ action, actor: { id: 'e2e', email: 'e2e@keyforge.io', type: 'staff' }, description: 'E2E alert' }],
  });
  expect(response.status()).toBe(200);
  const id = (await response.json()).results[0].id;
  await expect.poll(() => hook.hits.length, { timeout: 15_000 }).toBe(2);
  const fired = JSON.parse(hook.hits[1].body);
  expect(fired.event.action).toBe(action);
  expect(fired.link).toMatch(new RegExp(`/events/${id}$`));
  hook.close();

  await page.reload();
  await opened(page);
  const sent = page.locator('.alert-deliveries tr[data-status="sent"]', { hasText: action });
  await expect(sent).toHaveCount(1);
});

test('a partner sees and manages only their own tenant\'s alerts', async ({ page }) => {
  await signIn(page, 'partner@keyforge.demo', '/alerts');
  await opened(page);
  await expect(page.locator('tr[data-rule="Manual balance additions"]')).toBeVisible();
  await expect(page.locator('tr[data-rule="Password guessing"]')).toHaveCount(0);
  await expect(page.locator('tr[data-destination="Security team"]')).toHaveCount(0);
});
