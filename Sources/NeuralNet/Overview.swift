//! NeuralNet: compiles a ``NetworkGraph`` (data) plus a ``ParameterSource`` (weights) into a runnable ``Network``.
//!
//! Compilation (``GraphCompiler``) checks every node and parameter and infers shapes, then builds one
//! ``CompiledStep`` per node with its weights repacked for the chosen TensorEngine kernel, and plans the activation
//! buffers (``BufferPlan``) so buffers whose values are dead are reused. `forward` then only runs kernels.
