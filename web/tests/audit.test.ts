import { describe, expect, it } from 'vitest'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { AUDIT_ACTIONS, actionLabel, describeChanges, entityLabel, type Translator } from '../src/lib/audit'

/** A translator over the real message tables (flat lookup, no interpolation needed here). */
function translator(messages: object): Translator {
  const get = (key: string): unknown =>
    key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), messages)
  return { t: (k) => (typeof get(k) === 'string' ? (get(k) as string) : k), te: (k) => typeof get(k) === 'string' }
}
const tr = translator(zh)

describe('labels', () => {
  it('has a label for every audit action in both languages', () => {
    for (const a of AUDIT_ACTIONS) {
      expect(translator(zh).te(`audit.actions.${a}`), a).toBe(true)
      expect(translator(en).te(`audit.actions.${a}`), a).toBe(true)
    }
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
})
