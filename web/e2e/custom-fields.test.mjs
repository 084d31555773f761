// Custom fields through the browser: an admin defines a health choice field and a plain number
// field, fills both on a customer, sees them on the 360° page and filters the list by the number;
// the front desk then sees the number but not the health field, and cannot filter by it.
//
//   LIYAN_E2E_URL=https://127.0.0.1:9443 \
//   LIYAN_E2E_FIELDS_ADMIN_USER=... LIYAN_E2E_FIELDS_ADMIN_PASSWORD=...   (admin)
//   LIYAN_E2E_FIELDS_DESK_USER=... LIYAN_E2E_FIELDS_DESK_PASSWORD=...     (front desk)
//   LIYAN_E2E_FIELDS_CUSTOMER_ID=... LIYAN_E2E_FIELDS_CUSTOMER_NAME=...   (with the health-data consent)
//   [LIYAN_E2E_NEW_PASSWORD=...] [LIYAN_E2E_CHROMIUM=/usr/bin/chromium] npm run e2e
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { choose, env, field, login, need, tid, withBrowser } from './support.mjs'

async function defineField(page, { label, key, kind, sensitivity, options }) {
  await page.locator(tid('cf-new')).click()
  await field(page, 'cf-label').fill(label)
  await field(page, 'cf-key').fill(key)
  await choose(page, 'cf-kind', kind)
  await choose(page, 'cf-sensitivity', sensitivity)
  if (options) await field(page, 'cf-options').fill(options.join('\n'))
  await page.locator(tid('cf-save')).click()
  await page.locator(tid('cf-table')).filter({ hasText: `cf_${key}` }).waitFor()
}

test('custom fields: define, fill, show, filter; hidden from the front desk by class', { timeout: 180_000 }, async (t) => {
  const base = need(
    'LIYAN_E2E_FIELDS_ADMIN_USER', 'LIYAN_E2E_FIELDS_ADMIN_PASSWORD',
    'LIYAN_E2E_FIELDS_DESK_USER', 'LIYAN_E2E_FIELDS_DESK_PASSWORD',
    'LIYAN_E2E_FIELDS_CUSTOMER_ID', 'LIYAN_E2E_FIELDS_CUSTOMER_NAME',
  )
  const id = env.LIYAN_E2E_FIELDS_CUSTOMER_ID
  await withBrowser(t, async (page, s) => {
    s.step = 'admin logs in and opens the custom fields page'
    await login(page, base, env.LIYAN_E2E_FIELDS_ADMIN_USER, env.LIYAN_E2E_FIELDS_ADMIN_PASSWORD)
    await page.locator(tid('menu-custom-fields')).click()
    await page.waitForURL(/\/custom-fields$/)

    s.step = 'a bad key is refused in the dialog'
    await page.locator(tid('cf-new')).click()
    await field(page, 'cf-label').fill('错误')
    await field(page, 'cf-key').fill('Bad Key')
    await page.locator(tid('cf-save')).click()
    await page.locator('.el-dialog .el-form-item__error:visible').first().waitFor()
    await page.keyboard.press('Escape')

    s.step = 'define a health choice field and a plain number field'
    await defineField(page, { label: '血型', key: 'blood_type', kind: '单选', sensitivity: '健康', options: ['A', 'B', 'O', 'AB'] })
    await defineField(page, { label: '身高', key: 'height_cm', kind: '数字', sensitivity: '普通' })

    s.step = 'fill both on the customer'
    await page.goto(`${base}/customers/${id}/edit`)
    await field(page, 'input-cf_height_cm').fill('162.5')
    await choose(page, 'input-cf_blood_type', 'AB')
    await page.locator(tid('customer-save')).click()
    await page.waitForURL(new RegExp(`/customers/${id}$`))

    s.step = 'the 360° page shows them'
    await page.locator(tid('field-cf_height_cm')).filter({ hasText: '162.5' }).waitFor()
    assert.equal(await page.locator(tid('field-cf_blood_type')).innerText(), 'AB')

    s.step = 'filter the list by a height range'
    await page.goto(`${base}/customers`)
    await choose(page, 'filter-custom-field', '身高')
    await field(page, 'filter-custom-value').fill('160..165')
    await field(page, 'filter-custom-value').press('Enter')
    await page.locator(tid('filter-cf_height_cm')).waitFor()
    await page.waitForURL(/cf_height_cm=160\.\.165/)
    // Only this customer has a height at all: the list narrows to one row, hers.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="cell-name"]').length === 1)
    assert.equal(await page.locator(tid('cell-name')).innerText(), env.LIYAN_E2E_FIELDS_CUSTOMER_NAME)
  })

  await withBrowser(t, async (page, s) => {
    s.step = 'front desk opens the same customer'
    await login(page, base, env.LIYAN_E2E_FIELDS_DESK_USER, env.LIYAN_E2E_FIELDS_DESK_PASSWORD)
    await page.goto(`${base}/customers/${id}`)
    await page.locator(tid('field-cf_height_cm')).filter({ hasText: '162.5' }).waitFor()
    assert.equal(await page.locator(tid('field-cf_blood_type')).count(), 0, 'the health field is hidden from the front desk')

    s.step = 'the filter picker offers only the fields front desk sees'
    await page.goto(`${base}/customers`)
    await page.locator(tid('filter-custom-field')).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '身高' }).waitFor()
    const offered = await page.locator('.el-select-dropdown__item:visible').allInnerTexts()
    assert.ok(offered.includes('身高'), JSON.stringify(offered))
    assert.ok(!offered.includes('血型'), JSON.stringify(offered))
  })
})
