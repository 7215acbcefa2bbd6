// swift-tools-version:6.0
import PackageDescription

/// ssdd: a single-shot detection daemon. Module map (dependencies point one way; each C library wrapped once):
///   Geometry (the one `Box`) → Imaging (RGBImage, exact resizers, preprocessing into tensors, drawing; plain Swift)
///   CFFmpeg (C) + Imaging → MediaIO (demux, decode, probe, still images, the fixture writer)
///   CBLAS (C) + TensorKernelsAVX512 → TensorEngine → NeuralNet → ModelStore → ModelImport (protobuf, zip, Digests)
///   NeuralNet + ModelStore + Imaging + Geometry → Detection;  Geometry → Tracking, Evaluation
///   CLibCrypto (C: OpenSSL's libcrypto) → Digests (SHA-256 of imported files)
///   Geometry + SwiftNIO → Sinks (records, encoder, output queues, file and socket outputs)
///   Geometry + Sinks → Events (zones, lines, loitering: tracked frames to event records; pure)
///   CRdKafka (C) + Sinks → Kafka (the Kafka output)
///   CMosquitto (C) + Sinks → MQTT (the MQTT output: libmosquitto client, Frigate events, Home Assistant discovery)
///   Detection + Evaluation + Imaging → Training
///   Sinks + SwiftNIO (HTTP/1, WebSocket) → WebAPI (the HTTP API, the live page, the WebSocket feed)
///   MediaIO + Detection + Tracking + Sinks + Events + Kafka + MQTT + WebAPI + ServiceLifecycle + swift-metrics/Prometheus + TOMLKit → Pipeline
///   all of them → ssdd (the command line). Neither Detection nor Training links FFmpeg.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
/// Release builds of the compute modules target Haswell (AVX2 + FMA; every Intel since 2013 and every AMD Zen; the
/// importer rejects the name `x86-64-v3`), and the engine's vector kernels use 8-wide FMA vectors (`SSDD_AVX2`, set in
/// every configuration so debug tests run the same code paths). The GEMM inner kernel is also built for AVX-512 in its
/// own module (`TensorKernelsAVX512`) and chosen at run time, so the default binary uses zmm registers where the CPU has
/// them and still runs on AVX2-only CPUs. `SSDD_PORTABLE=1 swift build …` keeps baseline x86-64; `SSDD_AVX512=1` makes
/// every engine kernel 16-wide for Zen 4 and later (it dies with SIGILL on CPUs without AVX-512).
///
/// Checked and unchecked code: every module whose code sees values from files, streams, sockets or configuration
/// (MediaIO, NeuralNet, Detection, Tracking, Training, and all the others) is built with `-O`, so an overflow or an
/// index out of range that validation missed stops the process with a trap instead of corrupting memory. Only the
/// engine's kernels are built with `-Ounchecked`: TensorEngine and TensorKernelsAVX512 receive nothing but shapes
/// that `ConvolutionGeometry`/`PoolingGeometry` validated (checked arithmetic, bounded sizes) when a network was
/// compiled, and tensors allocated from those shapes, so their indices are derived from validated values only.
/// `SSDD_CHECKED_KERNELS=1 swift build -c release` builds the kernels checked too (to measure the cost:
/// `ssdd bench`; see the README).
let portable = Context.environment["SSDD_PORTABLE"] == "1"
let avx512 = !portable && Context.environment["SSDD_AVX512"] == "1"
let checkedKernels = Context.environment["SSDD_CHECKED_KERNELS"] == "1"
/// Measurement only: `SSDD_UNCHECKED_MODULES=1` restores the former `-Ounchecked` for MediaIO, NeuralNet, Detection,
/// Tracking and Training, to compare against.
let uncheckedModules = Context.environment["SSDD_UNCHECKED_MODULES"] == "1"
let cpuFlags = portable ? [] : ["-target-cpu", avx512 ? "znver4" : "haswell"]
let vectorWidth: [SwiftSetting] = portable ? [] : [.define(avx512 ? "SSDD_AVX512" : "SSDD_AVX2")]
/// Modules that see outside values: checked optimisation.
let optimized: [SwiftSetting] =
    strictSettings
    + [.unsafeFlags([uncheckedModules ? "-Ounchecked" : "-O", "-wmo"] + cpuFlags, .when(configuration: .release))]
    + vectorWidth
