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
}
