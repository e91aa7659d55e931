import { test, expect } from '@playwright/test';
import { rows, signIn } from './helpers';

test.beforeEach(async ({ page }) => {
  await signIn(page, 'admin@logbook.demo');
});

test('the integrity page shows the public key and signs a checkpoint on demand', async ({ page }) => {
  await page.goto('/integrity');
  await expect(page.getByTestId('public-key')).toHaveText(/^[A-Za-z0-9+/]{43}=$/);
  const row = page.locator('tr[data-tenant="stampy"]');
  // Retried until the page is hydrated and the click reaches the button.
  await expect(async () => {
    await row.getByRole('button', { name: 'Sign now' }).click();
    await expect(row.locator('td.checkpoint')).toContainText('on_demand', { timeout: 2_000 });
  }).toPass();
  await row.getByRole('button', { name: 'Verify' }).click();
  await expect(row.locator('.chain-ok')).toContainText(/\d+ checkpoints matched/);
});

test('an admin keeps a tenant forever under legal hold, and the change is logged', async ({ page }) => {
  await page.goto('/retention');
  const row = page.locator('tr[data-tenant="stampy"]');
  await expect(async () => {
    await row.getByLabel('Keep events').selectOption('forever');
    await row.getByLabel('Legal hold').check();
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row).toContainText('Saved', { timeout: 2_000 });
  }).toPass();

  await page.reload();
  await expect(row.getByLabel('Keep events')).toHaveValue('forever');
  await expect(row.getByLabel('Legal hold')).toBeChecked();

  await page.goto('/?tenant=logbook&action=retention.changed');
  await expect(page.locator(rows).first()).toContainText('Retention of stampy set to forever, under legal hold');
});
