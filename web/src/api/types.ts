/** `write_masked`: may be entered, but is read back masked (a mobile typed in by the front desk). */
export type FieldPolicy = 'hidden' | 'masked' | 'read' | 'write_masked' | 'write'

export function isWritable(p: FieldPolicy): boolean {
  return p === 'write' || p === 'write_masked'
}

export function isMaskedPolicy(p: FieldPolicy): boolean {
  return p === 'masked' || p === 'write_masked'
}

export interface EntityPermissions {
  actions: string[]
  fields: Record<string, FieldPolicy>
}

export interface Me {
  user: import('./client').AuthUser
  permissions: Record<string, EntityPermissions>
  /** Whether two-step verification is on, and whether the role requires it. */
  two_step?: { enabled: boolean; required: boolean }
}

/** POST /auth/totp/setup. */
export interface TotpEnrollment {
  /** Base32, for typing into an authenticator app. */
  secret: string
  otpauth_uri: string
}

export interface Consent {
  granted_at: number
  version?: string
}

export type ConsentKind = 'privacy' | 'health_data' | 'marketing' | 'photos'
export const CONSENT_KINDS: ConsentKind[] = ['privacy', 'health_data', 'marketing', 'photos']

export interface Customer {
  id: number
  member_no?: string
  name?: string
  gender?: 'female' | 'male' | 'unknown'
  birthday?: string | null
  mobile?: string | null
  wechat_id?: string | null
  id_number?: string | null
  store_id?: number | null
  consultant_id?: number | null
  source?: string | null
  skin_type?: string | null
  allergies?: string | null
  concerns?: string | null
  medical_history?: string | null
  notes?: string | null
  consents?: Partial<Record<ConsentKind, Consent | null>>
  created_at?: number
  updated_at?: number
  [key: string]: unknown
}

export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

export interface Store {
  id: number
  code: string
  name: string
}

export interface User {
  id: number
  username: string
  display_name: string
  role: string
  store_id: number | null
  disabled: boolean
  must_change_password: boolean
  locked_until: number | null
}

export interface AuditEntry {
  id: number
  at: number
  actor: string | number | null
  role: string | null
  ip: string | null
  action: string
  entity: string
  entity_id: number | string | null
  store_id: number | null
  changes: Record<string, unknown> | null
}

export interface AccessMatrix {
  roles: string[]
  entities: { name: string; actions: string[]; fields: { name: string; sensitivity: string; system?: boolean }[] }[]
  field_policies: Record<string, Record<string, Record<string, FieldPolicy>>>
  actions: Record<string, Record<string, string[]>>
  scopes: Record<string, string>
}

export const ROLES = [
  'admin',
  'manager',
  'consultant',
  'doctor',
  'nurse',
  'front_desk',
  'finance',
  'channel_manager',
  'marketing',
  'auditor',
  'partner',
] as const

export const GENDERS = ['female', 'male', 'unknown'] as const
export const SOURCES = ['walk_in', 'referral', 'channel', 'online', 'phone', 'wechat', 'other'] as const
export const SKIN_TYPES = ['dry', 'oily', 'combination', 'normal', 'sensitive'] as const
