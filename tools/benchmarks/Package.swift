// swift-tools-version:6.0
import PackageDescription

/// Kernel benchmarks for the engine with checked-in thresholds, run outside `swift test` (`make bench-kernels`).
///
/// A package of its own so the root package stays free of benchmark-only code; it depends on the root by path and uses
/// only `TensorEngine`'s public API. ordo-one/package-benchmark 1.38.1 was the first choice, but on Linux with Swift 6.3
/// it needs ordo-one/swift-runtime-interposer, which the package mirror does not have, so this is a small executable
/// with its own JSON thresholds and a check mode.
let package = Package(
    name: "ssdd-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "ssdd", path: "../..")],
    targets: [
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [.product(name: "TensorEngine", package: "ssdd")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")])
    ]
)
