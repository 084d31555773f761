// Admin tools against a running Liyan server, in the system's headless Chromium:
// - a manager imports the committed workbook tests/fixtures/import-customers.xlsx through the
//   browser (proposed mapping checked, dry run, commit, result) and finds an imported customer
//   with the quick search by pinyin;
// - a manager filters the list by a stage, saves it as a shared segment, clears it, reapplies the
//   segment and reloads the bookmarked URL;
// - an admin merges two duplicates (same name + birthday, created through the API) on the
//   duplicates page, then handles privacy requests (copy, restrict, lift, erase) on the 360° page,
//   unlocks a staff account that failed logins locked, and widens then narrows a role's access
//   to a mobile on the permissions page (widening asks first).
//
//   LIYAN_E2E_URL=https://127.0.0.1:9443 \
//   LIYAN_E2E_TOOLS_IMPORT_USER=... LIYAN_E2E_TOOLS_IMPORT_PASSWORD=...   (manager)
//   LIYAN_E2E_TOOLS_SEGMENT_USER=... LIYAN_E2E_TOOLS_SEGMENT_PASSWORD=... (manager)
//   LIYAN_E2E_TOOLS_ADMIN_USER=... LIYAN_E2E_TOOLS_ADMIN_PASSWORD=...     (admin)
//   [LIYAN_E2E_IMPORT_FILE=tests/fixtures/import-customers.xlsx] [LIYAN_E2E_NEW_PASSWORD=...]
//   [LIYAN_E2E_CHROMIUM=/usr/bin/chromium] npm run e2e
//
// Each test uses its own account (the e2e files run in parallel). Missing variables fail: never skips.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apiAs, choose, confirmBox, env, field, login, need, tid, withBrowser } from './support.mjs'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const IMPORT_FILE = env.LIYAN_E2E_IMPORT_FILE ? resolve(REPO, env.LIYAN_E2E_IMPORT_FILE) : join(REPO, 'tests/fixtures/import-customers.xlsx')

test('import a workbook through the browser, then find an imported customer by pinyin', { timeout: 180_000 }, async (t) => {
  const base = need('LIYAN_E2E_TOOLS_IMPORT_USER', 'LIYAN_E2E_TOOLS_IMPORT_PASSWORD')
  assert.ok(existsSync(IMPORT_FILE), `fixture missing: ${IMPORT_FILE}`)
  await withBrowser(t, async (page, s) => {
    s.step = 'manager logs in'
    await login(page, base, env.LIYAN_E2E_TOOLS_IMPORT_USER, env.LIYAN_E2E_TOOLS_IMPORT_PASSWORD)

    s.step = 'open the import page from the list'
    await page.locator(tid('menu-customers')).click()
    await page.locator(tid('customer-import')).click()
    await page.waitForURL(/\/customers\/import$/)
    await page.locator(tid('import-view')).waitFor()

    s.step = 'upload the workbook'
    await page.locator(`input${tid('import-file')}`).setInputFiles(IMPORT_FILE)
    await page.locator(tid('import-mapping')).waitFor()
    await page.locator(tid('import-mapping')).filter({ hasText: 'import-customers.xlsx' }).waitFor()

    s.step = 'check the proposed mapping'
    // Columns: 姓名,手机号,身份证,性别,生日,微信,门店,来源,过敏史,健康同意,备注
    const expected = ['姓名', '手机号', '身份证号', '性别', '生日', '微信', '门店', '来源', '过敏史', '健康信息同意', '备注']
    for (const [i, label] of expected.entries()) {
      const text = await page.locator(tid(`import-map-${i}`)).innerText()
      assert.ok(text.includes(label), `column ${i}: expected ${label}, got ${JSON.stringify(text)}`)
    }

    s.step = 'dry run'
    await page.locator(tid('import-dry-run')).click()
    await page.locator(tid('import-summary')).filter({ hasText: /错误 0，/ }).waitFor()
    const dry = await page.locator(tid('import-summary')).innerText()
    assert.match(dry, /新建 3，/, dry)
    assert.equal(await page.locator(`${tid('import-result')} .el-alert--success`).count(), 0, 'a dry run commits nothing')

    s.step = 'commit'
    await page.locator(tid('import-commit')).click()
    await confirmBox(page)
    await page.locator(tid('import-result')).filter({ hasText: '导入完成' }).waitFor()
    assert.match(await page.locator(tid('import-summary')).innerText(), /新建 3，/)
    // One row per data row, each created, each naming its new customer by member no.
    await page.locator(`${tid('import-rows')} .el-table__row`).nth(2).waitFor()
    assert.equal(await page.locator(`${tid('import-rows')} .el-table__row`).filter({ hasText: '新建' }).count(), 3)
    assert.equal(await page.locator(`${tid('import-rows')} .el-table__row`).filter({ hasText: /M\d{6}/ }).count(), 3)
    await page.locator(tid('import-history')).filter({ hasText: 'import-customers.xlsx' }).waitFor()

    s.step = 'quick search by pinyin finds 林小雨'
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur())
    await page.keyboard.press('/')
    await page.keyboard.type('lxy')
    await page.locator(`${tid('quick-search-results')}[data-query="lxy"]`).waitFor()
    const hit = page.locator(tid('quick-search-result')).filter({ hasText: '林小雨' }).filter({ hasText: '0101' })
    await hit.first().waitFor()
    await hit.first().dispatchEvent('mousedown')
    await page.waitForURL(/\/customers\/\d+$/)
    await page.locator(tid('header-name')).filter({ hasText: '林小雨' }).waitFor()
  })
})

