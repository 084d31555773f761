// Clinical journey on a customer's 360° page, in the system's headless Chromium: upload two
// photos, compare them, sign a consent form with mouse strokes on the canvas, open the print page.
//
//   LIYAN_E2E_URL=https://127.0.0.1:9443 LIYAN_E2E_CLINICAL_USER=doctor LIYAN_E2E_CLINICAL_PASSWORD=... \
//   LIYAN_E2E_PHOTO_CUSTOMER_ID=123 LIYAN_E2E_PHOTO_CUSTOMER_NAME=... npm run e2e
//
// Missing variables fail the test: it never skips silently.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { env, login, need, tid, withBrowser } from './support.mjs'

/** A real JPEG drawn by the browser itself (a coloured gradient with a label). */
async function jpeg(page, hue, label) {
  const b64 = await page.evaluate(
    ([hue, label]) => {
      const c = document.createElement('canvas')
      c.width = 800
      c.height = 600
      const g = c.getContext('2d')
      const grad = g.createLinearGradient(0, 0, 800, 600)
      grad.addColorStop(0, `hsl(${hue}, 70%, 70%)`)
      grad.addColorStop(1, `hsl(${hue}, 70%, 30%)`)
      g.fillStyle = grad
      g.fillRect(0, 0, 800, 600)
      g.fillStyle = '#fff'
      g.font = '64px sans-serif'
      g.fillText(label, 60, 320)
      return c.toDataURL('image/jpeg', 0.9).split(',')[1]
    },
    [hue, label],
  )
  return Buffer.from(b64, 'base64')
}

async function upload(page, buffer, name, kind) {
  await page.locator(tid('photo-upload')).click()
  const dialog = page.locator(tid('photo-upload-dialog'))
  await dialog.waitFor()
  await page.locator(tid('photo-file')).setInputFiles({ name, mimeType: 'image/jpeg', buffer })
  await page.locator(tid(`photo-kind-${kind}`)).click()
  await page.locator(tid('photo-upload-submit')).click()
  await dialog.waitFor({ state: 'hidden' })
}

/** Three strokes across the signature pad with the mouse. */
async function signWithMouse(page) {
  const pad = page.locator(tid('signature-pad'))
  await pad.scrollIntoViewIfNeeded()
  const box = await pad.boundingBox()
  assert.ok(box, 'signature pad has a box')
  const strokes = [
    [[0.1, 0.6], [0.2, 0.3], [0.3, 0.7], [0.4, 0.35]],
    [[0.45, 0.5], [0.55, 0.3], [0.6, 0.7], [0.7, 0.4]],
    [[0.72, 0.65], [0.85, 0.35], [0.92, 0.6]],
  ]
  for (const s of strokes) {
    await page.mouse.move(box.x + s[0][0] * box.width, box.y + s[0][1] * box.height)
    await page.mouse.down()
    for (const [x, y] of s.slice(1)) {
      await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 })
    }
    await page.mouse.up()
  }
}

test('clinical staff: photos, before/after compare, signed consent and its print page', { timeout: 180_000 }, async (t) => {
  const base = need('LIYAN_E2E_CLINICAL_USER', 'LIYAN_E2E_CLINICAL_PASSWORD', 'LIYAN_E2E_PHOTO_CUSTOMER_ID', 'LIYAN_E2E_PHOTO_CUSTOMER_NAME')
  const customerId = env.LIYAN_E2E_PHOTO_CUSTOMER_ID

  await withBrowser(t, async (page, s) => {
    s.step = 'login'
    await login(page, base, env.LIYAN_E2E_CLINICAL_USER, env.LIYAN_E2E_CLINICAL_PASSWORD)

    s.step = 'photos tab'
    await page.goto(`${base}/customers/${customerId}`)
    await page.locator('#tab-photos').click()
    await page.locator(tid('photo-gallery')).waitFor()

    s.step = 'upload two photos'
    await upload(page, await jpeg(page, 20, '术前 BEFORE'), 'before.jpg', 'before')
    await page.locator(`${tid('photo-area-face')} .thumb`).first().waitFor()
    await upload(page, await jpeg(page, 200, '术后 AFTER'), 'after.jpg', 'after')
    const thumbs = page.locator(`${tid('photo-area-face')} .thumb img`)
    await thumbs.nth(1).waitFor()
    assert.equal(await thumbs.count(), 2)
    assert.match(await thumbs.nth(0).getAttribute('src'), /^blob:/, 'thumbnails come through the API as blobs')

    s.step = 'compare'
    await page.locator(tid('photo-compare-area-face')).click()
    const compare = page.locator(tid('photo-compare'))
    await compare.waitFor()
    await compare.locator('figure img').nth(1).waitFor()
    assert.equal(await compare.locator('figure').count(), 2)
    const widths = await compare.locator('figure img').evaluateAll((imgs) => imgs.map((i) => i.naturalWidth))
    assert.deepEqual(widths, [800, 800], 'the display size of both photos is shown')
    if (env.LIYAN_E2E_SHOTS) await page.screenshot({ path: join(env.LIYAN_E2E_SHOTS, 'photo-compare.png') })
    await page.locator(tid('compare-slider')).click()
    await compare.locator('.stack img').nth(1).waitFor()
    await page.keyboard.press('Escape')
    await compare.waitFor({ state: 'hidden' })

    s.step = 'sign a consent form'
    await page.locator('#tab-consents').click()
    await page.locator(tid('consent-sign')).click()
    await page.locator(tid('consent-text')).waitFor()
    assert.match(await page.locator(tid('consent-text')).innerText(), /知情同意书/)
    assert.ok(await page.locator(tid('consent-submit')).isDisabled(), 'nothing drawn, nothing to sign')
    await signWithMouse(page)
    await page.locator(tid('consent-submit')).click()
    const verified = page.locator(`${tid('consent-list')} [data-testid^="consent-verified-"]`)
    await verified.first().waitFor()
    assert.equal((await verified.first().innerText()).trim(), '完整')

    s.step = 'print page'
    const href = await page.locator(`${tid('consent-list')} [data-testid^="consent-print-"]`).first().getAttribute('href')
    assert.match(href, /^\/consents\/\d+\/print$/)
    await page.goto(`${base}${href}`)
    await page.locator(tid('consent-print')).waitFor()
    assert.match(await page.locator(tid('print-title')).innerText(), /知情同意书/)
    assert.match(await page.locator(tid('print-hash')).innerText(), /[0-9a-f]{64}/)
    assert.equal((await page.locator(tid('print-verified')).innerText()).trim(), '完整')
    await page.locator(`${tid('print-signature')}`).waitFor()
    const sigWidth = await page.locator(tid('print-signature')).evaluate((i) => i.naturalWidth)
    assert.ok(sigWidth > 100, 'the signature picture is shown')
    await page.locator(tid('print-customer')).filter({ hasText: env.LIYAN_E2E_PHOTO_CUSTOMER_NAME.slice(0, 1) }).waitFor()
    await page.emulateMedia({ media: 'print' })
    assert.ok(await page.locator(tid('consent-print-button')).isHidden(), 'the print button is not printed')
    if (env.LIYAN_E2E_SHOTS) await page.screenshot({ path: join(env.LIYAN_E2E_SHOTS, 'consent-print.png'), fullPage: true })
  })
})
