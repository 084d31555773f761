/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// During `npm run dev` the API is proxied to a running server
// (set LIYAN_DEV_API, default https://127.0.0.1:9443; its certificate is self-signed).
const apiTarget = process.env.LIYAN_DEV_API || 'https://127.0.0.1:9443'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Keep the modulepreload polyfill out of index.html (strict CSP: no inline scripts).
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __INTLIFY_JIT_COMPILATION__: 'true',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, secure: false, changeOrigin: false },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
})
