// swift-tools-version: 6.1
import PackageDescription

// SpotterKernelsAVX2 is built for x86-64-v3 (haswell: AVX2 + FMA). `-target-cpu haswell` names an x86 CPU and breaks
// the build on arm64 (Linux or macOS), so elsewhere the module is built without these flags: its code is generic SIMD
// Swift, and the run-time check (spc_cpu_has_avx2_fma) returns 0 off x86-64, so it is never called there. The
// manifest is compiled for the host, so this follows the host's architecture, not a cross-compilation target's.
#if arch(x86_64)
let avx2Flags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell", "-Xfrontend", "-disable-cmo"])]
#else
let avx2Flags: [SwiftSetting] = []
#endif

let package = Package(
    name: "Spotter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spotter", targets: ["spotter"]),
        .library(name: "SpotterImaging", targets: ["SpotterImaging"]),
        .library(name: "SpotterDetection", targets: ["SpotterDetection"]),
        .library(name: "SpotterEval", targets: ["SpotterEval"]),
        .library(name: "SpotterGeo", targets: ["SpotterGeo"]),
        .library(name: "SpotterStore", targets: ["SpotterStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.9.0"),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        // The C bridge: every libjpeg/libpng call, behind setjmp.
        .target(name: "CCodecs", dependencies: ["CLibJPEG", "CLibPNG"]),
        // Pixel buffers, decoders (full, scaled, bands, crops), encoders, header checks.
        .target(name: "SpotterImaging", dependencies: ["CCodecs"]),
        // Kernels, detectors, blobs, ranking, the per-frame scanner and the batch driver.
        .target(name: "SpotterDetection", dependencies: ["SpotterImaging", "CCodecs", "SpotterKernelsAVX2"]),
        // Kernels for x86-64-v3 (haswell: AVX2 + FMA): the patch CNN's, and the RX score and contrast binning loops
        // (same bits as their baseline builds), called only after a run-time CPU check. No cross-module
        // optimisation, so none of this code is inlined into or shared with the baseline modules.
        .target(name: "SpotterKernelsAVX2", swiftSettings: avx2Flags),
        // Labelled datasets (labels.json) and the evaluation protocol: matching, recall at FPPI, AP, F1, frame AP.
        .target(name: "SpotterEval"),
        // Camera model and database, pixel → ground on the sea-surface plane, exports (GeoJSON, KML, CoT, CSV), report.
        .target(name: "SpotterGeo", dependencies: ["SpotterImaging"]),
        // The mission store and dispatch log: one protocol, SQLite (GRDB) and PostgreSQL (postgres-nio) behind it.
        .target(
            name: "SpotterStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The command-line tool: parses, calls the libraries, formats.
        .executableTarget(
            name: "spotter",
            dependencies: [
                "SpotterImaging", "SpotterDetection", "SpotterEval", "SpotterGeo", "SpotterStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Test-only helpers: dataset paths, seeded random data, synthetic frames, the corrupt-file corpus.
        .target(name: "_SpotterTestSupport", dependencies: ["SpotterImaging"], path: "Tests/_SpotterTestSupport"),
        .testTarget(
            name: "SpotterImagingTests", dependencies: ["SpotterImaging", "_SpotterTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "SpotterDetectionTests",
            dependencies: [
                "SpotterDetection", "SpotterImaging", "_SpotterTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(name: "SpotterEvalTests", dependencies: ["SpotterEval", "_SpotterTestSupport"]),
        .testTarget(
            name: "SpotterGeoTests", dependencies: ["SpotterGeo", "SpotterImaging", "_SpotterTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "SpotterCLITests", dependencies: ["spotter", "SpotterStore", "_SpotterTestSupport"]),
        .testTarget(name: "SpotterStoreTests", dependencies: ["SpotterStore", "_SpotterTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
