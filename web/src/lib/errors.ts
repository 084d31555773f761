import { ApiError } from '../api/client'
import { i18n } from '../i18n'

/** A message for a failed request: the server's problem title, or a generic one. */
export function errorTitle(e: unknown): string {
  if (e instanceof ApiError) return e.problem.title || e.message
  if (e instanceof TypeError) return i18n.global.t('errors.network')
  return e instanceof Error ? e.message : i18n.global.t('errors.unknown')
}

export function fieldErrors(e: unknown): Record<string, string> {
  return e instanceof ApiError ? e.fieldErrors : {}
}
