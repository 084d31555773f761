// Names for people of the server's entities and of their fields (the catalog in
// src/access/catalog.rs): one lookup shared by the permission matrix and the audit log, so a field
// reads the same on both pages and no raw key reaches the screen where a label exists.

/** Translate and "has translation" functions (vue-i18n's `t` and `te`, or a stand-in in tests). */
export interface Translator {
  t: (key: string) => string
  te: (key: string) => boolean
}

/**
 * Fields whose label already lives elsewhere in the messages (a form or a list uses it): the
 * i18n key, by entity and field. Customers and consultations use their own `…fields` tables;
 * the rest fall back to `fields.<entity>.<field>`, then `fields.common.<field>`.
 */
const REUSED: Record<string, Record<string, string>> = {
  user: {
    username: 'users.username',
    display_name: 'users.displayName',
    role: 'users.role',
    store_id: 'users.store',
    disabled: 'users.disabled',
    must_change_password: 'users.mustChange',
    locked_until: 'users.locked',
  },
  staff: { display_name: 'users.displayName', role: 'users.role', store_id: 'users.store' },
  store: { code: 'users.storeCode', name: 'users.storeName' },
  tag: { group_name: 'tags.groupName', name: 'tags.tagName', color: 'tags.color' },
  segment: { name: 'segments.name', filter: 'common.filter', shared: 'segments.sharedTag' },
  audit: {
    at: 'audit.at',
    actor: 'audit.actor',
    role: 'audit.role',
    ip: 'audit.ip',
    action: 'audit.action',
    entity: 'audit.entity',
    entity_id: 'audit.entity_id',
    store_id: 'audit.store',
    changes: 'audit.changes',
  },
  import: {
    filename: 'io.file',
    encoding: 'io.encoding',
    status: 'io.status',
    row_count: 'io.rows',
    mapping: 'io.mapping',
  },
  photo: { area: 'photos.area', kind: 'photos.kind', taken_date: 'photos.takenDate', note: 'photos.note' },
  consent_template: { category: 'consents.category', title: 'consents.title', body: 'consents.body' },
  signed_consent: {
    category: 'consents.category',
    title: 'consents.title',
    body: 'consents.body',
    signature: 'consents.signature',
    signed_at: 'consents.signedAt',
    signed_by: 'consents.signedBy',
    hash: 'consents.hash',
    verified: 'consents.verified',
  },
  custom_field: {
    key: 'customFields.key',
    label: 'customFields.label',
    kind: 'customFields.kind',
    sensitivity: 'customFields.sensitivity',
    options: 'customFields.options',
    position: 'customFields.position',
  },
}

/** Entities whose form already has a `<entity>.fields` table. */
const OWN_TABLE: Record<string, string> = { customer: 'customer.fields', consultation: 'consultation.fields' }

function first(tr: Translator, keys: (string | undefined)[]): string | undefined {
  for (const k of keys) if (k && tr.te(k)) return tr.t(k)
  return undefined
}

/** The label of one entity's own field, or `undefined` when the messages have none. */
export function knownFieldLabel(tr: Translator, entity: string | null | undefined, field: string): string | undefined {
  const e = entity ?? ''
  return first(tr, [
    REUSED[e]?.[field],
    OWN_TABLE[e] ? `${OWN_TABLE[e]}.${field}` : undefined,
    e ? `fields.${e}.${field}` : undefined,
  ])
}

/**
 * A field's name for people: the label a custom field was given, else the entity's own label for
 * it, else a label shared by all entities (id, created_at …); an unknown field shows its key.
 */
export function fieldLabel(
  tr: Translator,
  entity: string | null | undefined,
  field: string,
  customLabel?: string | null,
): string {
  if (customLabel) return customLabel
  return knownFieldLabel(tr, entity, field) ?? first(tr, [`fields.common.${field}`]) ?? field
}

/** An entity as a section of the permission matrix (plural where the language has one). */
export function entityTitle(tr: Translator, entity: string): string {
  return first(tr, [`access.entities.${entity}`, `audit.entities.${entity}`]) ?? entity
}

/** `label` + the language's colon (`手机号：`, `Mobile: `). */
export function withColon(tr: Translator, label: string): string {
  return `${label}${tr.t('common.colon')}`
}
