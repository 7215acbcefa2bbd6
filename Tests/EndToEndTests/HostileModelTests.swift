import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Native model files with hostile manifest and graph values, run through `ssdd model info` and `ssdd detect` as a
/// binary: each must exit 1 (never a signal, never ≥ 124) with the message naming the file and the key, within a bounded
/// time and memory. The base model is a tiny valid one written here, and also the real model when `SSDD_MODEL` is set.
@Suite("Hostile model files: model info and detect reject them with the key at fault")
struct HostileModelTests {
    /// A case: a name, a change to the manifest and graph JSON, and the key and problem the error must state.
    ///
    /// `@unchecked Sendable`: the closures capture only the constant JSON values of the case, never mutated.
    struct Case: @unchecked Sendable, CustomStringConvertible {
        var name: String
        var mutate: (inout [String: Any], inout [String: Any]) -> Void
        /// key and problem, given the graph (for node names).
        var expected: ([String: Any]) -> String
        var description: String { name }
    }

    /// Generous: a debug binary runs the real model's one base frame in about a minute on a busy 2-core machine.
    static let seconds = 180.0
    /// ssdd models are rejected before they allocate anything they size; this bounds the whole process.
    static let maximumRSSKiB = 1_500_000

    @Test("the base models pass model info and detect")
    func basesPass() throws {
        let clip = try Self.clip()
        for base in try Self.bases() {
            let info = try Self.run(["model", "info", base.path])
            #expect(info.exitStatus == 0 && info.stdout.hasSuffix("ok\n"), "\(base.path): \(info)")
            let detect = try Self.run(["detect", "--model", base.path, clip])
            #expect(detect.exitStatus == 0, "\(base.path): \(detect)")
            #expect(detect.stdout.split(separator: "\n").count == 1, "\(base.path): \(detect)")
        }
    }

    @Test("hostile values are rejected with the file and key", arguments: HostileModelTests.cases)
    func hostile(_ hostile: Case) throws {
        let clip = try Self.clip()
        for base in try Self.bases() {
            let file = ScratchDirectory.make("hostile").appendingPathComponent("\(hostile.name).safetensors")
            let graph = try HostileModelFile.rewrite(base, to: file, hostile.mutate)
            let message = "'\(file.path)': \(hostile.expected(graph))"
            for arguments in [["model", "info", file.path], ["detect", "--model", file.path, clip]] {
                let result = try Self.run(arguments)
                #expect(result.exitStatus == 1, "\(arguments): \(result)")
                #expect(result.stderr.contains(message), "\(arguments): expected \(message), got \(result.stderr)")
                #expect(result.stdout.isEmpty, "\(arguments): no frame processed")
                #expect(result.maxRSSKiB < Self.maximumRSSKiB, "\(arguments): \(result.maxRSSKiB) KiB")
            }
        }
    }

    // MARK: - Cases

    /// Path to the first convolution's attributes, and its node name.
    static func firstConvolution(_ graph: [String: Any], where accept: ([String: Any]) -> Bool = { _ in true }) -> (path: [Any], name: String) {
        let nodes = graph["nodes"] as? [[String: Any]] ?? []
        for (index, node) in nodes.enumerated() {
            if let operation = node["operation"] as? [String: Any], let conv = operation["convolution"] as? [String: Any],
                let attributes = conv["_0"] as? [String: Any], accept(attributes)
            {
                return (["nodes", index, "operation", "convolution", "_0"], node["name"] as? String ?? "")
            }
        }
        return ([], "")
    }

    static func manifestCase(_ name: String, _ path: [Any], _ value: Any, _ expected: String) -> Case {
        Case(name: name, mutate: { manifest, _ in HostileModelFile.set(value, at: path, in: &manifest) }, expected: { _ in expected })
    }

    static func anchorsCase(_ name: String, _ path: [Any], _ value: Any, _ expected: String) -> Case {
        manifestCase(name, ["anchors", "tensorFlowMultipleGrid", "_0"] + path, value, expected)
    }

