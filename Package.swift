// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Syft",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Syft", targets: ["Syft"]),
        .executable(name: "syft", targets: ["syft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // MARK: - The C boundary
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),

        // Vectorized exp, log, tanh and sigmoid in C: one binary runs AVX-512, AVX2+FMA or baseline code,
        // chosen at run time (Swift cannot compile a function for several CPU levels without unsafe
        // flags, which would make the package unusable as a dependency). Only Kernels/VectorMath.swift
        // imports it.
        .target(name: "CSyftMath"),

        // MARK: - Library layers (DESIGN.md)
        .target(name: "SyftCore", dependencies: ["COpenBLAS", "CSyftMath"]),
        .target(name: "SyftNN", dependencies: ["SyftCore"]),
        .target(
            name: "SyftRemote",
            dependencies: ["SyftCore", "SyftNN", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "Syft", dependencies: ["SyftCore", "SyftNN", "SyftRemote"]),
        // The jobs of the command line (train, grad, eval, bench), kept out of the executable so tests reach them.
        .target(name: "SyftJobs", dependencies: ["SyftCore", "SyftNN", "SyftRemote"]),

        // MARK: - Command line and benchmarks
        .executableTarget(
            name: "syft",
            dependencies: ["Syft", "SyftJobs", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "syft-bench", dependencies: ["Syft", "COpenBLAS"], path: "Benchmarks/Sources"),

        // MARK: - Tests
        .target(name: "_TestSupport", dependencies: ["SyftCore"], path: "Tests/_TestSupport"),
        .testTarget(name: "SyftCoreTests", dependencies: ["SyftCore", "_TestSupport"]),
        .testTarget(name: "CSyftMathTests", dependencies: ["CSyftMath"]),
        .testTarget(name: "SyftRemoteTests", dependencies: ["SyftRemote", "SyftNN", "SyftCore", "_TestSupport"]),
        .testTarget(name: "SyftJobsTests", dependencies: ["SyftJobs", "SyftRemote", "SyftNN", "SyftCore", "_TestSupport"]),
        .testTarget(
            name: "SyftNNTests", dependencies: ["SyftNN", "SyftCore", "_TestSupport"],
            resources: [.copy("Resources")]),
    ],
    swiftLanguageModes: [.v6]
)
