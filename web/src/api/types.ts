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
  stage?: string
  referrer_id?: number | null
  tags?: Tag[]
  last_visit_at?: number | null
  last_purchase_at?: number | null
  /** Set while processing is restricted (PIPL): every change is refused. */
  restricted_at?: number | null
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

// ---- Customer 360°: stages, tags, consultations, referrals, timeline ----

export const STAGES = ['lead', 'triage', 'consultation', 'deal', 'in_treatment', 'repeat', 'dormant', 'lost'] as const
export type Stage = (typeof STAGES)[number]

export const CONSULTATION_WAYS = ['phone', 'online', 'wechat', 'onsite'] as const
export const CONSULTATION_OUTCOMES = ['pending', 'deal', 'thinking', 'lost'] as const

export interface Tag {
  id: number
  group_id?: number
  group_name?: string
  name: string
  color?: string
}

export interface TagGroup {
  id: number
  name: string
  color: string
  tags: Tag[]
}

export interface StageChange {
  from_stage: string | null
  to_stage: string
  reason: string | null
  at: number
  actor_id: number | null
  /** The login name at the time; `actor_name` is the person's name today, when known. */
  actor: string
  actor_name?: string | null
}

/** One line of a 面诊方案; `price` is a decimal string per session (never a float). */
export interface PlanLine {
  project: string
  sessions: number
  price: string
}

/** A consultation record; any field may be absent when the policy hides it. */
export interface Consultation {
  id: number
  customer_id?: number
  store_id?: number
  consultant_id?: number | null
  way?: string
  at?: number
  needs?: string | null
  plan?: PlanLine[]
  plan_total?: string
  outcome?: string
  lost_reason?: string | null
  follow_up_date?: string | null
  notes?: string | null
  created_by?: number | null
  created_at?: number
  updated_at?: number
  /** Custom fields (`cf_<key>`) the role sees. */
  [key: string]: unknown
}

export interface ReferralCard {
  id: number
  member_no?: string
  name?: string
  stage?: string
}

export interface TimelineEvent {
  id: number
  at: number
  kind: string
  entity: string
  entity_id: number | null
  actor_id: number | null
  /** The login name at the time; `actor_name` is the person's name today, when known. */
  actor: string
  actor_name?: string | null
  data: Record<string, unknown>
}

export interface TimelinePage {
  items: TimelineEvent[]
  next_before: string | null
}

export interface CustomerOverview {
  customer: Customer
  stage_history: StageChange[]
  /** Absent when the role may not read consultations. */
  consultations?: Consultation[]
  referrer: ReferralCard | null
  referred: ReferralCard[]
  referral_count: number
  timeline: TimelinePage
}

export interface StaffMember {
  id: number
  display_name: string
  role: string
  store_id: number | null
}

export interface FollowUp {
  consultation: Consultation
  customer: Customer
}

// ---- Saved segments, duplicates and merge, PIPL requests ----

/** A saved list filter (客户分群); `filter` has the keys of lib/filters CustomerFilter. */
export interface Segment {
  id: number
  name: string
  filter: Record<string, unknown>
  shared: boolean
  owner_id: number
}

export interface DuplicateGroup {
  reason: 'name_birthday' | 'wechat_id' | string
  customers: Customer[]
}

export const PIPL_KINDS = ['access', 'restrict', 'lift_restriction', 'erase'] as const
export type PiplKind = (typeof PIPL_KINDS)[number]

export interface PiplRequest {
  id: number
  kind: PiplKind | string
  reason: string
  /** The user name of who handled it. */
  handled_by: string
  handled_at: number
  result: Record<string, unknown> | null
}
