// Margin's TypeScript client: the generated @solana/kit client (./generated, from idl/margin.json) and the layer
// generation leaves out (PDAs with argument seeds, remaining accounts, the token program per bank).
export * from './generated';
export * from './pdas';
export * from './accounts';
export * from './instructions';
export * from './errors';
export * from './transaction';
export * from './snapshot';
export * from './events';
export * from './tokens';
