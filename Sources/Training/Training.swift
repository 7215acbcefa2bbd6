/// The Training module: everything `ssdd train` needs to fit an SSD's weights.
///
/// - `Autograd/`: ``TrainableNetwork`` differentiates a `NetworkGraph` (convolution incl. strided, dilated, grouped and
///   depthwise with fused ReLU/ReLU6; max pooling incl. ceil mode and padding; add; channel concatenation; L2Norm with its
///   learned scale) with weights from a ``ParameterSet`` — the same graph the inference engine runs, with a different
///   weight source. ``ParameterInitializer`` gives seeded Xavier/He weights.
/// - `Optim/`: the ``Optimizer`` protocol and ``SGD`` (momentum, weight decay, frozen prefixes), ``LearningRateSchedule``
///   (linear warm-up, multi-step decay) and ``GradientAccumulator`` for large effective batches.
/// - `Trainer/`: ``Trainer`` runs forward → MultiBox loss and its gradient → backward → optimizer step over batches
///   from a ``TrainingBatchSource`` prefetched on a separate thread, reports ``TrainingProgress``, writes checkpoints
///   as native model files and resumes from them; ``SmallSSD`` is a compact SSD for the synthetic proof.
/// - `Objective/`, `Data/`: matching, loss and hard negative mining; datasets and augmentation.
enum TrainingModule {}
