/**
 * Kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks and that genbench's training needs.
 * (Placeholder: filled by the backend work; registering nothing keeps wasm inference working.)
 */
export function registerWasmKernels(): void {}
