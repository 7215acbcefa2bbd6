import ModelStore

/// Reads preprocessing, box coding, scoring and NMS settings from the `Preprocessor/` and `Postprocessor/` scopes of a
/// TF Object Detection API graph.
enum TensorFlowDetectionSettings {
    /// The resize and `x·scale − offset` steps between `image_tensor` and the backbone input.
    ///
    /// Walks back from `backboneInput` through Identity, `Sub(·, Const)` and `Mul(Const, ·)`, and reads the
    /// `ResizeBilinear` node of the `Preprocessor/` scope (size Const, `align_corners`, `half_pixel_centers`).
    static func preprocessing(in graph: TensorFlowGraph, backboneInput: String) throws -> (Preprocessing, networkInput: String) {
        func missing(_ what: String) -> ModelImportError {
            ModelImportError.unsupportedGraph(file: graph.file, missing: what, found: graph.contentsSummary)
        }
        guard let sub = graph.resolvingIdentity(backboneInput), sub.op == "Sub", sub.input.count == 2,
            let mul = graph.resolvingIdentity(sub.input[0]), mul.op == "Mul", mul.input.count == 2
        else {
            throw missing("the backbone input '\(backboneInput)' is not computed as Sub(Mul(Const, image), Const)")
        }
        let offset = try scalar(graph.floats(sub.input[1]), node: sub.input[1], graph: graph)
        let scaleInput = graph.resolvingIdentity(mul.input[0])?.op == "Const" ? mul.input[0] : mul.input[1]
        let scale = try scalar(graph.floats(scaleInput), node: scaleInput, graph: graph)

        guard let resize = graph.nodes.first(where: { $0.name.hasPrefix("Preprocessor/") && $0.op == "ResizeBilinear" }),
            resize.input.count == 2
        else {
            throw missing("no Preprocessor/…/ResizeBilinear node (only fixed_shape_resizer graphs are supported)")
        }
        if resize.attr["align_corners"]?.b == true {
            throw ModelImportError.unsupportedNode(
                file: graph.file, node: resize.name, op: resize.op, reason: "align_corners = true is not supported")
        }
        let size = try graph.integers(resize.input[1])
        guard size.count == 2, size.allSatisfy({ $0 > 0 }) else {
            throw ModelImportError.invalidConstant(
                file: graph.file, node: TensorFlowGraph.nodeName(of: resize.input[1]),
                reason: "holds resize size \(size), expected [height, width]")
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
            guard node.input.count == 2, node.input[0].hasPrefix("Postprocessor/Decode/unstack") else { continue }
            let component = node.input[0].split(separator: ":").dropFirst().first.flatMap { Int($0) } ?? 0
            guard (0..<4).contains(component) else { continue }
            weights[component] = try scalar(graph.floats(node.input[1]), node: node.input[1], graph: graph)
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
        if let scaleLogits = graph.node(named: "Postprocessor/scale_logits"), scaleLogits.input.count == 2 {
            let divisor = try scalar(graph.floats(scaleLogits.input[1]), node: scaleLogits.input[1], graph: graph)
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
        guard let nms = graph.nodes.first(where: {
                $0.name.hasPrefix(scope) && ["NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5"].contains($0.op)
            }), nms.input.count >= 5
        else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file, missing: "no \(scope)…/NonMaxSuppressionV3 node", found: graph.contentsSummary)
        }
        let iou = try scalar(graph.floats(nms.input[3]), node: nms.input[3], graph: graph)
        let score = try scalar(graph.floats(nms.input[4]), node: nms.input[4], graph: graph)
        let maxPerClass = try limit(feeding: nms.input[2], graph: graph)
        // multiclass_non_max_suppression caps the merged list with Minimum(max_total_size, num_boxes).
        let totalCaps = try graph.nodes.filter {
            $0.name.hasPrefix(scope) && $0.op == "Minimum" && $0.name != TensorFlowGraph.nodeName(of: nms.input[2])
                && !$0.name.contains("ClipToWindow")
        }.map { try limit(feeding: $0.name, graph: graph) }
        let clipsFirst = reaches(from: nms.input[0], graph: graph) { $0.name.contains("ClipToWindow") }
        return Postprocessing(
            scoreThreshold: score, iouThreshold: iou, candidatesPerClass: nil, maxPerClass: maxPerClass,
            maxDetections: totalCaps.first ?? maxPerClass, clipping: clipsFirst ? .clipThenSuppress : .suppressThenClip)
    }

    /// The Const operand of a `Minimum(Const, size)` node, or the Const itself.
    private static func limit(feeding input: String, graph: TensorFlowGraph) throws -> Int {
        guard let node = graph.resolvingIdentity(input) else {
            throw ModelImportError.unsupportedGraph(file: graph.file, missing: "no node '\(input)'", found: graph.contentsSummary)
        }
        if node.op == "Const" {
            return try scalar(graph.integers(node.name), node: node.name, graph: graph)
        }
        guard node.op == "Minimum", let constant = node.input.first(where: { graph.resolvingIdentity($0)?.op == "Const" })
        else {
            throw ModelImportError.unsupportedNode(
                file: graph.file, node: node.name, op: node.op, reason: "expected Minimum(Const, size) as NMS limit")
        }
        return try scalar(graph.integers(constant), node: constant, graph: graph)
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
