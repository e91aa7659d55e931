import { expect, Page } from '@playwright/test';

/** The documented password of every demo account. */
export const DEMO_PASSWORD = 'logbook-demo';

/** Signs in through the form and waits to land on `next` (default: the log). */
export async function signIn(page: Page, email: string, next = '/') {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await expect(page.locator('section.sign-in[data-ready="true"]')).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

export const rows = '.log-table tbody tr.event-row';

/** Waits until the page is hydrated (times switch from UTC to local): a
 * click on a script-only button before then does nothing. */
export async function hydrated(page: Page) {
  await expect(page.locator('main time').first()).not.toContainText('UTC');
}
