import { defineConfig } from 'vitest/config';

// No dev server is needed for the app or its tests: the shell serves ui/dist.
export default defineConfig({
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2021', sourcemap: false },
  test: { environment: 'jsdom', include: ['tests/**/*.test.ts'] },
});
