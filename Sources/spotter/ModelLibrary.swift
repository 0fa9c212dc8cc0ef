import Crypto
import Foundation
import SpotterDetection

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the `Models/` folder (detector profiles and re-rankers) and configures scans from it.
enum ModelLibrary {
    /// `--models`, else `SPOTTER_MODELS`, else a `Models/` folder next to the executable or above it (the package's
    /// own when run from `.build/…`), else `./Models`.
    static func locate(_ explicit: String?) -> String? {
        func isModels(_ path: String) -> Bool {
            var st = stat()
            return stat(path + "/profiles", &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        }
        if let explicit { return explicit }
        if let env = getenv("SPOTTER_MODELS") { return String(cString: env) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            var dir = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for _ in 0..<6 {
                guard let slash = dir.lastIndex(of: "/") else { break }
                dir = String(dir[..<slash])
                if isModels(dir + "/Models") { return dir + "/Models" }
            }
        }
        return isModels("Models") ? "Models" : nil
    }

    /// The profile file name for a detector family.
    static func profileName(_ family: Profile) -> String {
        family == .thermal ? "thermal" : "rgb-coast"
    }

    /// Loads the profiles (and their re-rankers unless `rerank` is false) into `options`. Returns notes for stderr;
    /// throws when a file exists but is broken (a broken model must not be silently replaced by defaults).
    static func configure(
        _ options: inout ScanOptions, models explicit: String?, rerank: Bool, patchCNN: Bool? = nil
    ) throws -> [String] {
        guard let root = locate(explicit) else {
            return ["no Models/ folder found (set --models or SPOTTER_MODELS): built-in defaults, no re-ranker"]
        }
        var notes: [String] = []
        let families: [Profile] = options.profile == .auto ? [.rgb, .thermal] : [options.profile]
        // The parameters of both families live in one ScanOptions; each family reads only its own.
        for family in families {
            let path = root + "/profiles/" + profileName(family) + ".json"
            var st = stat()
            guard stat(path, &st) == 0 else {
                notes.append("\(path): missing, built-in defaults for \(family.rawValue)")
                continue
            }
            let profile = try DetectorProfile(path: path)
            profile.apply(to: &options)
            guard rerank else { continue }
            if let relative = profile.reranker {
                let model = try BoostedTrees(path: root + "/" + relative)
                try model.check(features: family == .thermal ? ThermalFeatures.names : ColourFeatures.names)
                if family == .thermal { options.thermalCandidates.reranker = model } else { options.rgbCandidates.reranker = model }
            }
            if let relative = profile.patchClassifier, patchCNN ?? (profile.parameters["patch_classifier.enabled"] == 1) {
                let cnn = try PatchClassifier(path: root + "/" + relative) { data in
                    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
                }
                // RGB candidates take a 3-channel model, thermal ones (8-bit frames) a single-channel one.
                let wanted = family == .thermal ? 1 : 3
                if cnn.channels != wanted {
                    notes.append("\(root)/\(relative): a \(cnn.channels)-channel patch classifier, but \(family.rawValue) candidates need \(wanted) channels; \(cnn.version) left out")
                } else if family == .thermal {
                    options.thermalCandidates.patchClassifier = cnn
                    options.thermalCandidates.patchSide = cnn.patchSide
                } else {
                    options.rgbCandidates.patchClassifier = cnn
                    options.rgbCandidates.patchSide = cnn.patchSide
                }
            }
        }
        return notes
    }
}
