import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { binary, dataDir } from '../playwright.config';
import { hydrated, rows, signIn } from './helpers';

test.beforeEach(async ({ page }) => {
  await signIn(page, 'admin@logbook.demo');
});

test('the filter controls and the query bar are two views of one filter that lives in the URL', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  const bar = page.getByLabel('Query');
  await expect(bar).toHaveValue('range:30d');

  // Controls write the bar...
  await expect(async () => {
    await page.getByLabel('Action', { exact: true }).fill('license.*');
    await page.getByLabel('Action', { exact: true }).press('Tab');
    await expect(bar).toHaveValue('action:license.* range:30d', { timeout: 1000 });
  }).toPass();
  await page.getByLabel('Outcome').selectOption('failure');
  await expect(bar).toHaveValue('action:license.* outcome:failure range:30d');

  // ...and the bar writes the controls.
  await bar.fill('action:license.* outcome:denied range:7d');
  await expect(page.getByLabel('Outcome')).toHaveValue('denied');
  await expect(page.getByLabel('When')).toHaveValue('7d');

  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/action=license\.\*.*outcome=denied.*range=7d/);
  const outcomes = page.locator(`${rows} td.outcome`);
  await expect(outcomes.first()).toHaveText('denied');

  await page.reload();
  await hydrated(page);
  await expect(bar).toHaveValue('action:license.* outcome:denied range:7d');
  await expect(page.getByLabel('Outcome')).toHaveValue('denied');

  // A malformed query says where and why and runs nothing.
  await bar.fill('action:license.* outcome:ok');
  await expect(page.locator('.query-error mark')).toHaveText('ok');
  await expect(page.locator('.query-error')).toContainText('success, failure, denied');
});

test('the details view shows the diff and the resource history, and takes a tag to filter by', async ({ page }) => {
  await page.goto('/?action=license.hwid_reset&range=all');
  await hydrated(page);
  await page.locator(rows).first().locator('td.action').click();
  await expect(page.locator('table.changes tr.changed th')).toHaveText('hwid');
  await page.getByText('Raw JSON').click();
  await expect(page.locator('details.raw pre')).toContainText('"prev_hash"');

  const eventUrl = page.url();
  await page.getByRole('link', { name: 'History of this resource' }).click();
  await expect(page).toHaveURL(/\/resource\?tenant=.*&type=license&id=/);
  await expect(page.getByRole('heading', { name: /History of license/ })).toBeVisible();
  await expect(page.locator('.timeline > li').first()).toContainText('hwid:');

  await page.goto(eventUrl);
  await hydrated(page);
  const tag = `e2e-${Date.now()}`;
  await expect(async () => {
    await page.getByLabel('New tag').fill(tag);
    await page.getByRole('button', { name: 'Add tag' }).click();
    await expect(page.locator('.notes .tags a.tag', { hasText: tag })).toBeVisible({ timeout: 2000 });
  }).toPass();
  const before = await page.locator('.notes .comments li').count();
  await page.getByLabel('New comment').fill('At the request of the player');
  await page.getByRole('button', { name: 'Comment' }).click();
  await expect(page.locator('.notes .comments li')).toHaveCount(before + 1);
  await expect(page.locator('.notes .comments')).toContainText('At the request of the player');

  await page.locator('.notes .tags a.tag', { hasText: tag }).click();
  await expect(page).toHaveURL(new RegExp(`tag=${tag}`));
  await expect(page.locator(rows)).toHaveCount(1);
  await expect(page.locator(rows).first().locator('a.tag', { hasText: tag })).toBeVisible();
  await expect(page.locator(rows).first().locator('.comment-count')).toHaveText(`${before + 1} comment${before + 1 === 1 ? '' : 's'}`);
});

test('a freshly ingested event appears live at the top, and the pause toggle holds new ones back', async ({ page, request }) => {
  const key = execFileSync(binary, ['create-api-key', '--tenant', 'keyforge', '--name', 'e2e-live'], {
    env: { ...process.env, LOGBOOK_DATA_DIR: dataDir },
  }).toString().trim();
  const action = `e2e.live_${Date.now()}`;
  const send = async (description: string) => {
    const response = await request.post('/api/v1/events', {
      headers: { Authorization: `Bearer ${key}` },
      data: [{ action, actor: { id: 'e2e', type: 'staff' }, description }],
    });
    expect(response.status()).toBe(200);
  };
  await page.goto(`/?action=${action}`);
  await expect(page.locator('.live-state')).toHaveText('Live');
  await expect(page.getByText('No events match this filter yet')).toBeVisible();
  // Let the page hydrate and open its stream.
  await page.waitForFunction(() => document.readyState === 'complete');

  await send('First live event');
  await expect(page.locator(rows).first()).toContainText('First live event', { timeout: 5000 });

  await page.getByRole('button', { name: 'Pause live updates' }).click();
  await send('Held while paused');
  await expect(page.getByRole('button', { name: 'Resume live updates (1 new)' })).toBeVisible({ timeout: 5000 });
  await expect(page.locator(rows)).toHaveCount(1);
  await page.getByRole('button', { name: /Resume live updates/ }).click();
  await expect(page.locator(rows)).toHaveCount(2);
  await expect(page.locator(rows).first()).toContainText('Held while paused');
});

test('a saved view appears in the sidebar and brings its filter back', async ({ page }) => {
  await page.goto('/?action=license.*&not_outcome=success&range=7d');
  await hydrated(page);
  const name = `Failed licence work ${Date.now()}`;
  await expect(async () => {
    await page.getByLabel('View name').fill(name);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.locator('.saved-views a', { hasText: name })).toBeVisible({ timeout: 2000 });
  }).toPass();
  await page.goto('/');
  await page.locator('.saved-views a', { hasText: name }).click();
  await expect(page).toHaveURL(/action=license\.\*&not_outcome=success&range=7d/);
  await expect(page.getByLabel('Query')).toHaveValue('action:license.* -outcome:success range:7d');
});
