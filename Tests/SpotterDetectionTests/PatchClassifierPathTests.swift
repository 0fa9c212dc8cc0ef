import Foundation
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// Each batched path of the patch CNN (SSE2, and AVX2 when this CPU has it) against the scalar reference, whichever
/// path `logits(_:reference:)` would pick here.
@Suite struct PatchClassifierPathTests {
    /// The SIMD paths this CPU runs.
    static let paths: [PatchCNNPlan.Path] = PatchCNNPlan.cpuHasAVX2 ? [.sse2, .avx2] : [.sse2]

    /// Every shape, batch sizes around both lane widths (4 and 8), within 1e-4 of the reference.
    @Test(arguments: PatchClassifierShapeTests.shapes.indices, paths)
    func pathMatchesTheReference(shape index: Int, path: PatchCNNPlan.Path) throws {
        let shape = PatchClassifierShapeTests.shapes[index]
        try TemporaryDirectory.with { dir in
            let model = try PatchClassifier(
                path: try PatchClassifierShapeTests.write(shape, in: dir, seed: UInt64(index) + 1),
                sha256: PatchClassifierTests.sha256)
            for count in [1, 7, 8, 9, 17] {
                let patches = PatchClassifierShapeTests.patches(
                    count, side: shape.patchSide, channels: shape.channels, seed: UInt64(100 * index + count))
                let fast = model.logits(patches, path: path)
                #expect(fast.count == count)
                for i in 0..<count {
                    let reference = model.logitReference(patches[i])
                    #expect(abs(fast[i] - reference) <= 1e-4 * max(1, abs(reference)), "\(path), \(shape), \(count) patches, patch \(i): \(fast[i]) vs \(reference)")
                }
            }
            #expect(model.logits([], path: path).isEmpty)
        }
    }

    /// Each path gives PyTorch's logits on the patches saved at training time.
    @Test(arguments: paths)
    func pathMatchesPyTorch(path: PatchCNNPlan.Path) throws {
        let (model, fixture) = try PatchClassifierTests.load()
        let batch = model.logits(fixture.patches_u8, path: path)
        for i in fixture.patches_u8.indices {
            #expect(abs(batch[i] - fixture.logits[i]) <= 1e-4 * max(1, abs(fixture.logits[i])), "\(path), patch \(i)")
        }
    }

    /// The run-time check agrees with the kernel's view of the CPU (Linux: /proc/cpuinfo lists avx2 and fma), and the
    /// default path is AVX2 only when the CPU has it.
    @Test func cpuCheckAgreesWithTheKernel() throws {
        if PatchCNNPlan.fastestPath == .avx2 { #expect(PatchCNNPlan.cpuHasAVX2) }
        #if os(Linux) && arch(x86_64)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        #expect(PatchCNNPlan.cpuHasAVX2 == (flags.contains("avx2") && flags.contains("fma")))
        #endif
    }
}
