import { test, expect, Page, Locator } from '@playwright/test';
import { hydrated, rows, signIn } from './helpers';

/** How many events the log's NDJSON export finds for the query of `href`. */
async function eventsBehind(page: Page, href: string) {
  const query = href.split('?')[1] ?? '';
  const response = await page.request.get(`/api/exports/ndjson?${query}`);
  expect(response.ok()).toBe(true);
  return (await response.text()).trim().split('\n').filter((l) => l.length > 0).length;
}

/** The first linked mark of a chart with a count above zero: its link and count. */
async function firstMark(chart: Locator) {
  const links = chart.locator('svg a');
  const count = await links.count();
  for (let i = 0; i < count; i++) {
    const link = links.nth(i);
    const value = Number(await link.locator('[data-value]').first().getAttribute('data-value'));
    if (value > 0) return { link, value, href: (await link.getAttribute('href'))! };
  }
  throw new Error('no mark with events');
}

test('analytics draws the demo data, and a bar opens the log filtered to exactly its events', async ({ page }) => {
  await signIn(page, 'admin@logbook.demo', '/analytics?tenant=keyforge&range=30d');
  await expect(page.locator('section.analytics')).toBeVisible();
  await hydrated(page);
  // Counted again in the browser's own zone.
  await expect(page).toHaveURL(/tz=/);

  for (const id of ['activity', 'auth', 'event-types', 'actions', 'categories']) {
    await expect(page.getByTestId(`chart-${id}`).locator('svg .ct-trigger').first()).toBeAttached();
  }
  await expect(page.locator('.headline').first().locator('.value')).not.toHaveText('0');
  await expect(page.getByTestId('top-actors').locator('tbody tr')).toHaveCount(10);

  // The table toggle shows the same numbers.
  const activity = page.getByTestId('chart-activity');
  await activity.locator('summary').click();
  await expect(activity.locator('tbody tr').first()).toBeVisible();

  // A bar of one event type: the log behind it holds exactly its count.
  const types = page.getByTestId('chart-event-types');
  const mark = await firstMark(types);
  expect(mark.href).toContain('event_type=');
  expect(await eventsBehind(page, mark.href)).toBe(mark.value);

  // A piece of a day's stack, likewise, then clicked.
  const day = await firstMark(activity);
  expect(day.href).toMatch(/outcome=.*from=.*to=/);
  expect(await eventsBehind(page, day.href)).toBe(day.value);
  await day.link.click();
  await expect(page).toHaveURL(/^[^?]*\/\?.*outcome=/);
  await expect(page.locator('section.log')).toBeVisible();
  await expect(page.locator(rows).first()).toBeVisible();
});

test('a partner sees analytics of their own tenant only', async ({ page }) => {
  await signIn(page, 'partner@keyforge.demo', '/analytics?range=7d');
  await expect(page.getByTestId('top-actors').locator('tbody tr').first()).toBeVisible();
  const details = await page.getByTestId('top-actors').locator('tbody small').allTextContents();
  expect(details.length).toBeGreaterThan(0);
  expect(details.every((d) => d.endsWith('· keyforge'))).toBe(true);
});