/// The engine's kernels (indices from validated shapes only): unchecked optimisation. Debug builds (the unit tests)
/// compile them optimised and checked for the same CPU: `SSDD_AVX2` is defined in every configuration, and without the
/// Haswell target each lane of `addingProduct` became a libm `fmaf` call: on an AVX2-only Zen 1 (where the engine's own
/// kernels run instead of `TensorKernelsAVX512`) the debug unit run took 1873 s, with this 374 s. They are compiled as one
/// module in debug builds too (`-wmo`; `-num-threads` keeps one object per file, which SwiftPM's index-while-building
/// needs): compiled file by file, the kernels called `VectorPointwise.madd`, `load` and `store` out of line (they are in
/// another file), 45 % of the Caffe parity test's samples (76.6 s → 20.9 s with the caffemodel decoded in one copy too).
let debugWholeModule = ["-O", "-wmo", "-num-threads", "2"]
let kernels: [SwiftSetting] =
    strictSettings
    + [.unsafeFlags([checkedKernels ? "-O" : "-Ounchecked", "-wmo"] + cpuFlags, .when(configuration: .release))]
    + [.unsafeFlags(debugWholeModule + cpuFlags, .when(configuration: .debug))]
    + vectorWidth

/// Test code is compiled without optimisation in every configuration: `make test` builds in release (with `-enable-testing`)
/// so the code under test is the optimised code that ships, while the 22,000 lines of tests themselves compile in about 180 s
/// instead of about 520 s with `-O` (2-vCPU Zen 1); the unit run took 52 s instead of 37-43 s.
let testCode: [SwiftSetting] = [.unsafeFlags(["-Onone"], .when(configuration: .release))]

