export { checkAuth, safeEqual } from './check.ts';
