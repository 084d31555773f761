import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuth } from './stores/auth'
import { homePath, routeAllowed } from './lib/routeAccess'

const routes: RouteRecordRaw[] = [
  { path: '/setup', name: 'setup', component: () => import('./views/SetupView.vue'), meta: { public: true } },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('./views/ChangePasswordView.vue'),
  },
  { path: '/two-step', name: 'totp', component: () => import('./views/TotpView.vue') },
  {
    path: '/',
    component: () => import('./layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'home', redirect: { name: 'customers' } },
      // queryInPlace: the list keeps its filters in the query and stays mounted when they change.
      { path: 'customers', name: 'customers', component: () => import('./views/CustomerList.vue'), meta: { queryInPlace: true } },
      { path: 'customers/import', name: 'customer-import', component: () => import('./views/ImportView.vue') },
      { path: 'customers/duplicates', name: 'customer-duplicates', component: () => import('./views/DuplicatesView.vue') },
      { path: 'customers/new', name: 'customer-new', component: () => import('./views/CustomerForm.vue') },
      {
        path: 'customers/:id(\\d+)',
        name: 'customer',
        component: () => import('./views/CustomerDetail.vue'),
        props: true,
      },
      {
        path: 'customers/:id(\\d+)/edit',
        name: 'customer-edit',
        component: () => import('./views/CustomerForm.vue'),
        props: true,
      },
      { path: 'users', name: 'users', component: () => import('./views/UsersView.vue') },
      { path: 'access', name: 'access', component: () => import('./views/AccessView.vue') },
      { path: 'audit', name: 'audit', component: () => import('./views/AuditView.vue') },
      { path: 'tags', name: 'tags', component: () => import('./views/TagsView.vue') },
      { path: 'custom-fields', name: 'custom-fields', component: () => import('./views/CustomFieldsView.vue') },
      { path: 'follow-ups', name: 'follow-ups', component: () => import('./views/FollowUpsView.vue') },
    ],
  },
  // Printable signed consent: no app chrome around it.
  {
    path: '/consents/:id(\\d+)/print',
    name: 'consent-print',
    component: () => import('./views/ConsentPrint.vue'),
    props: true,
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuth()
  const state = await auth.init()
  if (to.name === 'setup') return true
  if (state === 'needs_setup' && !auth.authenticated) return { name: 'setup' }
  if (to.meta.public) {
    if (to.name === 'login' && auth.authenticated) {
      return auth.mustChangePassword ? { name: 'change-password' } : auth.mustEnrollTotp ? { name: 'totp' } : { path: '/' }
    }
    return true
  }
  if (!auth.authenticated) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  // The server refuses everything else until these are done, in this order.
  if (auth.mustChangePassword && to.name !== 'change-password') return { name: 'change-password' }
  if (auth.mustEnrollTotp && to.name !== 'totp' && to.name !== 'change-password') return { name: 'totp' }
  // "Home" is the first page the role may open (not every role reads customers). A page the
  // role may not open stays at its URL and shows the "no permission" state (MainLayout).
  if (to.redirectedFrom?.name === 'home' && !routeAllowed(to.name, auth.can)) {
    const home = homePath(auth.can)
    if (home && home !== to.path) return { path: home, replace: true }
  }
  return true
})
