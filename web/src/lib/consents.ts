// Consent forms: template and signed-consent shapes as the API sends them.

export interface ConsentTemplate {
  id: number
  category?: string
  title?: string
  body?: string
  version?: number
  version_id?: number
}

export interface Category {
  id: string
  zh: string
  en: string
}

export interface SignedConsent {
  id: number
  customer_id?: number
  template_version_id?: number
  category?: string
  title?: string
  version?: number
  body?: string
  clinic_name?: string
  signature?: { url: string }
  signed_at?: number
  signed_by_name?: string
  hash?: string
  verified?: boolean
  /** The customer file it was signed under: a duplicate since merged into this customer. */
  signed_under?: { id: number; member_no?: string }
}

/** The member no. a form was signed under when that is not this customer's own file (a
 * duplicate merged into it), else null. */
export function signedElsewhere(form: SignedConsent, customerId: number): string | null {
  const u = form.signed_under
  if (!u || u.id === customerId) return null
  return u.member_no ?? `#${u.id}`
}