test('filter the list by a stage, save it as a segment, reapply it', { timeout: 180_000 }, async (t) => {
  const base = need('LIYAN_E2E_TOOLS_SEGMENT_USER', 'LIYAN_E2E_TOOLS_SEGMENT_PASSWORD')
  const name = `E2E 网电线索 ${Date.now() % 100000}`
  await withBrowser(t, async (page, s) => {
    s.step = 'manager logs in'
    const password = await login(page, base, env.LIYAN_E2E_TOOLS_SEGMENT_USER, env.LIYAN_E2E_TOOLS_SEGMENT_PASSWORD)
    await page.locator(tid('menu-customers')).click()
    await page.locator(tid('filter-bar')).waitFor()
    await page.locator('.customer-row').first().waitFor()

    const stagesShown = () =>
      page.evaluate(() => [...document.querySelectorAll('.customer-row [data-testid="cell-stage"]')].map((e) => e.getAttribute('data-stage')))
    const onlyLeads = () =>
      page.waitForFunction(() => {
        const st = [...document.querySelectorAll('.customer-row [data-testid="cell-stage"]')].map((e) => e.getAttribute('data-stage'))
        return st.length > 0 && st.every((x) => x === 'lead')
      })

    s.step = 'filter by stage 网电咨询'
    await choose(page, 'filter-stage', '网电咨询')
    await page.waitForURL(/[?&]stage=lead(&|$)/)
    await onlyLeads()

    s.step = 'save as a shared segment'
    await page.locator(tid('segment-save')).click()
    await page.locator(tid('segment-dialog')).waitFor()
    await field(page, 'segment-name').fill(name)
    await page.locator(tid('segment-shared')).click()
    await page.locator(tid('segment-save-submit')).click()
    await page.locator(tid('segment-dialog')).waitFor({ state: 'hidden' })
    await page.waitForURL(/[?&]segment=\d+/)
    await page.locator(tid('segment-picker')).filter({ hasText: name }).waitFor()

    s.step = 'the segment is stored with its filter'
    const { api, headers } = await apiAs(base, env.LIYAN_E2E_TOOLS_SEGMENT_USER, password)
    s.api = api
    const segs = await (await api.get('/api/v1/segments', { headers })).json()
    const seg = segs.items.find((x) => x.name === name)
    assert.ok(seg, JSON.stringify(segs))
    assert.deepEqual(seg.filter, { stage: 'lead' })
    assert.equal(seg.shared, true)

    s.step = 'clear the filters'
    await page.locator(tid('filter-clear')).click()
    await page.waitForURL((u) => !u.search.includes('stage='))
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.customer-row [data-testid="cell-stage"]')].some((e) => e.getAttribute('data-stage') !== 'lead'),
    )

    s.step = 'reapply the segment'
    await choose(page, 'segment-picker', name)
    await page.waitForURL(new RegExp(`[?&]stage=lead&segment=${seg.id}$`))
    await onlyLeads()

    s.step = 'the bookmarked URL shows the same list'
    await page.reload()
    await page.locator(tid('filter-stage')).filter({ hasText: '网电咨询' }).waitFor()
    await page.locator(tid('segment-picker')).filter({ hasText: name }).waitFor()
    await onlyLeads()
    assert.ok((await stagesShown()).length > 0)
  })
})

