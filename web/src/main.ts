import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n, currentLang } from './i18n'
import { api } from './api/client'
import { useAuth } from './stores/auth'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(ElementPlus)

const auth = useAuth(pinia)
api.configure({
  language: currentLang,
  onSession: (s) => auth.onSession(s),
  onAuthFailure: () => {
    auth.clear()
    const here = router.currentRoute.value
    if (!here.meta.public) {
      void router.replace({ name: 'login', query: here.fullPath !== '/' ? { next: here.fullPath } : {} })
    }
  },
  // The server demands a step first (e.g. the role's two-step set-up): go there.
  onGate: (code) => {
    if (code === 'password-change-required') {
      auth.mustChangePassword = true
      void router.replace({ name: 'change-password' })
    } else {
      auth.mustEnrollTotp = true
      auth.totpEnabled = false
      if (!auth.mustChangePassword) void router.replace({ name: 'totp' })
    }
  },
})
document.documentElement.lang = currentLang()

app.use(router)
app.mount('#app')
