import { formatDateTime, formatMobile, formatMoney } from './format'
import { fieldLabel, knownFieldLabel, type Translator } from './labels'

// Audit rows for people: labels for actions and entities, and the `changes` object as short
// "label: value" items instead of raw JSON. Unknown keys and values are shown as they are.

export type { Translator } from './labels'

export interface ChangeItem {
  key: string
  label: string
  text: string
}

/** Names for ids in a row (stores, staff) and custom fields' labels; all optional. */
export interface AuditRefs {
  storeName?: (id: number) => string
  userName?: (id: number) => string
  /** The label the clinic gave a custom field (`cf_<key>`) of an entity. */
  customLabel?: (entity: string, name: string) => string | undefined
}

/** Every action the server writes to the audit log (`archive`: a custom field is retired). */
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
  'unlock',
  'totp_enable',
  'totp_disable',
  'permission_change',
  'setup',
  'seed',
  'backup',
  'restore',
  'export',
  'upload',
  'import',
  'merge',
  'pipl',
  'archive',
  'refresh_reuse',
  'acknowledge_break',
] as const

/** Every entity the server writes to the audit log (`system`: backups and restores). */
export const AUDIT_ENTITIES = [
  'customer',
  'consultation',
  'tag',
  'tag_group',
  'segment',
  'photo',
  'signed_consent',
  'consent_template',
  'custom_field',
  'import',
  'user',
  'store',
  'access',
  'system',
] as const

/** Keys whose values are codes with labels: the i18n prefix of each. */
const VALUE_CODES: Record<string, string> = {
  role: 'roles',
  entity: 'access.entities',
  action: 'access.actionNames',
  reason: 'audit.reasons',
  gender: 'customer.gender',
  source: 'customer.source',
  skin_type: 'customer.skin',
  stage: 'stage',
  way: 'consultation.way',
  outcome: 'consultation.outcome',
  sensitivity: 'customFields.classes',
  format: 'audit.formats',
  problem: 'audit.problems',
  status: 'io.statuses',
}

const POLICIES = ['hidden', 'masked', 'read', 'write_masked', 'write']
/** Keys that read best first, in this order (the server sends keys sorted by name). */
const LEAD = ['role', 'entity', 'field', 'action', 'allowed', 'change']
/** Keys whose number is a staff member's user id. */
const USER_IDS = ['consultant_id', 'created_by', 'owner_id', 'signed_by']
/** Where the names of a `kind` code live, by the row's entity (a privacy request is a customer row). */
const KINDS: Record<string, string> = { customer: 'pipl.kinds', custom_field: 'customFields.kinds', photo: 'photos.kinds' }

function label(tr: Translator, prefix: string, key: string): string {
  const k = `${prefix}.${key}`
  return tr.te(k) ? tr.t(k) : key
}

function listSep(tr: Translator): string {
  return tr.te('common.listSep') ? tr.t('common.listSep') : '、'
}

/** Instants are ms since the epoch in keys named `at` or `*_at` (and a lock's end). */
function isInstant(key: string): boolean {
  return key === 'at' || key.endsWith('_at') || key === 'locked_until' || key === 'was_locked_until'
}

export function actionLabel(tr: Translator, action: string | null | undefined): string {
  return action ? label(tr, 'audit.actions', action) : ''
}

/** One audit row's entity (singular where the language has one). */
export function entityLabel(tr: Translator, entity: string | null | undefined): string {
  if (!entity) return ''
  return tr.te(`audit.entities.${entity}`) ? tr.t(`audit.entities.${entity}`) : label(tr, 'access.entities', entity)
}

function customLabel(refs: AuditRefs, entity: string | null | undefined, name: string): string | undefined {
  if (!refs.customLabel || !name.startsWith('cf_')) return undefined
  if (entity === 'customer' || entity === 'consultation') return refs.customLabel(entity, name)
  return refs.customLabel('customer', name) ?? refs.customLabel('consultation', name)
}

/** A key of `changes`: the row's entity's field, else a key of the log itself, else a common field. */
function keyLabel(tr: Translator, refs: AuditRefs, entity: string | null | undefined, key: string): string {
  const custom = customLabel(refs, entity, key)
  if (custom) return custom
  const own = knownFieldLabel(tr, entity, key)
  if (own !== undefined) return own
  if (tr.te(`audit.keys.${key}`)) return tr.t(`audit.keys.${key}`)
  return fieldLabel(tr, null, key)
}

