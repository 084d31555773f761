import { describe, expect, it } from 'vitest'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { AUDIT_ACTIONS, AUDIT_ENTITIES, actionLabel, describeChanges, entityLabel, type Translator } from '../src/lib/audit'
import { formatDateTime } from '../src/lib/format'

/** A translator over the real message tables (flat lookup, no interpolation needed here). */
function translator(messages: object): Translator {
  const get = (key: string): unknown =>
    key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), messages)
  return { t: (k) => (typeof get(k) === 'string' ? (get(k) as string) : k), te: (k) => typeof get(k) === 'string' }
}
const tr = translator(zh)
const enTr = translator(en)

/** The server's Rust sources (same repository), as text. */
const RUST = import.meta.glob<string>('../../src/**/*.rs', { query: '?raw', import: 'default', eager: true })

/** The actions and entities the server writes (read from its source, so a new one fails here). */
function serverCodes(): { actions: Set<string>; entities: Set<string> } {
  const actions = new Set<string>()
  const entities = new Set<string>()
  expect(Object.keys(RUST).length).toBeGreaterThan(20)
  for (const src of Object.values(RUST)) {
    for (const m of src.matchAll(/\baction: "([a-z_]+)"/g)) actions.add(m[1])
    // Helpers that take the action as their third argument (consultations, tags, custom fields …).
    for (const m of src.matchAll(/\b(?:audit_row|audit_change|template_audit|audited)\(\s*tx,\s*&?actor,\s*"([a-z_]+)"/g)) actions.add(m[1])
    for (const m of src.matchAll(/\bentity: "([a-z_]+)"/g)) entities.add(m[1])
  }
  return { actions, entities }
}

describe('labels', () => {
  it('has a label for every audit action in both languages', () => {
    for (const a of AUDIT_ACTIONS) {
      expect(translator(zh).te(`audit.actions.${a}`), a).toBe(true)
      expect(translator(en).te(`audit.actions.${a}`), a).toBe(true)
    }
  })
  it('offers every action and entity the server writes, each with a label in both languages', () => {
    const { actions, entities } = serverCodes()
    for (const a of ['export', 'upload', 'import', 'merge', 'pipl', 'archive']) expect(actions.has(a), a).toBe(true)
    expect([...actions].filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual([])
    expect([...entities].filter((e) => !(AUDIT_ENTITIES as readonly string[]).includes(e))).toEqual([])
    for (const e of AUDIT_ENTITIES) {
      expect(translator(zh).te(`audit.entities.${e}`), e).toBe(true)
      expect(translator(en).te(`audit.entities.${e}`), e).toBe(true)
    }
    expect(actionLabel(tr, 'pipl')).toBe('个人信息请求')
    expect(actionLabel(enTr, 'upload')).toBe('Upload')
    expect(entityLabel(tr, 'signed_consent')).toBe('知情同意书')
    expect(entityLabel(enTr, 'system')).toBe('System')
  })
  it('labels actions and entities, leaving unknown ones as they are', () => {
    expect(actionLabel(tr, 'login')).toBe('登录')
    expect(actionLabel(tr, 'brand_new')).toBe('brand_new')
    expect(actionLabel(tr, null)).toBe('')
    expect(entityLabel(tr, 'customer')).toBe('客户')
    expect(entityLabel(tr, 'thing')).toBe('thing')
  })
})

describe('describeChanges', () => {
  it('counts a view row that stands for several views in the same second', () => {
    expect(describeChanges(tr, 'customer', { times: 3 })).toEqual([{ key: 'times', label: '次数', text: '3' }])
    expect(describeChanges(enTr, 'customer', { times: 3 })).toEqual([{ key: 'times', label: 'Times', text: '3' }])
  })
  it('names the unlocked account and when its lock would have ended', () => {
    const ms = new Date(2026, 10, 24, 21, 30).getTime()
    expect(describeChanges(tr, 'user', { username: 'nurse', was_locked_until: ms })).toEqual([
      { key: 'username', label: '用户名', text: 'nurse' },
      { key: 'was_locked_until', label: '原锁定至', text: formatDateTime(ms) },
    ])
    expect(enTr.t('audit.actions.unlock')).toBe('Unlock account')
  })
  it('says what was wrong with an acknowledged break in the audit chain', () => {
    const rows = describeChanges(tr, 'system', { problem: 'link', reason: '院长决定保留现库', prev_row_hash: 'ab12' })
    expect(rows).toContainEqual({ key: 'problem', label: '问题', text: '链接断开（其前一行被删除、插入或改动）' })
    expect(rows).toContainEqual({ key: 'reason', label: '原因', text: '院长决定保留现库' })
    expect(rows).toContainEqual({ key: 'prev_row_hash', label: '上一行哈希', text: 'ab12' })
    expect(actionLabel(enTr, 'acknowledge_break')).toBe('Audit chain break acknowledged')
  })
  it('names the field an export searched by', () => {
    expect(describeChanges(tr, 'customer', { q: '测*', q_field: 'name' })).toContainEqual({ key: 'q_field', label: '检索字段', text: '姓名' })
  })
  it('names the revealed field', () => {
    expect(describeChanges(tr, 'customer', { field: 'mobile' })).toEqual([{ key: 'field', label: '字段', text: '手机号' }])
  })
  it('shows customer diffs with field labels, old → new, and "changed" for hidden values', () => {
    expect(
      describeChanges(tr, 'customer', {
        source: { old: null, new: 'walk_in' },
        mobile: { old: '13800138000', new: '13900001111' },
        wechat_id: { changed: true },
        consents: { old: ['privacy'], new: ['privacy', 'health_data'] },
      }),
    ).toEqual([
      { key: 'source', label: '来源', text: '— → 自然到店' },
      { key: 'mobile', label: '手机号', text: '138 0013 8000 → 139 0000 1111' },
      { key: 'wechat_id', label: '微信号', text: '已修改' },
      { key: 'consents', label: '授权', text: '隐私政策 → 隐私政策、健康信息' },
    ])
  })
  it('reads a permission change as one old → new item with labels', () => {
    expect(
      // As the server sends it: keys sorted by name.
      describeChanges(tr, 'access', { entity: 'customer', field: 'mobile', new: 'read', old: 'masked', role: 'front_desk' }),
    ).toEqual([
      { key: 'role', label: '角色', text: '前台' },
      { key: 'entity', label: '对象', text: '客户' },
      { key: 'field', label: '字段', text: '手机号' },
      { key: 'change', label: '变更', text: '脱敏 → 只读' },
    ])
    expect(describeChanges(tr, 'access', { role: 'doctor', entity: 'customer', action: 'reveal', allowed: false })).toEqual([
      { key: 'role', label: '角色', text: '医生' },
      { key: 'entity', label: '对象', text: '客户' },
      { key: 'action', label: '操作', text: '显示脱敏' },
      { key: 'allowed', label: '允许', text: '否' },
    ])
  })
  it('translates failed-login reasons and keeps unknown keys and values', () => {
    expect(describeChanges(tr, 'user', { reason: 'wrong_totp', failed_logins: 2, extra: { a: 1 } })).toEqual([
      { key: 'reason', label: '原因', text: '验证码错误' },
      { key: 'failed_logins', label: '连续失败', text: '2' },
      { key: 'extra', label: 'extra', text: '{"a":1}' },
    ])
    expect(describeChanges(tr, 'user', null)).toEqual([])
  })
  it('names stages, consultation codes and instants', () => {
    expect(describeChanges(tr, 'customer', { stage: { old: 'consultation', new: 'lost' } })).toEqual([
      { key: 'stage', label: '阶段', text: '现场咨询 → 流失' },
    ])
    const at = Date.UTC(2026, 10, 23, 6, 30)
    const items = describeChanges(tr, 'consultation', {
      at,
      consultant_id: 7,
      customer_id: 12,
      follow_up_date: '2026-12-01',
      outcome: 'thinking',
      plan_total: '12800.5',
      way: 'onsite',
    })
    expect(items).toEqual([
      { key: 'at', label: '时间', text: formatDateTime(at) },
      { key: 'consultant_id', label: '咨询师', text: '7' },
      { key: 'customer_id', label: '客户', text: '12' },
      { key: 'follow_up_date', label: '回访日期', text: '2026-12-01' },
      { key: 'outcome', label: '结果', text: '考虑中' },
      { key: 'plan_total', label: '方案合计', text: '¥12,800.50' },
      { key: 'way', label: '方式', text: '到院面诊' },
    ])
    expect(items[0].text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(describeChanges(enTr, 'consultation', { way: 'phone', outcome: 'deal' }).map((c) => c.text)).toEqual(['Phone', 'Deal'])
  })
  it('formats every *_at key as a local date and time', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4)
    expect(describeChanges(tr, 'system', { backup_created_at: ms, from: '/srv/backups/b1', replaced_kept_in: null })).toEqual([
      { key: 'backup_created_at', label: '备份时间', text: formatDateTime(ms) },
      { key: 'from', label: '来源', text: '/srv/backups/b1' },
      { key: 'replaced_kept_in', label: '原数据保存在', text: '—' },
    ])
  })
  it('names custom-field kinds and classes, photo kinds and privacy requests', () => {
    expect(
      describeChanges(tr, 'custom_field', {
        entity: 'customer', kind: 'multi_choice', label: '项目偏好', name: 'cf_pref', options: ['玻尿酸', '光子'], sensitivity: 'health',
      }),
    ).toEqual([
      { key: 'entity', label: '所属对象', text: '客户' },
      { key: 'kind', label: '类型', text: '多选' },
      { key: 'label', label: '名称', text: '项目偏好' },
      { key: 'name', label: '字段名', text: 'cf_pref' },
      { key: 'options', label: '选项', text: '玻尿酸、光子' },
      { key: 'sensitivity', label: '敏感级别', text: '健康' },
    ])
    expect(describeChanges(tr, 'photo', { kind: 'before', area: { changed: true } })).toEqual([
      { key: 'kind', label: '类型', text: '术前' },
      { key: 'area', label: '部位', text: '已修改' },
    ])
    expect(describeChanges(tr, 'customer', { kind: 'erase', reason: '本人书面申请' })).toEqual([
      { key: 'kind', label: '类型', text: '删除（匿名化）' },
      { key: 'reason', label: '原因', text: '本人书面申请' },
    ])
  })
  it('labels an export and an import: format, rows, columns, mapping, summary', () => {
    expect(describeChanges(tr, 'customer', { columns: ['member_no', 'name', 'cf_pref'], format: 'xlsx', q: null, rows: 12 })).toEqual([
      { key: 'columns', label: '导出字段', text: '会员号、姓名、cf_pref' },
      { key: 'format', label: '格式', text: 'Excel（xlsx）' },
      { key: 'q', label: '搜索词', text: '—' },
      { key: 'rows', label: '行数', text: '12' },
    ])
    expect(describeChanges(enTr, 'customer', { columns: ['member_no', 'name'], format: 'xlsx', rows: 2 }).map((c) => `${c.label}: ${c.text}`)).toEqual([
      'Columns: Member no., Name',
      'Format: Excel (xlsx)',
      'Rows: 2',
    ])
    expect(
      describeChanges(tr, 'import', {
        filename: '客户.xlsx', mapping: { 手机: 'mobile', 姓名: 'name' }, summary: { rows: 2, created: 1, updated: 1 }, first_created_id: 5,
      }),
    ).toEqual([
      { key: 'filename', label: '文件', text: '客户.xlsx' },
      { key: 'mapping', label: '列对应', text: '手机 → 手机号、姓名 → 姓名' },
      { key: 'summary', label: '结果', text: '行数 2、新建 1、更新 1' },
      { key: 'first_created_id', label: '首个新建客户ID', text: '5' },
    ])
  })
  it('uses store and staff names and custom labels when it has them', () => {
    const refs = {
      storeName: (id: number) => (id === 1 ? '总店' : `#${id}`),
      userName: (id: number) => (id === 7 ? '王咨询' : `#${id}`),
      customLabel: (entity: string, name: string) => (entity === 'customer' && name === 'cf_pref' ? '项目偏好' : undefined),
    }
    expect(
      describeChanges(tr, 'customer', { store_id: { old: 1, new: 2 }, consultant_id: { old: null, new: 7 }, cf_pref: { old: null, new: ['光子'] } }, refs),
    ).toEqual([
      { key: 'store_id', label: '门店', text: '总店 → #2' },
      { key: 'consultant_id', label: '咨询师', text: '— → 王咨询' },
      { key: 'cf_pref', label: '项目偏好', text: '— → 光子' },
    ])
    expect(describeChanges(tr, 'access', { entity: 'customer', field: 'cf_pref', new: 'read', old: 'hidden', role: 'nurse' }, refs)[2]).toEqual({
      key: 'field', label: '字段', text: '项目偏好',
    })
  })
})
