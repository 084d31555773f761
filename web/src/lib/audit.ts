import { formatMobile } from './format'

// Audit rows for people: labels for actions and entities, and the `changes` object as short
// "label: value" items instead of raw JSON. Unknown keys and values are shown as they are.

/** Translate and "has translation" functions (vue-i18n's `t` and `te`, or a stand-in in tests). */
export interface Translator {
  t: (key: string) => string
  te: (key: string) => boolean
}

export interface ChangeItem {
  key: string
  label: string
  text: string
}

/** Every action the server writes to the audit log. */
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'view',
  'reveal',
  'create',
  'update',
  'delete',
  'change_password',
  'reset_password',
  'totp_enable',
  'totp_disable',
  'permission_change',
  'setup',
  'seed',
  'backup',
  'restore',
] as const

const POLICIES = ['hidden', 'masked', 'read', 'write_masked', 'write']
/** Keys that read best first, in this order (the server sends keys sorted by name). */
const LEAD = ['role', 'entity', 'field', 'action', 'allowed', 'change']

function label(tr: Translator, prefix: string, key: string): string {
  const k = `${prefix}.${key}`
  return tr.te(k) ? tr.t(k) : key
}

export function actionLabel(tr: Translator, action: string | null | undefined): string {
  return action ? label(tr, 'audit.actions', action) : ''
}

/** One audit row's entity (singular where the language has one). */
export function entityLabel(tr: Translator, entity: string | null | undefined): string {
  if (!entity) return ''
  return tr.te(`audit.entities.${entity}`) ? tr.t(`audit.entities.${entity}`) : label(tr, 'access.entities', entity)
}

function fieldLabel(tr: Translator, entity: string | null | undefined, field: string): string {
  if ((entity === 'customer' || !entity) && tr.te(`customer.fields.${field}`)) return tr.t(`customer.fields.${field}`)
  return field
}

function keyLabel(tr: Translator, entity: string | null | undefined, key: string): string {
  // Customer field names first on customer rows; then generic keys.
  if (entity === 'customer' && tr.te(`customer.fields.${key}`)) return tr.t(`customer.fields.${key}`)
  return label(tr, 'audit.keys', key)
}

function value(tr: Translator, entity: string | null | undefined, key: string, v: unknown, context: Record<string, unknown>): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return tr.t(v ? 'common.yes' : 'common.no')
  if (Array.isArray(v)) {
    if (v.length === 0) return '—'
    return v.map((x) => (key === 'consents' && typeof x === 'string' ? label(tr, 'customer.consent', x) : value(tr, entity, key, x, context))).join('、')
  }
  if (typeof v === 'string') {
    switch (key) {
      case 'role':
        return label(tr, 'roles', v)
      case 'entity':
        return label(tr, 'access.entities', v)
      case 'field':
        return fieldLabel(tr, typeof context.entity === 'string' ? context.entity : entity, v)
      case 'action':
        return label(tr, 'access.actionNames', v)
      case 'reason':
        return label(tr, 'audit.reasons', v)
      case 'gender':
        return label(tr, 'customer.gender', v)
      case 'source':
        return label(tr, 'customer.source', v)
      case 'skin_type':
        return label(tr, 'customer.skin', v)
      case 'mobile':
        return formatMobile(v)
      case 'old':
      case 'new':
      case 'policy':
        return POLICIES.includes(v) ? label(tr, 'access.policies', v) : v
      default:
        return v
    }
  }
  if (typeof v === 'number') return String(v)
  return JSON.stringify(v)
}

function isDiff(v: unknown): v is { old: unknown; new: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'old' in v && 'new' in v
}

/**
 * `{"mobile": {"old": "…", "new": "…"}, "notes": {"changed": true}}` on a customer row becomes
 * `[{label: "手机号", text: "… → …"}, {label: "备注", text: "已修改"}]`. A top-level `old`/`new`
 * pair (a permission change) becomes one item.
 */
export function describeChanges(
  tr: Translator,
  entity: string | null | undefined,
  changes: Record<string, unknown> | null | undefined,
): ChangeItem[] {
  if (!changes || typeof changes !== 'object') return []
  const out: ChangeItem[] = []
  const topDiff = 'old' in changes && 'new' in changes
  for (const [k, v] of Object.entries(changes)) {
    if (topDiff && k === 'new') continue
    if (topDiff && k === 'old') {
      out.push({
        key: 'change',
        label: tr.t('audit.keys.change'),
        text: `${value(tr, entity, 'old', v, changes)} → ${value(tr, entity, 'new', changes.new, changes)}`,
      })
      continue
    }
    const lbl = keyLabel(tr, entity, k)
    if (isDiff(v)) {
      out.push({ key: k, label: lbl, text: `${value(tr, entity, k, v.old, changes)} → ${value(tr, entity, k, v.new, changes)}` })
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { changed?: unknown }).changed === true) {
      out.push({ key: k, label: lbl, text: tr.t('audit.changed') })
    } else {
      out.push({ key: k, label: lbl, text: value(tr, entity, k, v, changes) })
    }
  }
  const rank = (k: string) => (LEAD.includes(k) ? LEAD.indexOf(k) : LEAD.length)
  return out.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c.key) - rank(b.c.key) || a.i - b.i).map((x) => x.c)
}
