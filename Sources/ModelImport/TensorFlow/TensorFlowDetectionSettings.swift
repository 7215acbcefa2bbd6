import ModelStore

/// Reads preprocessing, box coding, scoring and NMS settings from the `Preprocessor/` and `Postprocessor/` scopes of a
/// TF Object Detection API graph.
enum TensorFlowDetectionSettings {
    /// Largest network input height or width accepted (SSD graphs use 300 to 640).
    static let maximumInputSide = 4096
    /// Largest NMS limit accepted (TF SSD configs use 100 to 300).
    static let maximumDetectionLimit = 100_000

    /// The resize and `x·scale − offset` steps between `image_tensor` and the backbone input.
    ///
    /// Walks back from `backboneInput` through Identity, `Sub(·, Const)` and `Mul(Const, ·)`, and reads the
    /// `ResizeBilinear` node of the `Preprocessor/` scope (size Const, `align_corners`, `half_pixel_centers`).
    static func preprocessing(in graph: TensorFlowGraph, backboneInput: String) throws -> (Preprocessing, networkInput: String) {
        func missing(_ what: String) -> ModelImportError {
            ModelImportError.unsupportedGraph(file: graph.file, missing: what, found: graph.contentsSummary)
        }
        // Parsing checked that every Sub, Mul and ResizeBilinear has two data inputs.
        guard let sub = graph.resolvingIdentity(backboneInput), sub.op == "Sub",
            let mul = graph.resolvingIdentity(graph.dataInputs(of: sub)[0]), mul.op == "Mul"
        else {
            throw missing("the backbone input '\(backboneInput)' is not computed as Sub(Mul(Const, image), Const)")
        }
        let subInputs = graph.dataInputs(of: sub)
        let mulInputs = graph.dataInputs(of: mul)
        let offset = try scalar(graph.floats(subInputs[1]), node: subInputs[1], graph: graph)
        let scaleInput = graph.resolvingIdentity(mulInputs[0])?.op == "Const" ? mulInputs[0] : mulInputs[1]
        let scale = try scalar(graph.floats(scaleInput), node: scaleInput, graph: graph)
        guard offset.isFinite, scale.isFinite else {
            throw ModelImportError.invalidConstant(
                file: graph.file, node: TensorFlowGraph.nodeName(of: scaleInput),
                reason: "and the offset subtracted after it must be finite (found scale \(scale), offset \(offset))")
        }

        guard let resize = graph.nodes.first(where: { $0.name.hasPrefix("Preprocessor/") && $0.op == "ResizeBilinear" })
        else {
            throw missing("no Preprocessor/…/ResizeBilinear node (only fixed_shape_resizer graphs are supported)")
        }
        if resize.attr["align_corners"]?.b == true {
            throw ModelImportError.unsupportedNode(
                file: graph.file, node: resize.name, op: resize.op, reason: "align_corners = true is not supported")
        }
        let sizeInput = graph.dataInputs(of: resize)[1]
        let size = try graph.integers(sizeInput)
        guard size.count == 2, size.allSatisfy({ (1...maximumInputSide).contains($0) }) else {
            throw ModelImportError.invalidConstant(
                file: graph.file, node: TensorFlowGraph.nodeName(of: sizeInput),
                reason: "holds resize size \(size.count <= 8 ? "\(size)" : "of \(size.count) values"), expected [height, width] "
                    + "with each in 1...\(maximumInputSide)")
        }
        let halfPixel = resize.attr["half_pixel_centers"]?.b == true
        let preprocessing = Preprocessing(
            inputWidth: size[1], inputHeight: size[0], resize: halfPixel ? .halfPixelBilinear : .tensorFlowLegacyBilinear,
            scale: [scale, scale, scale], offset: [-offset, -offset, -offset], normalizeBeforeResize: false)
        return (preprocessing, sub.name)
    }