    static func convolutionCase(_ name: String, _ attribute: [Any], _ value: Any, _ problem: String) -> Case {
        Case(
            name: name,
            mutate: { _, graph in
                HostileModelFile.set(value, at: firstConvolution(graph).path + attribute, in: &graph)
            },
            expected: { graph in
                "graph.nodes['\(firstConvolution(graph).name)'].\(attribute.map { "\($0)" }.joined(separator: ".")) \(problem)"
            })
    }

    static let cases: [Case] = [
        // Post-processing counts and thresholds.
        manifestCase("maxDetections-negative", ["postprocessing", "maxDetections"], -1, "postprocessing.maxDetections must be in 1...10000, got -1"),
        manifestCase(
            "maxDetections-intmin", ["postprocessing", "maxDetections"], Int.min,
            "postprocessing.maxDetections must be in 1...10000, got -9223372036854775808"),
        manifestCase(
            "maxDetections-huge", ["postprocessing", "maxDetections"], Int.max,
            "postprocessing.maxDetections must be in 1...10000, got 9223372036854775807"),
        manifestCase(
            "candidates-intmin", ["postprocessing", "candidatesPerClass"], Int.min,
            "postprocessing.candidatesPerClass must be in 1...100000, got -9223372036854775808"),
        manifestCase(
            "candidates-negative", ["postprocessing", "candidatesPerClass"], -5, "postprocessing.candidatesPerClass must be in 1...100000, got -5"),
        manifestCase("maxPerClass-zero", ["postprocessing", "maxPerClass"], 0, "postprocessing.maxPerClass must be in 1...10000, got 0"),
        manifestCase(
            "score-threshold-1e30", ["postprocessing", "scoreThreshold"], 1e30,
            "postprocessing.scoreThreshold must be finite and in 0.0...1.0, got 1e+30"),
        manifestCase(
            "iou-threshold-negative", ["postprocessing", "iouThreshold"], -0.5,
            "postprocessing.iouThreshold must be finite and in 0.0...1.0, got -0.5"),
        // Input size and preprocessing.
        Case(
            name: "input-40000",
            mutate: { manifest, _ in
                HostileModelFile.set(40000, at: ["preprocessing", "inputWidth"], in: &manifest)
                HostileModelFile.set(40000, at: ["preprocessing", "inputHeight"], in: &manifest)
            },
            expected: { _ in "preprocessing.inputWidth must be in 1...4096, got 40000" }),
        Case(
            name: "graph-input-40000",
            mutate: { _, graph in HostileModelFile.set([40000, 40000, 3], at: ["inputShape"], in: &graph) },
            expected: { _ in "graph.inputShape must be [H, W, C] with H and W in 1...8192 and C in 1...65536, got [40000, 40000, 3]" }),
        Case(
            name: "graph-input-mismatch",
            mutate: { manifest, _ in HostileModelFile.set(64, at: ["preprocessing", "inputWidth"], in: &manifest) },
            expected: { graph in
                let shape = graph["inputShape"] as? [Int] ?? []
                return "graph.inputShape is \(shape), but preprocessing.inputWidth and inputHeight make the input [\(shape[0]), 64, 3]"
            }),
        manifestCase("scale-two-values", ["preprocessing", "scale"], [1, 1], "preprocessing.scale must hold 3 values (R, G, B), got 2"),
        manifestCase(
            "offset-1e30", ["preprocessing", "offset"], [0, 1e30, 0],
            "preprocessing.offset[1] must be finite and in -1000000.0...1000000.0, got 1e+30"),
        // Anchors.
        anchorsCase("feature-map-negative", ["featureMapSizes", 0, 0], -19, "anchors.featureMapSizes[0][0] must be in 1...1024, got -19"),
        anchorsCase(
            "feature-map-100000", ["featureMapSizes", 0], [100_000, 100_000], "anchors.featureMapSizes[0][0] must be in 1...1024, got 100000"),
        anchorsCase("feature-map-wrong", ["featureMapSizes", 0], [7, 7], "heads[0].boxes ("),
        anchorsCase("min-scale-1e30", ["minScale"], 1e30, "anchors.minScale must be finite and in 0.001...10.0, got 1e+30"),
        anchorsCase("aspect-ratio-zero", ["aspectRatios", 0], 0, "anchors.aspectRatios[0] must be finite and in 0.01...100.0, got 0.0"),
        Case(
            name: "caffe-scales-1e30",
            mutate: { manifest, _ in
                let levels = ((manifest["heads"] as? [Any]) ?? []).count
                let boxes: [String: Any] = [
                    "flavor": "caffe", "featureMapSizes": [Int](repeating: 1, count: levels),
                    "aspectRatios": [[Int]](repeating: [2], count: levels), "steps": [Int](repeating: 300, count: levels),
                    "scales": [1e30] + [Double](repeating: 60, count: 2 * levels - 1), "clip": false,
                ]
                manifest["anchors"] = ["ssdDefaultBoxes": ["_0": boxes]]
            },
            expected: { _ in "anchors.scales[0] must be finite and in 1.0...16384.0, got 1e+30" }),
        // Box coding.
        manifestCase(
            "box-weights-zero", ["boxCoding", "weights"], [0, 10, 5, 5], "boxCoding.weights[0] must be finite and in 1e-06...1000000.0, got 0.0"),
        manifestCase("box-weights-three", ["boxCoding", "weights"], [10, 10, 5], "boxCoding.weights must hold 4 values, got 3"),
        manifestCase("box-order-xy", ["boxCoding", "order"], "xy", "boxCoding.order must be yx for these anchors, got xy"),
        manifestCase("size-clamp-1e30", ["boxCoding", "sizeClamp"], 1e30, "boxCoding.sizeClamp must be finite and in 0.0...50.0, got 1e+30"),
        // Labels and heads.
        manifestCase("labels-one", ["labels"], ["background"], "labels must name 2...10000 class slots (background first), got 1"),
        Case(
            name: "labels-shorter-than-classes",
            mutate: { manifest, _ in
                var labels = manifest["labels"] as? [String] ?? []
                labels.append("extra")
                manifest["labels"] = labels
            },
            expected: { _ in "labels name 3 classes, but heads[0].classes predicts 2 per anchor (" }),
        Case(
            name: "heads-dropped",
            mutate: { manifest, _ in
                var heads = manifest["heads"] as? [Any] ?? []
                heads.removeLast()
                manifest["heads"] = heads
            },
            expected: { graph in
                let levels = (graph["outputs"] as? [Any] ?? []).count / 2
                return levels == 1
                    ? "heads must name 1...16 levels, got 0" : "heads name \(levels - 1) levels, but anchors.featureMapSizes has \(levels)"
            }),
        Case(
            name: "outputs-rotated",
            mutate: { _, graph in
                var outputs = graph["outputs"] as? [String] ?? []
                outputs.append(outputs.removeFirst())
                graph["outputs"] = outputs
            },
            expected: { _ in "graph.outputs must be the heads' box and class outputs in level order " }),
        manifestCase("format-version-2", ["formatVersion"], 2, "formatVersion must be 1, got 2; re-import the model"),
        // Graph attributes.
        convolutionCase("padding-intmax", ["padding", "top"], Int.max, "must be in 0...1024, got 9223372036854775807"),
        convolutionCase("dilation-2^62", ["dilationY"], 1 << 62, "must be in 1...64, got 4611686018427387904"),
        convolutionCase("stride-zero", ["strideX"], 0, "must be in 1...32, got 0"),
        convolutionCase("groups-zero", ["groups"], 0, "must be in 1...65536, got 0"),
        convolutionCase("kernel-2^40", ["kernelHeight"], 1 << 40, "must be in 1...32, got 1099511627776"),
        convolutionCase("out-channels-negative", ["outChannels"], -3, "must be in 1...65536, got -3"),
        Case(
            name: "no-nodes", mutate: { _, graph in graph["nodes"] = [Any]() },
            expected: { _ in "graph.nodes must hold 1...10000 nodes, got 0" }),
        Case(
            name: "unknown-input",
            mutate: { _, graph in HostileModelFile.set(["nowhere"], at: ["nodes", 1, "inputs"], in: &graph) },
            expected: { graph in
                let name = ((graph["nodes"] as? [[String: Any]]) ?? [])[1]["name"] as? String ?? ""
                return "graph.nodes['\(name)'].inputs names 'nowhere', which no earlier node defines"
            }),
    ]

