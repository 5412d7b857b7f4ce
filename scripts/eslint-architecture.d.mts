import type { ESLint } from 'eslint';

/** The house's lint rules (eslint-architecture.mjs): `layers` and `no-cycle`. */
declare const architecture: ESLint.Plugin;
export default architecture;
