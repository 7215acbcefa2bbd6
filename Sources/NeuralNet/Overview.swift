//! NeuralNet: compiles a ``NetworkGraph`` (data) plus a ``ParameterSource`` (weights) into a runnable ``Network``.
//!
//! Compilation (``GraphCompiler``) checks every node and parameter and infers shapes, then builds one
//! ``CompiledStep`` per node with its weights repacked for the chosen TensorEngine kernel (a 1×1 expansion feeding a
//! depthwise 3×3 becomes one fused step), and plans the activation buffers (``BufferPlan``) so buffers whose values are
//! dead are reused. `forward` then only runs kernels; ``Network/replica()`` shares the compiled weights with another
//! network that has its own buffers and threads.