test('merge two duplicates on the duplicates page; privacy requests on the 360° page; unlock an account; widen and narrow a field policy', { timeout: 180_000 }, async (t) => {
  const base = need('LIYAN_E2E_TOOLS_ADMIN_USER', 'LIYAN_E2E_TOOLS_ADMIN_PASSWORD')
  const NAME = '覃若汐'
  const birthday = `19${70 + (Date.now() % 30)}-0${1 + (Date.now() % 9)}-1${Date.now() % 10}`
  await withBrowser(t, async (page, s) => {
    s.step = 'admin logs in'
    const password = await login(page, base, env.LIYAN_E2E_TOOLS_ADMIN_USER, env.LIYAN_E2E_TOOLS_ADMIN_PASSWORD)

    s.step = 'two customers with the same name and birthday (API)'
    const { api, headers } = await apiAs(base, env.LIYAN_E2E_TOOLS_ADMIN_USER, password)
    s.api = api
    const prefix = `177${String(Date.now()).slice(-7)}`
    const ids = []
    for (const last of ['3', '4']) {
      const r = await api.post('/api/v1/customers', { headers, data: { name: NAME, mobile: prefix + last, birthday, store_id: 1 } })
      assert.equal(r.status(), 201, await r.text())
      ids.push((await r.json()).id)
    }
    const [dropId, keepId] = ids

    s.step = 'the duplicates page shows the group'
    await page.locator(tid('menu-customers-duplicates')).click()
    await page.waitForURL(/\/customers\/duplicates$/)
    const group = page.locator(`${tid('dup-group')}[data-reason="name_birthday"]`).filter({ has: page.locator(`${tid('dup-customer')}[data-id="${keepId}"]`) })
    await group.waitFor()
    await group.locator(`${tid('dup-customer')}[data-id="${dropId}"]`).waitFor()
    assert.match(await group.locator(tid('dup-reason')).innerText(), /姓名和生日相同/)
    // Each customer's details are there to choose by, not only the radio buttons.
    for (const id of ids) {
      const name = group.locator(`${tid('dup-customer')}[data-id="${id}"] .name`)
      const box = await name.boundingBox()
      assert.ok(box && box.height > 8 && box.width > 8, `customer ${id} shows its name: ${JSON.stringify(box)}`)
    }

    s.step = 'keep the second one and merge'
    await group.locator(tid(`dup-keep-${keepId}`)).click()
    await group.locator(tid('dup-merge')).click()
    await confirmBox(page)
    await page.locator(`${tid('dup-result')}[data-id="${keepId}"]`).waitFor()
    await group.waitFor({ state: 'detached' })
    const gone = await api.get(`/api/v1/customers/${dropId}`, { headers })
    assert.equal(gone.status(), 404, 'the merged duplicate is gone')

    s.step = 'the kept customer carries the other mobile in the notes, masked'
    await page.locator(tid('dup-result-link')).click()
    await page.waitForURL(new RegExp(`/customers/${keepId}$`))
    await page.locator(tid('header-name')).filter({ hasText: NAME }).waitFor()
    const kept = await (await api.get(`/api/v1/customers/${keepId}`, { headers })).json()
    // Masked: roles that read notes may see mobiles only masked.
    const other = `${prefix}3`
    assert.ok((kept.notes ?? '').includes(`${other.slice(0, 3)}****${other.slice(-4)}`), JSON.stringify(kept))
    assert.ok(!(kept.notes ?? '').includes(other), JSON.stringify(kept))

    s.step = 'a link to the merged duplicate opens the kept customer'
    await page.goto(`${base}/customers/${dropId}`)
    await page.waitForURL(new RegExp(`/customers/${keepId}$`))
    await page.locator(tid('header-name')).filter({ hasText: NAME }).waitFor()

    s.step = 'privacy request: a copy of the data'
    await page.locator(tid('pipl-menu')).click()
    await page.locator(tid('pipl-access')).click()
    await page.locator(`${tid('pipl-dialog')}[data-kind="access"]`).waitFor()
    await field(page, 'pipl-reason').fill('客户本人书面申请查阅')
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(tid('pipl-submit')).click()])
    const copy = JSON.parse(readFileSync(await download.path(), 'utf8'))
    assert.ok(JSON.stringify(copy).includes(NAME), 'the copy names the customer')

    s.step = 'privacy request: restrict, then lift'
    await page.locator(`${tid('pipl-dialog')}`).waitFor({ state: 'hidden' })
    await page.locator(tid('pipl-menu')).click()
    await page.locator(tid('pipl-restrict')).click()
    await field(page, 'pipl-reason').fill('客户要求暂停处理')
    await page.locator(tid('pipl-submit')).click()
    await page.locator(tid('pipl-restricted')).waitFor()
    const refused = await api.patch(`/api/v1/customers/${keepId}`, { headers, data: { notes: 'x' } })
    assert.equal(refused.status(), 409, await refused.text())
    // Nothing on the page offers a change the server would refuse.
    for (const action of ['customer-edit', 'customer-triage', 'consultation-new']) {
      await page.locator(tid(action)).waitFor({ state: 'detached' })
    }
    await page.locator(tid('pipl-lift')).click()
    await field(page, 'pipl-reason').fill('客户撤回限制')
    await page.locator(tid('pipl-submit')).click()
    await page.locator(tid('pipl-restricted')).waitFor({ state: 'detached' })
    await page.locator(tid('customer-edit')).waitFor()

    s.step = 'recorded requests'
    await page.locator(tid('pipl-records-open')).click()
    await page.locator(`${tid('pipl-record')}[data-kind="lift_restriction"]`).waitFor()
    for (const k of ['access', 'restrict']) await page.locator(`${tid('pipl-record')}[data-kind="${k}"]`).waitFor()
    await page.keyboard.press('Escape')

    s.step = 'erase, confirmed by the member no.'
    await page.locator(tid('pipl-menu')).click()
    await page.locator(tid('pipl-erase')).click()
    await field(page, 'pipl-reason').fill('客户要求删除个人信息')
    assert.equal(await page.locator(tid('pipl-submit')).isDisabled(), true, 'erase waits for the member no.')
    await field(page, 'pipl-erase-confirm').fill(kept.member_no)
    await page.locator(tid('pipl-submit')).click()
    await page.waitForURL(/\/customers$/)
    const erased = await api.get(`/api/v1/customers/${keepId}`, { headers })
    assert.equal(erased.status(), 404)

    s.step = 'an account locked by failed logins is unlocked on the users page'
    const username = `e2e_locked_${String(Date.now()).slice(-6)}`
    const made = await api.post('/api/v1/users', { headers, data: { username, display_name: '锁定测试', role: 'nurse', store_id: 1, password: 'Start-2026!' } })
    assert.equal(made.status(), 201, await made.text())
    for (let i = 0; i < 5; i++) {
      const r = await api.post('/api/v1/auth/login', { data: { username, password: `Wrong-pass${i}` } })
      assert.equal(r.status(), 401, await r.text())
    }
    const stillLocked = await api.post('/api/v1/auth/login', { data: { username, password: 'Start-2026!' } })
    assert.equal(stillLocked.status(), 401, 'locked: the right password is refused')
    await page.locator(tid('menu-users')).click()
    await page.waitForURL(/\/users$/)
    await page.locator(tid(`unlock-${username}`)).click()
    await page.locator('.el-message--success').filter({ hasText: '已解锁' }).waitFor()
    await page.locator(tid(`unlock-${username}`)).waitFor({ state: 'detached' })
    const back = await api.post('/api/v1/auth/login', { data: { username, password: 'Start-2026!' } })
    assert.equal(back.status(), 200, await back.text())

    s.step = 'wider access to a personal field asks first: cancelled it stays, confirmed it is saved'
    const mobileOf = async (role) => (await (await api.get('/api/v1/access/matrix', { headers })).json()).field_policies[role].customer.mobile
    const before = await mobileOf('finance')
    assert.ok(['hidden', 'masked'].includes(before), `finance sees mobiles ${before}`)
    const beforeLabel = { hidden: '隐藏', masked: '脱敏' }[before]
    await page.locator(tid('menu-access')).click()
    await page.waitForURL(/\/access$/)
    await choose(page, 'access-role', '财务')
    await page.locator(tid('policy-customer-mobile')).filter({ hasText: beforeLabel }).waitFor()
    await choose(page, 'policy-customer-mobile', '只读')
    const box = page.locator('.el-message-box:visible')
    await box.filter({ hasText: '财务' }).filter({ hasText: '手机' }).filter({ hasText: '只读' }).waitFor()
    await box.locator('.el-message-box__btns .el-button:not(.el-button--primary)').click()
    await box.waitFor({ state: 'hidden' })
    assert.equal(await mobileOf('finance'), before, 'cancelled: nothing saved')
    await page.locator(tid('policy-customer-mobile')).filter({ hasText: beforeLabel }).waitFor()
    await choose(page, 'policy-customer-mobile', '只读')
    await confirmBox(page)
    await page.locator('.el-message--success').filter({ hasText: '已保存' }).last().waitFor()
    assert.equal(await mobileOf('finance'), 'read', 'confirmed: saved')

    s.step = 'narrowing it back saves at once, without asking'
    await page.locator('.el-message--success').waitFor({ state: 'detached' })
    await choose(page, 'policy-customer-mobile', beforeLabel)
    await page.locator('.el-message--success').filter({ hasText: '已保存' }).waitFor()
    assert.equal(await page.locator('.el-message-box:visible').count(), 0, 'no confirmation for a narrower policy')
    assert.equal(await mobileOf('finance'), before)
  })
})
