import { defineConfig } from 'vitest/config';

// No dev server is needed for the app or its tests: the shell serves ui/dist.
export default defineConfig({
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2021', sourcemap: false },
  // css: the contrast test reads styles.css with ?raw, which vitest empties unless processed.
  test: { environment: 'jsdom', include: ['tests/**/*.test.ts'], css: { include: [/styles\.css/] } },
});
