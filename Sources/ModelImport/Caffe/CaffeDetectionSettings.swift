import ModelStore

/// Box coding and post-processing from a `DetectionOutput` layer (weiliu89/caffe `detection_output_param`).
///
/// Supported: CENTER_SIZE coding, shared locations, background label 0, plain NMS (eta 1). The manifest's box
/// coding weights are divisors, so a variance v becomes 1/v (or 1 when `variance_encoded_in_target`).
enum CaffeDetectionSettings {
    /// `keep_top_k: -1` (keep everything) becomes the manifest's largest detection count.
    static let keepAll = ManifestLimits.maxDetections.upperBound

    static func boxCoding(
        _ p: Caffe_DetectionOutputParameter, priors: [CaffePriorBox], fail: (String) -> ModelImportError
    ) throws -> BoxCoding {
        guard p.codeType == .centerSize else {
            throw fail("detection_output_param.code_type \(p.codeType) is not supported (only CENTER_SIZE)")
        }
        if p.varianceEncodedInTarget { return BoxCoding(order: .xy, weights: [1, 1, 1, 1], sizeClamp: nil) }
        let variances = priors.map { $0.variances.count == 1 ? Array(repeating: $0.variances[0], count: 4) : $0.variances }
        guard let first = variances.first, variances.allSatisfy({ $0 == first }) else {
            throw fail("the PriorBox layers state different variances \(variances); one set for all levels is supported")
        }
        return BoxCoding(order: .xy, weights: first.map { 1 / $0 }, sizeClamp: nil)
    }

    static func postprocessing(_ p: Caffe_DetectionOutputParameter, fail: (String) -> ModelImportError) throws -> Postprocessing {
        guard p.shareLocation else {
            throw fail("detection_output_param.share_location false is not supported (one box per prior for all classes)")
        }
        guard p.backgroundLabelID == 0 else {
            throw fail("detection_output_param.background_label_id \(p.backgroundLabelID) is not supported (only 0)")
        }
        let nms = p.nmsParam
        guard nms.eta == 1 else { throw fail("nms_param.eta \(nms.eta) (adaptive NMS) is not supported (only 1)") }
        guard nms.nmsThreshold.isFinite, (0...1).contains(nms.nmsThreshold) else {
            throw fail("nms_param.nms_threshold \(nms.nmsThreshold) must be in [0, 1]")
        }
        var candidates: Int?
        if nms.hasTopK, nms.topK >= 0 {
            guard ManifestLimits.candidatesPerClass.contains(Int(nms.topK)) else {
                throw fail("nms_param.top_k \(nms.topK) must be in \(ManifestLimits.candidatesPerClass) (or -1 for all)")
            }
            candidates = Int(nms.topK)
        }
        let keep: Int
        if p.keepTopK < 0 {
            keep = keepAll
        } else {
            guard ManifestLimits.maxDetections.contains(Int(p.keepTopK)) else {
                throw fail("detection_output_param.keep_top_k \(p.keepTopK) must be in \(ManifestLimits.maxDetections) or -1")
            }
            keep = Int(p.keepTopK)
        }
        // Absent, Caffe considers every box: any softmax score is ≥ 0.
        let threshold = p.hasConfidenceThreshold ? p.confidenceThreshold : 0
        guard threshold.isFinite, threshold <= 1 else {
            throw fail("detection_output_param.confidence_threshold \(threshold) must be finite and at most 1")
        }
        return Postprocessing(
            scoreThreshold: max(threshold, 0), iouThreshold: nms.nmsThreshold, candidatesPerClass: candidates,
            maxPerClass: nil, maxDetections: keep, clipping: .unclipped)
    }
}
