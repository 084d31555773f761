import { ApiError } from '../api/client'
import { i18n } from '../i18n'
import { fieldLabel, knownFieldLabel, type Translator } from './labels'

export interface ErrorTitleOptions {
  /** The entity the request was about, for field labels (default: customer, the usual one). */
  entity?: string
  /** Labels the messages do not have (custom fields): the label, or undefined to look further. */
  label?: (field: string) => string | undefined
}

const tr: Translator = {
  t: (k) => i18n.global.t(k),
  te: (k) => i18n.global.te(k),
}

/** A field's name for people: the caller's label, the entity's own, a shared one, else the key. */
function labelOf(field: string, o: ErrorTitleOptions): string {
  const custom = o.label?.(field)
  if (custom) return custom
  if (o.entity) return fieldLabel(tr, o.entity, field)
  return knownFieldLabel(tr, 'customer', field) ?? fieldLabel(tr, null, field)
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Replaces a raw field key the server put into a message ("无权检索字段 birthday", "field
 * `birthday`") with its label: a key in backticks, or right after 字段/field.
 */
export function labelFields(text: string, fields: string[], o: ErrorTitleOptions = {}): { text: string; named: Set<string> } {
  const named = new Set<string>()
  let out = text
  for (const f of fields) {
    if (!f || !/^[A-Za-z_][A-Za-z0-9_.[\]]*$/.test(f)) continue
    // In backticks, or bare right after the word "field" (字段 birthday, field birthday).
    const re = new RegExp(`\`${escape(f)}\`|(?<=(?:字段|[Ff]ield)\\s?)${escape(f)}(?![A-Za-z0-9_])`, 'g')
    if (!re.test(out)) continue
    const label = labelOf(f, o)
    out = out.replace(re, label)
    named.add(f)
  }
  return { text: out, named }
}

/**
 * A message for a failed request: the server's problem title, followed by its per-field reasons
 * when it gave some ("提交的数据有误：不能撤销管理员的权限管理权"), or a generic one. A field
 * named in the title is shown by its label, and its reason is then not repeated.
 */
export function errorTitle(e: unknown, o: ErrorTitleOptions = {}): string {
  if (e instanceof ApiError) {
    const errors = e.problem.errors || []
    const { text: title, named } = labelFields(e.problem.title || e.message, errors.map((x) => x.field), o)
    const zh = String(i18n.global.locale.value).startsWith('zh')
    // Each reason led by its field's label ("姓名：不能为空"), unless the title already says it.
    const reasons = errors
      .filter((x) => !named.has(x.field) && x.message && !title.includes(x.message))
      .map((x) => {
        const label = x.field ? labelOf(x.field, o) : ''
        // A key without a label of its own is not shown raw.
        return label && label !== x.field ? `${label}${zh ? '：' : ': '}${x.message}` : x.message
      })
    if (!reasons.length) return title
    return zh ? `${title}：${reasons.join('；')}` : `${title}: ${reasons.join('; ')}`
  }
  if (e instanceof TypeError) return i18n.global.t('errors.network')
  return e instanceof Error ? e.message : i18n.global.t('errors.unknown')
}

export function fieldErrors(e: unknown): Record<string, string> {
  return e instanceof ApiError ? e.fieldErrors : {}
}

/**
 * Field errors of a form with a list in it, by where they belong: `plan[2].price` goes to line 2
 * of `plan`, led by `prefix('price')` (the input's name; several on one line are joined), every
 * other key to the top-level field it starts with (`plan`, `plan_total`, `cf_x`).
 */
export function splitListErrors(
  errors: Record<string, string>,
  list: string,
  prefix: (field: string) => string = () => '',
): { fields: Record<string, string>; lines: Record<number, string> } {
  const join = (a: string | undefined, b: string) => (a ? `${a}；${b}` : b)
  const fields: Record<string, string> = {}
  const lines: Record<number, string> = {}
  const item = new RegExp(`^${list}\\[(\\d+)\\](?:\\.(\\w+))?`)
  for (const [k, v] of Object.entries(errors)) {
    const m = item.exec(k)
    if (m) lines[Number(m[1])] = join(lines[Number(m[1])], `${m[2] ? prefix(m[2]) : ''}${v}`)
    else {
      const top = k.split(/[.[]/)[0]
      fields[top] = join(fields[top], v)
    }
  }
  return { fields, lines }
}
