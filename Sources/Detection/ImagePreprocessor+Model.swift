import Imaging
import ModelStore
import TensorEngine

extension ImagePreprocessor {
    /// The preprocessing a model's manifest describes.
    ///
    /// - Precondition: `preprocessing` passed ``ModelValidation`` (three scale and offset values, a positive size);
    ///   ``Detector`` validates every model it runs.
    public init(_ preprocessing: Preprocessing) {
        let p = preprocessing
        precondition(
            p.scale.count == 3 && p.offset.count == 3,
            "ImagePreprocessor: unvalidated preprocessing (\(p.scale.count) scales, \(p.offset.count) offsets)")
        let convention: BilinearResizer.Convention =
            switch p.resize {
            case .halfPixelBilinear: .halfPixel
            case .tensorFlowLegacyBilinear: .tensorFlowLegacy
            case .openCVLinear: .openCVLinear
            }
        self.init(
            width: p.inputWidth, height: p.inputHeight, convention: convention,
            affine: BilinearResizer.ChannelAffine(scale: (p.scale[0], p.scale[1], p.scale[2]), offset: (p.offset[0], p.offset[1], p.offset[2])),
            affineBeforeResize: p.normalizeBeforeResize, reversesChannels: p.channelOrder == .bgr)
    }

    /// The network input `[height, width, 3]` for `image`: resized and mapped straight into a new tensor's aligned
    /// storage (the only copy of the pixels between the frame and the network).
    public func tensor(for image: some RGBRowSource) -> Tensor {
        tensor(for: image, into: TensorStorage(count: valueCount))
    }

    /// ``tensor(for:)`` written into `storage` (exactly ``valueCount`` floats, held by nothing else: it is overwritten).
    public func tensor(for image: some RGBRowSource, into storage: TensorStorage) -> Tensor {
        precondition(storage.count == valueCount, "ImagePreprocessor: storage of \(storage.count) floats for \(valueCount)")
        withExtendedLifetime(storage) {
            write(image, into: UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        }
        return Tensor(shape: [height, width, 3], storage: storage)
    }
}
