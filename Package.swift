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
        // The network worker (SyftGRPC): gRPC over SwiftNIO, with TLS through swift-nio-ssl.
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `swift package generate-documentation` (the DocC catalogs); a command plugin, not linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Tests only: certificates for the TLS worker test.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
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
        .target(
            name: "SyftGRPC",
            dependencies: [
                "SyftCore", "SyftRemote",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .target(name: "Syft", dependencies: ["SyftCore", "SyftNN", "SyftRemote", "SyftGRPC"]),
        // The jobs of the command line (train, grad, eval, bench), kept out of the executable so tests reach them.
        .target(name: "SyftJobs", dependencies: ["SyftCore", "SyftNN", "SyftRemote", "SyftGRPC"]),

        // MARK: - Command line and benchmarks
        .executableTarget(
            name: "syft",
            dependencies: [
                "Syft", "SyftJobs", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "syft-bench",
            dependencies: [
                "Syft", "COpenBLAS", .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            path: "Benchmarks/Sources"),

        // MARK: - Examples (built by `make test`, so they cannot rot)
        .executableTarget(name: "example-seed", dependencies: ["Syft"], path: "Examples/Seed"),
        .executableTarget(name: "example-federated-digits", dependencies: ["Syft"], path: "Examples/FederatedDigits"),
        .executableTarget(name: "example-network-worker", dependencies: ["Syft"], path: "Examples/NetworkWorker"),
        .executableTarget(name: "example-network-client", dependencies: ["Syft"], path: "Examples/NetworkClient"),

        // MARK: - Tests
        .target(name: "_TestSupport", dependencies: ["SyftCore"], path: "Tests/_TestSupport"),
        .testTarget(name: "SyftCoreTests", dependencies: ["SyftCore", "_TestSupport"]),
        .testTarget(name: "CSyftMathTests", dependencies: ["CSyftMath"]),
        .target(
            name: "_WorkerProcessSupport", dependencies: ["SyftRemote", "SyftGRPC"], path: "Tests/_WorkerProcessSupport"),
        .testTarget(
            name: "SyftRemoteTests",
            dependencies: ["SyftRemote", "SyftNN", "SyftCore", "SyftGRPC", "_TestSupport", "_WorkerProcessSupport"]),
        .testTarget(
            name: "SyftGRPCTests",
            dependencies: [
                "SyftGRPC", "SyftRemote", "SyftNN", "SyftCore", "_TestSupport", "_WorkerProcessSupport",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "SyftJobsTests",
            dependencies: ["SyftJobs", "SyftRemote", "SyftNN", "SyftCore", "_TestSupport", "_WorkerProcessSupport"]),
        .testTarget(
            name: "SyftNNTests", dependencies: ["SyftNN", "SyftCore", "_TestSupport"],
            resources: [.copy("Resources")]),
    ],
    swiftLanguageModes: [.v6]
)
