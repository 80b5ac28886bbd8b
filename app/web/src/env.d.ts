// The generated client reads process.env.NODE_ENV (replaced at build time by vite's `define`).
declare const process: { env: { NODE_ENV?: string } };
