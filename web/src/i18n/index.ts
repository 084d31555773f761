import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import zhCN from './zh-CN'
import en from './en'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'
// Date pickers take the first day of the week from dayjs' locale: Monday in both languages.
import 'dayjs/locale/zh-cn'
import 'dayjs/locale/en-gb'

export type Lang = 'zh-CN' | 'en'
const KEY = 'liyan.lang' // UI preference only; never a credential.

function initialLang(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(KEY)
    if (v === 'en' || v === 'zh-CN') return v
  } catch {
    /* storage unavailable */
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function currentLang(): Lang {
  return i18n.global.locale.value as Lang
}

export function setLang(l: Lang): void {
  i18n.global.locale.value = l
  document.documentElement.lang = l
  try {
    localStorage.setItem(KEY, l)
  } catch {
    /* ignore */
  }
}

const elEnMonday = { ...elEn, name: 'en-gb' }
export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? elEnMonday : elZhCn))
