// Custom fields (自定义字段): the definitions admins make, and their values as the form edits
// them, the API takes them and the pages show them. The server checks every value again.
import type { FieldPolicy } from '../api/types'

export const CUSTOM_KINDS = ['text', 'number', 'date', 'choice', 'multi_choice', 'yes_no'] as const
export type CustomKind = (typeof CUSTOM_KINDS)[number]
export const SENSITIVITIES = ['plain', 'contact', 'identity', 'health', 'finance', 'internal'] as const
export type Sensitivity = (typeof SENSITIVITIES)[number]
export const CUSTOM_ENTITIES = ['customer', 'consultation'] as const
export type CustomEntity = (typeof CUSTOM_ENTITIES)[number]

export interface CustomFieldDef {
  id: number
  entity: CustomEntity
  key: string
  /** `cf_<key>`: the field's name in records, filters and the permission matrix. */
  name: string
  label: string
  kind: CustomKind
  sensitivity: Sensitivity
  options: string[]
  position: number
  archived_at: number | null
}

/** A definition with the caller's own policy on the field (GET /custom-fields). */
export interface CustomFieldItem {
  field: CustomFieldDef
  policy: FieldPolicy
}

export const CUSTOM_PREFIX = 'cf_'
export const KEY_RE = /^[a-z][a-z0-9_]{0,31}$/
const NAME_RE = /^cf_[a-z][a-z0-9_]{0,31}$/

export function isCustomName(name: string): boolean {
  return NAME_RE.test(name)
}

/** Choice kinds carry options. */
export function hasOptions(kind: CustomKind): boolean {
  return kind === 'choice' || kind === 'multi_choice'
}

/** Identity and health values are encrypted: searched by whole value only. */
export function isEncrypted(s: Sensitivity): boolean {
  return s === 'identity' || s === 'health'
}

/** A value as the server sent it, for reading: several choices joined with 、, yes/no in words. */
export function displayCustom(kind: CustomKind, value: unknown, yesNo: [string, string]): string {
  if (value === null || value === undefined) return ''
  if (kind === 'multi_choice' && Array.isArray(value)) return value.join('、')
  if (kind === 'yes_no' && typeof value === 'boolean') return value ? yesNo[0] : yesNo[1]
  return String(value)
}

/** The form's model of a value: an array for several choices, a boolean or null for yes/no, else a string. */
export type FormValue = string | boolean | string[] | null

export function toForm(kind: CustomKind, value: unknown): FormValue {
  if (kind === 'multi_choice') return Array.isArray(value) ? value.map(String) : []
  if (kind === 'yes_no') return typeof value === 'boolean' ? value : null
  if (value === null || value === undefined) return null
  return String(value)
}

/** The form's value as the API takes it; an empty input is null (which clears the field). */
export function fromForm(kind: CustomKind, v: FormValue | undefined): string | boolean | string[] | null {
  if (v === null || v === undefined) return null
  if (kind === 'multi_choice') return Array.isArray(v) && v.length ? v : null
  if (kind === 'yes_no') return typeof v === 'boolean' ? v : null
  const s = String(v).trim()
  return s === '' ? null : s
}

/** Whether two API values are the same (arrays compared in order). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

/** The fields of `entity` (not archived), in their order, that the caller sees. */
export function visibleFields(items: CustomFieldItem[], entity: CustomEntity): CustomFieldItem[] {
  return items
    .filter((i) => i.field.entity === entity && i.field.archived_at === null && i.policy !== 'hidden')
    .sort((a, b) => a.field.position - b.field.position || a.field.id - b.field.id)
}

/**
 * Changed custom values for a PATCH (or every set value for a POST, when `before` is null).
 */
export function customBody(
  fields: CustomFieldDef[],
  values: Record<string, FormValue>,
  before: Record<string, unknown> | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = fromForm(f.kind, values[f.name])
    if (before) {
      if (!sameValue(v, before[f.name] ?? null)) out[f.name] = v
    } else if (v !== null) {
      out[f.name] = v
    }
  }
  return out
}