let package = Package(
    name: "ssdd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ssdd", targets: ["ssdd"]),
        // For tools/benchmarks (the kernel benchmarks, a package of their own that depends on this one by path).
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev", "libavdevice-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "Digests", dependencies: ["CLibCrypto"], swiftSettings: strictSettings),
        .target(name: "Geometry", swiftSettings: optimized),
        .target(name: "Imaging", dependencies: ["Geometry", "PixelKernels"], swiftSettings: optimized),
        .target(name: "MediaIO", dependencies: ["CFFmpeg", "Imaging", "PixelKernels"], swiftSettings: optimized),
        .target(name: "PixelKernels", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        .target(name: "TensorEngine", dependencies: ["CBLAS", "TensorKernelsAVX512", "TensorKernelsX86"], swiftSettings: kernels),
        // Compiled for AVX-512 in every configuration; TensorEngine calls it only on CPUs that have AVX-512.
        .target(
            name: "TensorKernelsAVX512",
            // For the clamp of `ssdd_clamp16` (a C vector select; see `GEMMPanelAVX512.clamp`).
            dependencies: ["TensorKernelsX86"],
            swiftSettings: strictSettings + [
                .unsafeFlags(["-target-cpu", "skylake-avx512"]),
                .unsafeFlags([checkedKernels ? "-O" : "-Ounchecked", "-wmo"], .when(configuration: .release)),
                // Optimised (and checked) in debug builds too: two small files whose unoptimised tiles made the debug
                // test run spend most of its time in them (the VGG parity tests: 76 % of their samples).
                .unsafeFlags(debugWholeModule, .when(configuration: .debug)),
            ]),
        // Reduced-precision tiles (BF16, INT8) in C with intrinsics; each kernel function carries its own `target`
        // attribute (AVX2, AVX-512 VNNI, AVX-512 BF16), so the references and packing stay baseline x86-64 and
        // TensorEngine calls a kernel only after `ssdd_x86_cpu_features` reports its instructions.
        .target(name: "TensorKernelsX86", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        .target(name: "NeuralNet", dependencies: ["TensorEngine"], swiftSettings: optimized),
        .target(name: "ModelStore", dependencies: ["NeuralNet", "TensorEngine"], swiftSettings: strictSettings),
        .target(
            name: "ModelImport",
            dependencies: [
                "ModelStore", "NeuralNet",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                "Digests",
            ],
            swiftSettings: strictSettings),
        .target(name: "Detection", dependencies: ["NeuralNet", "ModelStore", "TensorEngine", "Imaging", "Geometry"], swiftSettings: optimized),
        .executableTarget(
            name: "ssdd",
            dependencies: [
                "MediaIO", "Detection", "ModelStore", "ModelImport", "NeuralNet", "TensorEngine", "Pipeline", "Sinks",
                "Training", "Evaluation", "Imaging", "Geometry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(name: "Tracking", dependencies: ["Geometry"], swiftSettings: optimized),
        .target(
            name: "Sinks",
            dependencies: [
                "Geometry",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(name: "Events", dependencies: ["Geometry", "Sinks"], swiftSettings: strictSettings),
        // The Kafka output: librdkafka's producer behind a `Sink` (CRdKafka is imported by this module only).
        .target(
            name: "Kafka",
            dependencies: ["CRdKafka", "Sinks", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .target(
            name: "MQTT",
            dependencies: ["CMosquitto", "Sinks", "Geometry", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        // The HTTP API, the live page and the WebSocket feed on SwiftNIO; the daemon's state comes through `APIState`.
        .target(
            name: "WebAPI",
            dependencies: [
                "Sinks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            resources: [.embedInCode("Resources/index.html"), .embedInCode("Resources/openapi.json")],
            swiftSettings: strictSettings),
        .target(
            name: "Pipeline",
            dependencies: [
                "MediaIO", "Detection", "ModelStore", "Tracking", "Sinks", "TensorEngine", "Geometry", "Imaging", "Events", "Kafka",
                "MQTT", "WebAPI",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings),
        .target(name: "Evaluation", dependencies: ["Geometry"], swiftSettings: strictSettings),
        .target(
            name: "Training",
            dependencies: ["TensorEngine", "NeuralNet", "ModelStore", "Detection", "Imaging", "Geometry", "Evaluation"],
            swiftSettings: optimized),
        .target(
            name: "TestSupport", dependencies: ["TensorEngine"], path: "Sources/TestSupport"),
        // librdkafka's in-process mock cluster and a reader for tests; never linked into the ssdd binary.
        .target(name: "KafkaTestSupport", dependencies: ["CRdKafka"], path: "Sources/KafkaTestSupport", swiftSettings: strictSettings),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "Sinks", "KafkaTestSupport"]),
        .testTarget(name: "MQTTTests", dependencies: ["MQTT", "Sinks", "Geometry", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Geometry"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "Imaging", "TestSupport", "CFFmpeg"]),
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "TestSupport", "TensorKernelsX86"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"]),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore", "NeuralNet", "TensorEngine", "TestSupport"]),
        .testTarget(
            name: "ModelImportTests", dependencies: ["ModelImport", "ModelStore", "NeuralNet", "TensorEngine", "TestSupport", "Digests"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DetectionTests",
            dependencies: [
                "Detection", "ModelStore", "ModelImport", "NeuralNet", "TensorEngine", "MediaIO", "Imaging", "Geometry", "TestSupport", "Digests",
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "Geometry"]),
        .testTarget(name: "EventsTests", dependencies: ["Events", "Sinks", "Geometry"]),
        .testTarget(name: "WebAPITests", dependencies: ["WebAPI", "Sinks", "TestSupport"]),
        .testTarget(name: "SinksTests", dependencies: ["Sinks", "Geometry", "TestSupport"]),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "Sinks", "Events", "Tracking", "MediaIO", "Imaging", "Detection", "Geometry", "TestSupport", "Kafka",
                "MQTT", "WebAPI",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Geometry", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "TrainingTests",
            dependencies: [
                "Training", "Evaluation", "TensorEngine", "NeuralNet", "ModelStore", "Detection", "MediaIO", "Imaging", "Geometry",
                "TestSupport",
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["MediaIO", "Imaging", "TestSupport", "KafkaTestSupport"]),
    ]
)

for target in package.targets where target.type == .test {
    target.swiftSettings = (target.swiftSettings ?? []) + testCode
}
