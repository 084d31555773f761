import type { Composer } from 'vue-i18n'
import { GENDERS, SKIN_TYPES, SOURCES, type Customer } from '../api/types'
import { formatDateTime, formatMobile } from './format'

/** Display order of customer fields on the detail page. */
export const CUSTOMER_FIELDS = [
  'member_no',
  'name',
  'gender',
  'birthday',
  'mobile',
  'wechat_id',
  'id_number',
  'store_id',
  'consultant_id',
  'source',
  'skin_type',
  'allergies',
  'concerns',
  'medical_history',
  'notes',
  'created_at',
  'updated_at',
] as const

export type CustomerField = (typeof CUSTOMER_FIELDS)[number]

/** Columns the list may show (only those present in the data are shown). */
export const LIST_FIELDS: CustomerField[] = ['member_no', 'name', 'gender', 'mobile', 'birthday', 'source', 'store_id', 'created_at']

type T = Composer['t']

export function present(c: Customer, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(c, field)
}

export function displayField(
  field: string,
  value: unknown,
  t: T,
  storeName: (id: number | null | undefined) => string = (id) => (id == null ? '' : `#${id}`),
  userName: (id: number | null | undefined) => string = (id) => (id == null ? '' : `#${id}`),
): string {
  if (value === null || value === undefined || value === '') return ''
  switch (field) {
    case 'gender':
      return (GENDERS as readonly unknown[]).includes(value) ? t(`customer.gender.${value}`) : String(value)
    case 'source':
      return (SOURCES as readonly unknown[]).includes(value) ? t(`customer.source.${value}`) : String(value)
    case 'skin_type':
      return (SKIN_TYPES as readonly unknown[]).includes(value) ? t(`customer.skin.${value}`) : String(value)
    case 'mobile':
      return formatMobile(String(value))
    case 'created_at':
    case 'updated_at':
      return typeof value === 'number' ? formatDateTime(value) : String(value)
    case 'store_id':
      return typeof value === 'number' ? storeName(value) : String(value)
    case 'consultant_id':
      return typeof value === 'number' ? userName(value) : String(value)
    default:
      return String(value)
  }
}