    /// Faster R-CNN box coder scale factors: the Const divisors of `Postprocessor/Decode/unstack:k`, k = 0…3.
    static func boxCoding(in graph: TensorFlowGraph) throws -> BoxCoding {
        var weights = [Float?](repeating: nil, count: 4)
        for node in graph.nodes where node.name.hasPrefix("Postprocessor/Decode/") && node.op == "RealDiv" {
            let inputs = graph.dataInputs(of: node)
            guard let component = TensorFlowInputReference(inputs[0]), component.node.hasPrefix("Postprocessor/Decode/unstack"),
                (0..<4).contains(component.port)
            else { continue }
            let weight = try scalar(graph.floats(inputs[1]), node: inputs[1], graph: graph)
            guard weight.isFinite, weight > 0 else {
                throw ModelImportError.invalidConstant(
                    file: graph.file, node: TensorFlowGraph.nodeName(of: inputs[1]),
                    reason: "holds box coder scale \(weight), expected a positive finite number")
            }
            weights[component.port] = weight
        }
        guard weights.allSatisfy({ $0 != nil }) else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file,
                missing: "no Postprocessor/Decode scale factors (RealDiv of Decode/unstack:0…3 by Consts; only "
                    + "faster_rcnn_box_coder graphs are supported)",
                found: graph.contentsSummary)
        }
        return BoxCoding(order: .yx, weights: weights.map { $0! }, sizeClamp: nil)
    }

    /// Score conversion: `Postprocessor/convert_scores` must be a Sigmoid and `Postprocessor/scale_logits` a division
    /// by 1 (the manifest has no logit scale).
    static func scoring(in graph: TensorFlowGraph) throws -> Scoring {
        guard let convert = graph.node(named: "Postprocessor/convert_scores") else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file, missing: "no Postprocessor/convert_scores node", found: graph.contentsSummary)
        }
        guard convert.op == "Sigmoid" else {
            throw ModelImportError.unsupportedNode(
                file: graph.file, node: convert.name, op: convert.op, reason: "only the SIGMOID score converter is supported")
        }
        if let scaleLogits = graph.node(named: "Postprocessor/scale_logits"), graph.dataInputs(of: scaleLogits).count == 2 {
            let divisorInput = graph.dataInputs(of: scaleLogits)[1]
            let divisor = try scalar(graph.floats(divisorInput), node: divisorInput, graph: graph)
            guard divisor == 1 else {
                throw ModelImportError.unsupportedNode(
                    file: graph.file, node: scaleLogits.name, op: scaleLogits.op,
                    reason: "logit_scale \(divisor) is not supported (only 1)")
            }
        }
        return .sigmoid
    }

    /// NMS thresholds and limits from `Postprocessor/BatchMultiClassNonMaxSuppression/…/NonMaxSuppressionV3` (or V4/V5),
    /// and whether `ClipToWindow` runs before NMS.
    static func postprocessing(in graph: TensorFlowGraph) throws -> Postprocessing {
        let scope = "Postprocessor/BatchMultiClassNonMaxSuppression/"
        guard
            let nms = graph.nodes.first(where: {
                $0.name.hasPrefix(scope) && ["NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5"].contains($0.op)
            })
        else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file, missing: "no \(scope)…/NonMaxSuppressionV3 node", found: graph.contentsSummary)
        }
        // Parsing checked that NonMaxSuppressionV3/V4 have five data inputs and V5 six.
        let inputs = graph.dataInputs(of: nms)
        let iou = try scalar(graph.floats(inputs[3]), node: inputs[3], graph: graph)
        let score = try scalar(graph.floats(inputs[4]), node: inputs[4], graph: graph)
        guard iou.isFinite, (0...1).contains(iou), score.isFinite, score <= 1 else {
            throw ModelImportError.unsupportedNode(
                file: graph.file, node: nms.name, op: nms.op,
                reason: "IoU threshold \(iou) must be in [0, 1] and score threshold \(score) finite and at most 1")
        }
        let maxPerClass = try limit(feeding: inputs[2], graph: graph)
        // multiclass_non_max_suppression caps the merged list with Minimum(max_total_size, num_boxes).
        let totalCaps = try graph.nodes.filter {
            $0.name.hasPrefix(scope) && $0.op == "Minimum" && $0.name != TensorFlowGraph.nodeName(of: inputs[2])
                && !$0.name.contains("ClipToWindow")
        }.map { try limit(feeding: $0.name, graph: graph) }
        let clipsFirst = reaches(from: inputs[0], graph: graph) { $0.name.contains("ClipToWindow") }
        return Postprocessing(
            scoreThreshold: score, iouThreshold: iou, candidatesPerClass: nil, maxPerClass: maxPerClass,
            maxDetections: totalCaps.first ?? maxPerClass, clipping: clipsFirst ? .clipThenSuppress : .suppressThenClip)
    }

    /// The Const operand of a `Minimum(Const, size)` node, or the Const itself.
    private static func limit(feeding input: String, graph: TensorFlowGraph) throws -> Int {
        guard let node = graph.resolvingIdentity(input) else {
            throw ModelImportError.unsupportedGraph(file: graph.file, missing: "no node '\(input)'", found: graph.contentsSummary)
        }
        let constant: String
        if node.op == "Const" {
            constant = node.name
        } else {
            guard node.op == "Minimum",
                let operand = graph.dataInputs(of: node).first(where: { graph.resolvingIdentity($0)?.op == "Const" })
            else {
                throw ModelImportError.unsupportedNode(
                    file: graph.file, node: node.name, op: node.op, reason: "expected Minimum(Const, size) as NMS limit")
            }
            constant = operand
        }
        let value = try scalar(graph.integers(constant), node: constant, graph: graph)
        guard (1...maximumDetectionLimit).contains(value) else {
            throw ModelImportError.invalidConstant(
                file: graph.file, node: TensorFlowGraph.nodeName(of: constant),
                reason: "holds NMS limit \(value), expected 1...\(maximumDetectionLimit)")
        }
        return value
    }

    /// Whether a node matching `predicate` is among the ancestors of `input` (data and control edges).
    private static func reaches(from input: String, graph: TensorFlowGraph, _ predicate: (Tensorflow_NodeDef) -> Bool) -> Bool {
        var pending = [TensorFlowGraph.nodeName(of: input)]
        var visited = Set<String>()
        while let name = pending.popLast() {
            guard visited.insert(name).inserted, let node = graph.node(named: name) else { continue }
            if predicate(node) { return true }
            pending += node.input.map(TensorFlowGraph.nodeName(of:))
        }
        return false
    }

    private static func scalar<T>(_ values: [T], node: String, graph: TensorFlowGraph) throws -> T {
        guard values.count == 1 else {
            throw ModelImportError.invalidConstant(
                file: graph.file, node: TensorFlowGraph.nodeName(of: node), reason: "holds \(values.count) values, expected 1")
        }
        return values[0]
    }
}
