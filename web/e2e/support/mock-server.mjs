// A small stand-in for the Liyan API, for working on the web app without the Rust server.
// It serves web/dist with the production CSP and an in-memory front-desk world:
//   node e2e/support/mock-server.mjs [port]     (default 5180; user qiantai / Init-Passw0rd, forced change)
// Not used by the real e2e run, which points LIYAN_E2E_URL at the real server.
import { createServer } from 'node:http'
import { readFileSync, existsSync, statSync } from 'node:fs'
import { join, extname, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist')
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf' }

export function createMock() {
  const users = [
    { id: 1, username: 'admin', display_name: '管理员', role: 'admin', store_id: 1, password: 'Admin-Passw0rd', must_change_password: false, disabled: false, locked_until: null },
    { id: 2, username: 'qiantai', display_name: '前台小李', role: 'front_desk', store_id: 1, password: 'Init-Passw0rd', must_change_password: true, disabled: false, locked_until: null },
  ]
  const customers = [
    { id: 1, member_no: 'M000001', name: '张三', pinyin: ['zs', 'zhangsan'], gender: 'female', birthday: '1990-05-01', mobile: '13800135678', wechat_id: 'zhangsan_wx', id_number: '11010119900501123X', store_id: 1, source: 'walk_in', skin_type: 'dry', allergies: '青霉素', concerns: '色斑', notes: '', consents: { privacy: { granted_at: Date.now() - 86400000, version: '2026.1' }, health_data: null, marketing: null, photos: null } },
    { id: 2, member_no: 'M000002', name: '李四', pinyin: ['ls', 'lisi'], gender: 'male', mobile: '13900001234', store_id: 1, source: 'referral', consents: { privacy: null, health_data: null, marketing: null, photos: null } },
  ]
  for (let i = 3; i <= 120; i++) {
    customers.push({ id: i, member_no: `M${String(i).padStart(6, '0')}`, name: `王${i}`, pinyin: ['w', 'wang'], gender: 'female', mobile: `137${String(10000000 + i)}`, store_id: 1, source: 'online', consents: {} })
  }
  for (const c of customers) c.created_at = c.updated_at = Date.now() - c.id * 3600000
  const sessions = new Map() // refresh id -> user id
  const tokens = new Map() // access token -> user id
  const audit = []

  const FD_FIELDS = { member_no: 'read', name: 'write', gender: 'write', birthday: 'write', mobile: 'write_masked', wechat_id: 'write_masked', id_number: 'hidden', store_id: 'read', consultant_id: 'read', source: 'write', skin_type: 'write', allergies: 'hidden', concerns: 'write', medical_history: 'hidden', notes: 'write', consents: 'write', created_at: 'read', updated_at: 'read' }
  const ALL_WRITE = Object.fromEntries(Object.keys(FD_FIELDS).map((k) => [k, ['member_no', 'created_at', 'updated_at'].includes(k) ? 'read' : 'write']))
  const perms = (u) =>
    u.role === 'admin'
      ? { customer: { actions: ['read', 'create', 'update', 'delete', 'export', 'reveal'], fields: ALL_WRITE }, user: { actions: ['read', 'create', 'update'], fields: {} }, audit: { actions: ['read'], fields: {} }, access: { actions: ['read', 'update'], fields: {} }, store: { actions: ['read', 'update'], fields: {} } }
      : { customer: { actions: ['read', 'create', 'update', 'reveal'], fields: FD_FIELDS }, store: { actions: ['read'], fields: {} } }

  const mask = (f, v) => {
    if (v == null) return v
    if (f === 'mobile') return v.slice(0, 3) + '****' + v.slice(-4)
    if (f === 'name') return v.slice(0, 1) + '*'
    return String(v).slice(0, 2) + '****'
  }
  const exportCustomer = (c, u) => {
    const fields = perms(u).customer.fields
    const out = { id: c.id }
    for (const [f, p] of Object.entries(fields)) {
      if (p === 'hidden' || !(f in c)) continue
      out[f] = p === 'masked' || p === 'write_masked' ? mask(f, c[f]) : c[f]
    }
    return out
  }
  const publicUser = (u) => ({ id: u.id, username: u.username, display_name: u.display_name, role: u.role, store_id: u.store_id })
  const en = (req) => /^en/.test(req.headers['accept-language'] || '')
  const problem = (res, req, status, code, zh, enText, extra = {}) => send(res, status, { type: `https://liyan.local/problems/${code}`, title: en(req) ? enText : zh, status, ...extra }, 'application/problem+json')
  function send(res, status, body, type = 'application/json') {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
    res.end(body === undefined ? '' : JSON.stringify(body))
  }
  function session(res, u) {
    const rid = randomBytes(16).toString('hex')
    const at = randomBytes(16).toString('hex')
    sessions.set(rid, u.id)
    tokens.set(at, u.id)
    res.setHeader('set-cookie', `liyan_refresh=${rid}; HttpOnly; SameSite=Strict; Path=/api/v1/auth`)
    return { access_token: at, expires_in: 900, must_change_password: u.must_change_password, user: publicUser(u) }
  }
  const cookie = (req, name) => (req.headers.cookie || '').split(/;\s*/).map((x) => x.split('=')).find(([k]) => k === name)?.[1]
  const body = (req) => new Promise((ok) => { let d = ''; req.on('data', (c) => (d += c)); req.on('end', () => { try { ok(d ? JSON.parse(d) : {}) } catch { ok({}) } }) })

  async function api(req, res, path, query) {
    const m = req.method
    if (path === '/setup/status') return send(res, 200, { needs_setup: false })
    if (path === '/auth/login' && m === 'POST') {
      const b = await body(req)
      const u = users.find((x) => x.username === b.username && x.password === b.password)
      if (!u) return problem(res, req, 401, 'invalid_credentials', '用户名或密码错误', 'Wrong username or password')
      return send(res, 200, session(res, u))
    }
    if (path === '/auth/refresh' && m === 'POST') {
      const rid = cookie(req, 'liyan_refresh')
      const uid = rid && sessions.get(rid)
      if (!uid) return problem(res, req, 401, 'unauthenticated', '请登录', 'Please log in')
      sessions.delete(rid)
      return send(res, 200, session(res, users.find((x) => x.id === uid)))
    }
    if (path === '/auth/logout') {
      sessions.delete(cookie(req, 'liyan_refresh'))
      res.setHeader('set-cookie', 'liyan_refresh=; Max-Age=0; Path=/api/v1/auth')
      return send(res, 204)
    }
    const tok = (req.headers.authorization || '').replace(/^Bearer /, '')
    const u = users.find((x) => x.id === tokens.get(tok))
    if (!u) return problem(res, req, 401, 'unauthenticated', '请登录', 'Please log in')
    if (path === '/auth/change-password' && m === 'POST') {
      const b = await body(req)
      if (b.old_password !== u.password) return problem(res, req, 422, 'validation', '请检查输入', 'Check the input', { errors: [{ field: 'old_password', message: en(req) ? 'Wrong password' : '当前密码错误' }] })
      if (!b.new_password || b.new_password.length < 10) return problem(res, req, 422, 'validation', '请检查输入', 'Check the input', { errors: [{ field: 'new_password', message: en(req) ? 'At least 10 characters' : '至少10位' }] })
      u.password = b.new_password
      u.must_change_password = false
      return send(res, 200, session(res, u))
    }
    if (u.must_change_password) return problem(res, req, 403, 'must_change_password', '请先修改密码', 'Change your password first')
    if (path === '/me') return send(res, 200, { user: publicUser(u), permissions: perms(u) })
    if (path === '/stores') return send(res, 200, { items: [{ id: 1, code: 'S01', name: '旗舰店' }] })
    if (path === '/customers' && m === 'GET') {
      const q = (query.get('q') || '').toLowerCase()
      const limit = Number(query.get('limit') || 50)
      const after = Number(query.get('after') || 0)
      let list = customers.filter((c) => !c.deleted)
      if (q) {
        list = list.filter((c) =>
          /^\d{11}$/.test(q) ? c.mobile === q : /^\d{4}$/.test(q) ? c.mobile?.endsWith(q) : /^m\d+$/.test(q) ? c.member_no.toLowerCase() === q : /^[a-z]+$/.test(q) ? (c.pinyin || []).some((p) => p.startsWith(q)) : c.name.includes(q),
        )
      }
      list = list.filter((c) => c.id > after)
      const page = list.slice(0, limit)
      return send(res, 200, { items: page.map((c) => exportCustomer(c, u)), next_cursor: list.length > limit ? String(page[page.length - 1].id) : null })
    }
    if (path === '/customers' && m === 'POST') {
      const b = await body(req)
      const errors = []
      if (!b.name) errors.push({ field: 'name', message: en(req) ? 'Required' : '必填' })
      if (b.mobile && !/^1[3-9]\d{9}$/.test(b.mobile)) errors.push({ field: 'mobile', message: en(req) ? 'Invalid mobile' : '手机号格式不正确' })
      if (errors.length) return problem(res, req, 422, 'validation', '请检查输入', 'Check the input', { errors })
      const dup = customers.find((c) => c.mobile && c.mobile === b.mobile)
      if (dup) return problem(res, req, 409, 'duplicate-mobile', `手机号已存在：客户 ${dup.name}（${dup.member_no}）`, `This mobile already exists: customer ${dup.name} (${dup.member_no})`, { existing_id: dup.id, errors: [{ field: 'mobile', message: en(req) ? 'mobile already exists' : '手机号已存在' }] })
      const id = customers.length + 1
      const consents = {}
      for (const [k, v] of Object.entries(b.consents || {})) consents[k] = v ? { granted_at: Date.now(), version: '2026.1' } : null
      const c = { ...b, id, member_no: `M${String(id).padStart(6, '0')}`, store_id: u.store_id, consents, created_at: Date.now(), updated_at: Date.now() }
      customers.push(c)
      return send(res, 201, exportCustomer(c, u))
    }
    let mm
    if ((mm = path.match(/^\/customers\/(\d+)(\/\w+)?$/))) {
      const c = customers.find((x) => x.id === Number(mm[1]) && !x.deleted)
      if (!c) return problem(res, req, 404, 'not_found', '客户不存在', 'Customer not found')
      const sub = mm[2]
      if (!sub && m === 'GET') {
        audit.push({ id: audit.length + 1, at: Date.now(), actor: u.username, role: u.role, ip: '127.0.0.1', action: 'view', entity: 'customer', entity_id: c.id, store_id: 1, changes: null })
        return send(res, 200, exportCustomer(c, u))
      }
      if (!sub && m === 'PATCH') { Object.assign(c, await body(req), { updated_at: Date.now() }); return send(res, 200, exportCustomer(c, u)) }
      if (!sub && m === 'DELETE') { c.deleted = true; return send(res, 204) }
      if (sub === '/reveal') { const b = await body(req); return send(res, 200, { field: b.field, value: c[b.field] }) }
      if (sub === '/audit') return send(res, 200, { items: audit.filter((a) => a.entity_id === c.id).reverse() })
    }
    if (path === '/access/matrix') {
      const roles = ['admin', 'front_desk']
      const fields = Object.keys(FD_FIELDS).map((name) => ({ name, sensitivity: name === 'mobile' ? 'contact' : /allerg|medical/.test(name) ? 'health' : 'plain' }))
      return send(res, 200, {
        roles,
        entities: [{ name: 'customer', actions: ['read', 'create', 'update', 'delete', 'export', 'reveal'], fields }],
        field_policies: Object.fromEntries(roles.map((r) => [r, { customer: perms({ role: r }).customer.fields }])),
        actions: Object.fromEntries(roles.map((r) => [r, { customer: perms({ role: r }).customer.actions }])),
        scopes: { admin: 'all', front_desk: 'own_stores' },
      })
    }
    if (path.startsWith('/access/') && m === 'PUT') return send(res, 204)
    if (path === '/users') return send(res, 200, { items: users.map(({ password, ...x }) => x) })
    if (path === '/audit') return send(res, 200, { items: [...audit].reverse(), next_cursor: null })
    return problem(res, req, 404, 'not_found', '未找到', 'Not found')
  }

  return createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    res.setHeader('content-security-policy', CSP)
    if (url.pathname.startsWith('/api/v1/')) return api(req, res, url.pathname.slice(7), url.searchParams)
    let file = join(DIST, url.pathname)
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html')
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' })
    res.end(readFileSync(file))
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] || 5180)
  createMock().listen(port, '127.0.0.1', () => console.log(`mock Liyan on http://127.0.0.1:${port}`))
}
