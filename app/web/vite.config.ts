// The app's build: the TypeScript client from its source (app/client/src) and its WebAssembly build
// (app/client/wasm/web, made by app/client/build.sh), kit resolved once for both.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@margin/client': here('../client/src/index.ts'),
      '@margin/wasm': here('../client/wasm/web/margin_wasm.js'),
    },
    dedupe: ['@solana/kit'],
  },
  // The generated errors file reads process.env.NODE_ENV.
  define: { 'process.env.NODE_ENV': JSON.stringify(process.env.NODE_ENV ?? 'production') },
  server: { host: '127.0.0.1', fs: { allow: [here('../..')] } },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', outDir: 'dist', chunkSizeWarningLimit: 1500 },
});
