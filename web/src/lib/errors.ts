import { ApiError } from '../api/client'
import { i18n } from '../i18n'

/**
 * A message for a failed request: the server's problem title, followed by its per-field reasons
 * when it gave some ("提交的数据有误：不能撤销管理员的权限管理权"), or a generic one.
 */
export function errorTitle(e: unknown): string {
  if (e instanceof ApiError) {
    const title = e.problem.title || e.message
    const reasons = (e.problem.errors || []).map((x) => x.message).filter((m) => m && m !== title)
    if (!reasons.length) return title
    const zh = String(i18n.global.locale.value).startsWith('zh')
    return zh ? `${title}：${reasons.join('；')}` : `${title}: ${reasons.join('; ')}`
  }
  if (e instanceof TypeError) return i18n.global.t('errors.network')
  return e instanceof Error ? e.message : i18n.global.t('errors.unknown')
}

export function fieldErrors(e: unknown): Record<string, string> {
  return e instanceof ApiError ? e.fieldErrors : {}
}
