import ModelStore

/// Reads the per-level (scale, aspect ratio) constants of `MultipleGridAnchorGenerator` and recognises the
/// `ssd_anchor_generator` parameters that produce them.
///
/// The generator stores, per level l, a ratio vector feeding `Sqrt[_l]` and a scale vector divided by it
/// (`heights = scales / sqrt(ratios)`). The recognised ``ModelStore/TensorFlowAnchors`` are accepted only when
/// regenerating the box specs from them (TF's `create_ssd_anchors` arithmetic: float64 from the float32 config values,
/// rounded to float32) reproduces every stored constant exactly.
enum TensorFlowAnchorExtraction {
    static let scope = "MultipleGridAnchorGenerator/"

    /// Per-level (scale, ratio) lists as stored in the graph.
    static func boxSpecs(in graph: TensorFlowGraph) throws -> [[(scale: Float, ratio: Float)]] {
        guard graph.hasNodes(withPrefix: scope) else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file, missing: "no \(scope)… nodes (the SSD anchor generator)", found: graph.contentsSummary)
        }
        let sqrtNodes = graph.nodes.compactMap { node -> (Int, Tensorflow_NodeDef)? in
            guard node.op == "Sqrt", node.name.hasPrefix(scope + "Sqrt") else { return nil }
            let suffix = node.name.dropFirst(scope.count + 4)
            if suffix.isEmpty { return (0, node) }
            guard suffix.first == "_", let index = Int(suffix.dropFirst()) else { return nil }
            return (index, node)
        }.sorted { $0.0 < $1.0 }.map(\.1)
        guard !sqrtNodes.isEmpty else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file, missing: "no \(scope)Sqrt nodes holding the per-level aspect ratios",
                found: graph.contentsSummary)
        }
        // Parsing checked that every Sqrt has one data input and every RealDiv two.
        var divisions: [String: Tensorflow_NodeDef] = [:]
        for node in graph.nodes where node.op == "RealDiv" {
            let divisor = TensorFlowGraph.nodeName(of: graph.dataInputs(of: node)[1])
            if divisions[divisor] == nil { divisions[divisor] = node }
        }
        return try sqrtNodes.map { sqrtNode in
            let ratios = try graph.floats(graph.dataInputs(of: sqrtNode)[0])
            guard let division = divisions[sqrtNode.name]
            else {
                throw ModelImportError.unsupportedGraph(
                    file: graph.file, missing: "no scale vector divided by '\(sqrtNode.name)'", found: graph.contentsSummary)
            }
            let scaleInput = graph.dataInputs(of: division)[0]
            let scales = try graph.floats(scaleInput)
            guard scales.count == ratios.count else {
                throw ModelImportError.invalidConstant(
                    file: graph.file, node: TensorFlowGraph.nodeName(of: scaleInput),
                    reason: "has \(scales.count) scales for \(ratios.count) aspect ratios")
            }
            guard (scales + ratios).allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw ModelImportError.invalidConstant(
                    file: graph.file, node: TensorFlowGraph.nodeName(of: scaleInput),
                    reason: "and the aspect ratios it is divided by must be positive and finite")
            }
            return Array(zip(scales, ratios)).map { (scale: $0.0, ratio: $0.1) }
        }
    }

    /// Recognises the generator parameters behind `specs`; `featureMapSizes` come from the heads.
    static func anchors(
        from specs: [[(scale: Float, ratio: Float)]], featureMapSizes: [[Int]], file: String
    ) throws -> TensorFlowAnchors {
        func mismatch(_ reason: String) -> ModelImportError {
            ModelImportError.inconsistentHeads(file: file, reason: "anchor generator: \(reason)")
        }
        guard !specs.isEmpty, specs.count == featureMapSizes.count, specs.allSatisfy({ !$0.isEmpty }) else {
            throw mismatch("\(specs.count) anchor levels for \(featureMapSizes.count) head levels")
        }
        let reduced =
            specs[0].count == 3 && specs[0][0] == (scale: Float(0.1), ratio: Float(1.0))
            && specs[0][1].ratio == 2 && specs[0][2].ratio == 0.5 && specs.count > 1
        let minScale = reduced ? specs[0][1].scale : specs[0][0].scale
        let maxScale = specs[specs.count - 1][0].scale
        let reference = specs[reduced ? 1 : 0]
        let interpolated = reference.count >= 2 && reference.last!.scale != reference.first!.scale
        let parameters = TensorFlowAnchors(
            minScale: minScale, maxScale: maxScale,
            aspectRatios: (interpolated ? reference.dropLast() : reference[...]).map(\.ratio),
            reduceBoxesInLowestLayer: reduced, interpolatedScaleAspectRatio: interpolated ? reference.last!.ratio : 0,
            featureMapSizes: featureMapSizes)
        let expected = regeneratedSpecs(parameters)
        for (level, (stored, regenerated)) in zip(specs, expected).enumerated() {
            guard stored.count == regenerated.count else {
                throw mismatch("level \(level) stores \(stored.count) boxes, ssd_anchor_generator gives \(regenerated.count)")
            }
            for (box, (a, b)) in zip(stored, regenerated).enumerated() where a != b {
                throw mismatch(
                    "level \(level) box \(box) stores (scale \(a.scale), ratio \(a.ratio)) but min_scale \(minScale), "
                        + "max_scale \(maxScale) give (\(b.scale), \(b.ratio)); only ssd_anchor_generator graphs are supported")
            }
        }
        return parameters
    }

    /// TF `create_ssd_anchors` box specs for `parameters`, as float32 (the values the graph stores).
    static func regeneratedSpecs(_ parameters: TensorFlowAnchors) -> [[(scale: Float, ratio: Float)]] {
        let levels = parameters.featureMapSizes.count
        let low = Double(parameters.minScale)
        let high = Double(parameters.maxScale)
        let scales = (0..<levels).map { levels == 1 ? low : low + (high - low) * Double($0) / Double(levels - 1) } + [1.0]
        return (0..<levels).map { level in
            let scale = scales[level]
            if level == 0 && parameters.reduceBoxesInLowestLayer {
                return [(Float(0.1), 1), (Float(scale), 2), (Float(scale), 0.5)]
            }
            var specs = parameters.aspectRatios.map { (scale: Float(scale), ratio: $0) }
            if parameters.interpolatedScaleAspectRatio > 0 {
                specs.append((Float((scale * scales[level + 1]).squareRoot()), parameters.interpolatedScaleAspectRatio))
            }
            return specs
        }
    }
}
