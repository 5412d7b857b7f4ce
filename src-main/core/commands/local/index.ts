export { createLocalSource, type LocalCommandSource, type LocalSourceOptions } from './local-source.js';