    // MARK: - Bases and running

    /// The tiny model, and the real model when `SSDD_MODEL` names one.
    static func bases() throws -> [URL] {
        let tiny = ScratchDirectory.make("hostile-base").appendingPathComponent("tiny.safetensors")
        try HostileModelFile.tiny().write(to: tiny)
        var bases = [tiny]
        if let path = ProcessInfo.processInfo.environment["SSDD_MODEL"], FileManager.default.fileExists(atPath: path) {
            bases.append(URL(fileURLWithPath: path))
        }
        return bases
    }

    /// A one-frame clip (the hostile runs must fail before reading it; one frame keeps a debug binary's base run short).
    static func clip() throws -> String {
        let path = ScratchDirectory.make("hostile-clip").appendingPathComponent("clip.mp4").path
        try DaemonHarness.makeClip(path, frames: 1)
        return path
    }

    struct Outcome: CustomStringConvertible {
        /// Exit status, nil when the process was killed by a signal (or by the timeout).
        var exitStatus: Int32?
        var signal: Int32?
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var maxRSSKiB: Int
        var description: String {
            "exit \(exitStatus.map(String.init) ?? "-") signal \(signal.map(String.init) ?? "-") timedOut \(timedOut) "
                + "rss \(maxRSSKiB) KiB stderr: \(stderr)"
        }
    }