/** An import's column → field choices: `手机 → 手机号、姓名 → 姓名`. */
function mappingText(tr: Translator, refs: AuditRefs, v: Record<string, unknown>): string {
  return Object.entries(v)
    .map(([col, target]) => {
      const t = String(target)
      const name = tr.te(`io.targets.${t}`) ? tr.t(`io.targets.${t}`) : (customLabel(refs, 'customer', t) ?? fieldLabel(tr, 'customer', t))
      return `${col} → ${name}`
    })
    .join(listSep(tr))
}

function value(
  tr: Translator,
  refs: AuditRefs,
  entity: string | null | undefined,
  key: string,
  v: unknown,
  context: Record<string, unknown>,
): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return tr.t(v ? 'common.yes' : 'common.no')
  if (Array.isArray(v)) {
    if (v.length === 0) return '—'
    return v
      .map((x) => {
        if (typeof x !== 'string') return value(tr, refs, entity, key, x, context)
        if (key === 'consents') return label(tr, 'customer.consent', x)
        // An export's columns are the customer fields the exporter could see.
        if (key === 'columns') return fieldLabel(tr, 'customer', x, customLabel(refs, 'customer', x))
        return value(tr, refs, entity, key, x, context)
      })
      .join(listSep(tr))
  }
  if (typeof v === 'string') {
    const codes = VALUE_CODES[key]
    if (codes) return label(tr, codes, v)
    switch (key) {
      case 'q_field':
        // The customer field an export's search text was matched against.
        return fieldLabel(tr, 'customer', v)
      case 'field': {
        const of = typeof context.entity === 'string' ? context.entity : entity
        return fieldLabel(tr, of, v, customLabel(refs, of, v))
      }
      case 'name':
        // A custom field's definition row names the field by `cf_<key>`.
        return entity === 'custom_field' ? (customLabel(refs, typeof context.entity === 'string' ? context.entity : null, v) ?? v) : v
      case 'kind':
        return entity && KINDS[entity] ? label(tr, KINDS[entity], v) : v
      case 'plan_total':
        return formatMoney(v)
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
  if (typeof v === 'number') {
    if (isInstant(key)) return formatDateTime(v)
    if (key === 'store_id' && refs.storeName) return refs.storeName(v)
    if (USER_IDS.includes(key) && refs.userName) return refs.userName(v)
    return String(v)
  }
  if (key === 'mapping' && typeof v === 'object') return mappingText(tr, refs, v as Record<string, unknown>)
  if (key === 'summary' && typeof v === 'object') {
    // An import's counts: `行数 12、新建 10、…`.
    return Object.entries(v as Record<string, unknown>)
      .map(([k, n]) => `${label(tr, 'audit.keys', k)} ${value(tr, refs, entity, k, n, context)}`)
      .join(listSep(tr))
  }
  return JSON.stringify(v)
}

function isDiff(v: unknown): v is { old: unknown; new: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'old' in v && 'new' in v
}

/**
 * `{"mobile": {"old": "…", "new": "…"}, "notes": {"changed": true}}` on a customer row becomes
 * `[{label: "手机号", text: "… → …"}, {label: "备注", text: "已修改"}]`. A top-level `old`/`new`
 * pair (a permission change) becomes one item. Codes become their names (stages, ways, outcomes,
 * kinds), instants a local date and time, and with `refs` store and staff ids their names.
 */
export function describeChanges(
  tr: Translator,
  entity: string | null | undefined,
  changes: Record<string, unknown> | null | undefined,
  refs: AuditRefs = {},
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
        text: `${value(tr, refs, entity, 'old', v, changes)} → ${value(tr, refs, entity, 'new', changes.new, changes)}`,
      })
      continue
    }
    const lbl = keyLabel(tr, refs, entity, k)
    if (isDiff(v)) {
      out.push({ key: k, label: lbl, text: `${value(tr, refs, entity, k, v.old, changes)} → ${value(tr, refs, entity, k, v.new, changes)}` })
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { changed?: unknown }).changed === true) {
      out.push({ key: k, label: lbl, text: tr.t('audit.changed') })
    } else {
      out.push({ key: k, label: lbl, text: value(tr, refs, entity, k, v, changes) })
    }
  }
  const rank = (k: string) => (LEAD.includes(k) ? LEAD.indexOf(k) : LEAD.length)
  return out.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c.key) - rank(b.c.key) || a.i - b.i).map((x) => x.c)
}
