export * from './compat/index.js';
