// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Temper",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "temper", targets: ["temper"]),
        .library(name: "TemperFormats", targets: ["TemperFormats"]),
        .library(name: "TemperIntegrity", targets: ["TemperIntegrity"]),
        .library(name: "TemperTensor", targets: ["TemperTensor"]),
        .library(name: "TemperText", targets: ["TemperText"]),
        .library(name: "TemperModels", targets: ["TemperModels"]),
        .library(name: "TemperHarden", targets: ["TemperHarden"]),
        .library(name: "TemperAudit", targets: ["TemperAudit"]),
        .library(name: "TemperWorld", targets: ["TemperWorld"]),
        .library(name: "TemperReward", targets: ["TemperReward"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System-library shims (pkg-config names from the Debian -dev packages).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        // SIMD kernels (AVX2/F16C/FMA, AVX-VNNI; chosen at run time) with portable paths giving the same bits.
        .target(name: "CTemperKernels", exclude: ["q8_0_gemm256.inc"]),  // included by q8_0_gemm.c per instruction set
        .target(name: "TemperFormats", dependencies: ["CZstd", "CTemperKernels", "CCrypto", "TemperText"]),
        .target(name: "TemperIntegrity", dependencies: ["TemperFormats", "CCrypto"]),
        // The spinning worker pool under TemperTensor's parallel loops (Dispatch wakes too slowly).
        .target(name: "CWorkerPool"),
        .target(name: "TemperTensor", dependencies: ["CBLAS", "CTemperKernels", "CWorkerPool"]),
        .target(name: "TemperText"),
        .target(name: "TemperModels", dependencies: ["TemperTensor", "TemperFormats", "TemperText", "CTemperKernels"]),
        // Transforms, the fine-tuning attack, data sources and judges: no fixture-world code.
        .target(name: "TemperHarden", dependencies: ["TemperModels", "TemperTensor", "TemperText", "TemperIntegrity", "TemperFormats"]),
        // The fixture world: one data source and judge among others, plus its generator.
        .target(name: "TemperWorld", dependencies: ["TemperText", "TemperModels", "TemperTensor", "TemperFormats", "TemperHarden"]),
        // Audits: immunization conditions and the per-layer depth audit, JSON + HTML/SVG reports.
        .target(name: "TemperAudit", dependencies: [
            "TemperModels", "TemperHarden", "TemperTensor", "TemperFormats", "TemperText", "TemperIntegrity",
        ]),
        // Reward-model audit: gridworld, learned reward artifact, counterfactual trajectory explanations.
        .target(name: "TemperReward", dependencies: ["TemperTensor", "TemperFormats", "TemperIntegrity", "TemperText"]),
        // Subcommands live in a library so tests can reach them; `temper` only calls main.
        .target(name: "TemperCLI", dependencies: [
            "TemperFormats", "TemperIntegrity", "TemperTensor", "TemperText", "TemperModels", "TemperWorld", "TemperHarden", "TemperAudit", "TemperReward",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "temper", dependencies: ["TemperCLI"]),
        // `make bench`: Temper's side of each benchmark; the peers are Python scripts beside it.
        .executableTarget(name: "TemperBench", dependencies: ["TemperFormats", "TemperIntegrity", "TemperTensor"],
                          path: "Benchmarks/TemperBench"),

        // `make fuzz`: every parser of untrusted bytes as a libFuzzer target (Fixtures/fuzz/run.sh).
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "TemperFuzz", dependencies: ["CFuzzDriver", "TemperFormats", "TemperIntegrity", "TemperText", "TemperModels"]),

        .testTarget(name: "TemperFormatsTests", dependencies: ["TemperFormats", "TemperText"]),
        .testTarget(name: "TemperIntegrityTests", dependencies: ["TemperIntegrity"]),
        .testTarget(name: "TemperTensorTests", dependencies: ["TemperTensor"]),
        .testTarget(name: "TemperTextTests", dependencies: ["TemperText"]),
        .testTarget(name: "TemperModelsTests", dependencies: ["TemperModels"]),
        .testTarget(name: "TemperWorldTests", dependencies: ["TemperWorld", "TemperText", "TemperModels", "TemperHarden"]),
        .testTarget(name: "TemperHardenTests", dependencies: ["TemperHarden", "TemperWorld"]),
        .testTarget(name: "TemperAuditTests", dependencies: [
            "TemperAudit", "TemperHarden", "TemperWorld", "TemperModels", "TemperText", "TemperIntegrity",
        ]),
        .testTarget(name: "TemperRewardTests", dependencies: ["TemperReward", "TemperFormats"]),
        .testTarget(name: "TemperCLITests", dependencies: ["TemperCLI", "temper"]),
    ],
    swiftLanguageModes: [.v6]
)