    /// Runs the binary with a deadline (killed past it) and measures its peak RSS with `wait4`.
    static func run(_ arguments: [String]) throws -> Outcome {
        let binary = BinaryRunner.binary.path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "build the binary first (\(binary))"])
        }
        let directory = ScratchDirectory.make("hostile-run")
        let out = directory.appendingPathComponent("stdout").path
        let err = directory.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "posix_spawn: \(spawned)"]) }
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            if Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                break
            }
            usleep(20_000)
        }
        let signal = status & 0x7f
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Outcome(
            exitStatus: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal, timedOut: timedOut,
            stdout: read(out), stderr: read(err), maxRSSKiB: usage.ru_maxrss)
    }
}

/// Reads and rewrites native model files: the safetensors layout (8-byte little-endian header length, JSON header whose
/// `__metadata__` holds `ssdd.graph` and `ssdd.manifest`, then the tensor data), with the graph and manifest changed.
enum HostileModelFile {
    /// Writes `base` to `target` with its manifest and graph changed by `mutate`; returns the original graph.
    static func rewrite(
        _ base: URL, to target: URL, _ mutate: (inout [String: Any], inout [String: Any]) -> Void
    ) throws -> [String: Any] {
        let data = try Data(contentsOf: base)
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
        var metadata = try #require(header["__metadata__"] as? [String: String])
        let manifestJSON = try #require(metadata["ssdd.manifest"])
        let graphJSON = try #require(metadata["ssdd.graph"])
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(manifestJSON.utf8)) as? [String: Any])
        var graph = try #require(try JSONSerialization.jsonObject(with: Data(graphJSON.utf8)) as? [String: Any])
        let original = graph
        mutate(&manifest, &graph)
        metadata["ssdd.manifest"] = String(decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self)
        metadata["ssdd.graph"] = String(decoding: try JSONSerialization.data(withJSONObject: graph), as: UTF8.self)
        header["__metadata__"] = metadata
        try assemble(header: header, body: data.subdata(in: (8 + length)..<data.count)).write(to: target)
        return original
    }

    /// Header length, header padded with spaces to a multiple of 8, data.
    static func assemble(header: [String: Any], body: Data) throws -> Data {
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var file = Data((0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) })
        file.append(json)
        file.append(body)
        return file
    }

    /// Sets `value` at `path` (string keys and array indices) inside nested JSON objects.
    static func set(_ value: Any, at path: [Any], in object: inout [String: Any]) {
        guard let key = path.first as? String else { return }
        if path.count == 1 {
            object[key] = value
            return
        }
        object[key] = set(value, at: Array(path.dropFirst()), inValue: object[key] as Any)
    }

    private static func set(_ value: Any, at path: [Any], inValue container: Any) -> Any {
        guard let step = path.first else { return value }
        if let index = step as? Int, var array = container as? [Any], array.indices.contains(index) {
            array[index] = set(value, at: Array(path.dropFirst()), inValue: array[index])
            return array
        }
        if let key = step as? String, var object = container as? [String: Any] {
            object[key] = set(value, at: Array(path.dropFirst()), inValue: object[key] as Any)
            return object
        }
        return container
    }

    /// A valid tiny detector: input 16×16×3 → `features` 3×3 (8 channels) → `boxes` / `classes` 3×3 stride 8 → 2×2 maps
    /// with one TF anchor per location; labels background and person; weights small and deterministic.
    static func tiny() throws -> Data {
        func conv(_ name: String, _ input: String, out: Int, stride: Int) -> [String: Any] {
            [
                "name": name, "inputs": [input],
                "operation": [
                    "convolution": [
                        "_0": [
                            "weight": "\(name)/weights", "bias": "\(name)/biases", "outChannels": out, "kernelHeight": 3,
                            "kernelWidth": 3, "strideY": stride, "strideX": stride, "dilationY": 1, "dilationX": 1, "groups": 1,
                            "padding": ["top": 1, "left": 1, "bottom": 1, "right": 1],
                            "activation": name == "features" ? "relu" : "none",
                        ] as [String: Any]
                    ]
                ],
            ]
        }
        let graph: [String: Any] = [
            "inputName": "input", "inputShape": [16, 16, 3],
            "nodes": [
                conv("features", "input", out: 8, stride: 1), conv("boxes", "features", out: 4, stride: 8),
                conv("classes", "features", out: 2, stride: 8),
            ],
            "outputs": ["boxes", "classes"],
        ]
        let manifest: [String: Any] = [
            "formatVersion": 1, "architecture": "tiny", "source": "HostileModelTests",
            "preprocessing": [
                "inputWidth": 16, "inputHeight": 16, "resize": "tensorFlowLegacyBilinear", "scale": [0.0078431, 0.0078431, 0.0078431],
                "offset": [-1, -1, -1], "normalizeBeforeResize": false,
            ] as [String: Any],
            "anchors": [
                "tensorFlowMultipleGrid": [
                    "_0": [
                        "minScale": 0.2, "maxScale": 0.95, "aspectRatios": [1], "reduceBoxesInLowestLayer": false,
                        "interpolatedScaleAspectRatio": 0, "featureMapSizes": [[2, 2]],
                    ] as [String: Any]
                ]
            ],
            "boxCoding": ["order": "yx", "weights": [10, 10, 5, 5]] as [String: Any],
            "scoring": "sigmoid",
            "postprocessing": [
                "scoreThreshold": 0.01, "iouThreshold": 0.6, "maxPerClass": 100, "maxDetections": 100,
                "clipping": "suppressThenClip",
            ] as [String: Any],
            "labels": ["background", "person"],
            "heads": [["boxes": "boxes", "classes": "classes"]],
        ]
        let tensors: [(String, [Int])] = [
            ("features/weights", [8, 3, 3, 3]), ("features/biases", [8]), ("boxes/weights", [4, 8, 3, 3]), ("boxes/biases", [4]),
            ("classes/weights", [2, 8, 3, 3]), ("classes/biases", [2]),
        ]
        var header: [String: Any] = [
            "__metadata__": [
                "ssdd.format": "1",
                "ssdd.graph": String(decoding: try JSONSerialization.data(withJSONObject: graph), as: UTF8.self),
                "ssdd.manifest": String(decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self),
            ]
        ]
        var body = Data()
        var generator = SplitMix64(seed: 11)
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [body.count, body.count + 4 * count]] as [String: Any]
            for _ in 0..<count {
                let value = Float(generator.next() % 2001) / 10_000 - 0.1
                withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) }
            }
        }
        return try assemble(header: header, body: body)
    }
}
