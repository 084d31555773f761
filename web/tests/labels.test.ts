import { describe, expect, it } from 'vitest'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { entityTitle, fieldLabel, withColon, type Translator } from '../src/lib/labels'

// The server's catalog is the list of entities and fields: read it, so a field added there
// without a label here fails this test.
const CATALOG = import.meta.glob<string>('../../src/access/catalog.rs', { query: '?raw', import: 'default', eager: true })
const MODEL = import.meta.glob<string>('../../src/access/model.rs', { query: '?raw', import: 'default', eager: true })
function source(files: Record<string, string>): string {
  const [src] = Object.values(files)
  if (!src) throw new Error('the server sources (../src/access) are not there')
  return src
}

function translator(messages: object): Translator {
  const get = (key: string): unknown =>
    key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), messages)
  return { t: (k) => (typeof get(k) === 'string' ? (get(k) as string) : k), te: (k) => typeof get(k) === 'string' }
}

/** `pub const CONSENT_TEMPLATE: &[FieldDef] = &[ sys("id"), f("title", …), … ];` → consent_template: [id, title, …]. */
function catalog(): Record<string, string[]> {
  const src = source(CATALOG)
  const out: Record<string, string[]> = {}
  for (const m of src.matchAll(/pub const ([A-Z_]+): &\[FieldDef\] = &\[([\s\S]*?)\n\];/g)) {
    out[m[1].toLowerCase()] = [...m[2].matchAll(/\b(?:sys|f)\("([a-z_]+)"/g)].map((x) => x[1])
  }
  return out
}

function entities(): string[] {
  const src = source(MODEL)
  const body = /str_enum!\(Entity \{([\s\S]*?)\}\);/.exec(src)![1]
  return [...body.matchAll(/= "([a-z_]+)"/g)].map((m) => m[1])
}

describe('the server catalog as read here', () => {
  it('has every entity with its fields', () => {
    const c = catalog()
    expect(Object.keys(c).sort()).toEqual(entities().filter((e) => e !== 'access').sort())
    expect(c.customer).toContain('restricted_at')
    expect(c.signed_consent).toContain('signed_by_name')
    expect(c.custom_field).toContain('archived_at')
  })
})

for (const [lang, messages] of [['zh-CN', zh], ['en', en]] as const) {
  describe(`labels in ${lang}`, () => {
    const tr = translator(messages)
    it('name every entity of the permission matrix and of the audit log', () => {
      for (const e of entities()) {
        expect(tr.te(`access.entities.${e}`), e).toBe(true)
        expect(tr.te(`audit.entities.${e}`), e).toBe(true)
        expect(entityTitle(tr, e)).not.toBe(e)
      }
    })
    it('name every declared field of every entity, each differently within its entity', () => {
      for (const [entity, fields] of Object.entries(catalog())) {
        const labels = fields.map((f) => fieldLabel(tr, entity, f))
        fields.forEach((f, i) => expect(labels[i], `${entity}.${f}`).not.toBe(f))
        const dup = labels.filter((l, i) => labels.indexOf(l) !== i)
        expect(dup, `${entity}: ${fields.join(',')}`).toEqual([])
      }
    })
  })
}

describe('fieldLabel', () => {
  const tr = translator(zh)
  const enTr = translator(en)
  it('reuses the labels the forms already have', () => {
    expect(fieldLabel(tr, 'customer', 'mobile')).toBe(zh.customer.fields.mobile)
    expect(fieldLabel(tr, 'customer', 'restricted_at')).toBe('限制处理起始时间')
    expect(fieldLabel(tr, 'consultation', 'plan_total')).toBe(zh.consultation.fields.plan_total)
    expect(fieldLabel(tr, 'consultation', 'lost_reason')).toBe('流失原因')
    expect(fieldLabel(tr, 'user', 'username')).toBe(zh.users.username)
    expect(fieldLabel(tr, 'photo', 'taken_date')).toBe(zh.photos.takenDate)
    expect(fieldLabel(tr, 'custom_field', 'sensitivity')).toBe(zh.customFields.sensitivity)
    expect(fieldLabel(enTr, 'store', 'code')).toBe('Code')
  })
  it('falls back to a common label, then the key; a custom label wins', () => {
    expect(fieldLabel(tr, 'consultation', 'created_at')).toBe('创建时间')
    expect(fieldLabel(enTr, 'import', 'created_at')).toBe('Uploaded')
    expect(fieldLabel(tr, 'customer', 'cf_height', '身高')).toBe('身高')
    expect(fieldLabel(tr, 'customer', 'cf_height')).toBe('cf_height')
    expect(fieldLabel(tr, null, 'id')).toBe('ID')
  })
  it('puts the colon of the language after a label', () => {
    expect(withColon(tr, '标签')).toBe('标签：')
    expect(withColon(enTr, 'Tags')).toBe('Tags: ')
  })
})
