import Imaging
import ModelStore
import NeuralNet
import TensorEngine

extension Detector {
    /// The calibration of this detector's (fp32) network on `images`: every convolution's input range, the minimum and
    /// maximum over all images (``ModelStore/ModelCalibration``).
    ///
    /// - Important: measure on an fp32 detector made with ``DetectorOptions/fusesLayers`` false (else this throws: fused
    ///   steps never write their inner convolutions' inputs); a reduced-precision network's ranges are not the ones INT8
    ///   quantizes.
    public func calibration(on images: [RGBImage]) throws -> ModelCalibration {
        var ranges: [String: ActivationRange] = [:]
        for image in images {
            for (name, range) in try network.convolutionInputRanges(preprocess(image)) {
                let old = ranges[name] ?? range
                ranges[name] = ActivationRange(low: min(old.low, range.low), high: max(old.high, range.high))
            }
        }
        return ModelCalibration(images: images.count, ranges: ranges)
    }
}
