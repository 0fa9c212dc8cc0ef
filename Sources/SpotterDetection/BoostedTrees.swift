import Foundation

/// A learned re-ranker: gradient-boosted regression trees over a candidate's features, giving the probability that
/// the candidate is a person. Trained in `tools/` (scikit-learn), stored as JSON in `Models/`, evaluated here.
///
/// File format (`"format": "spotter-gbt-1"`): `features` (names, in order), `initial` (raw log-odds before any tree),
/// and `trees`, each with parallel arrays `feature`, `threshold`, `left`, `right`, `value` over its nodes (node 0 is
/// the root; a leaf has feature −1 and carries the learning rate already multiplied into `value`). A sample goes left
/// when `Double(Float(x[feature])) <= threshold`, exactly as scikit-learn compares its float32 features with its
/// float64 thresholds; probability = 1 / (1 + exp(−(initial + Σ leaf values))).
public final class BoostedTrees: Sendable {
    public let version: String
    public let profile: String
    public let features: [String]
    public let path: String
    let initial: Double
    let roots: [Int32]
    /// All trees' nodes, packed for locality. A split sends x left when `x <= threshold`; the Float threshold is the
    /// largest Float not above the file's Double threshold, so the Float comparison decides exactly as
    /// `Double(x) <= threshold` would. A leaf has `feature` −1 and its value in `value`.
    let nodes: [Node]

    struct Node {
        var feature: Int32
        var left: Int32
        var right: Int32
        var threshold: Float
        var value: Double
    }

    struct File: Decodable, Equatable {
        struct Tree: Decodable, Equatable {
            var feature: [Int]
            var threshold: [Double]
            var left: [Int]
            var right: [Int]
            var value: [Double]
        }
        var format: String
        var version: String
        var profile: String
        var features: [String]
        var initial: Double
        var trees: [Tree]
    }

    /// Why a model file could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Reads and checks a model file.
    public init(path: String) throws(LoadError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(path: path, message: "cannot read the model file")
        }
        let file: File
        if let fast = data.withUnsafeBytes({ File.readFast($0) }) {
            file = fast
        } else {
            do {
                file = try JSONDecoder().decode(File.self, from: data)
            } catch {
                throw LoadError(path: path, message: "not a spotter-gbt model (\(error))")
            }
        }
        guard file.format == "spotter-gbt-1" else {
            throw LoadError(path: path, message: "format \(file.format), expected spotter-gbt-1")
        }
        var roots: [Int32] = [], feature: [Int32] = [], threshold: [Double] = [], left: [Int32] = [], right: [Int32] = []
        var value: [Double] = []
        for (t, tree) in file.trees.enumerated() {
            let n = tree.feature.count
            guard n > 0, tree.threshold.count == n, tree.left.count == n, tree.right.count == n, tree.value.count == n else {
                throw LoadError(path: path, message: "tree \(t) has arrays of different lengths")
            }
            let base = Int32(feature.count)
            roots.append(base)
            for i in 0..<n {
                let isLeaf = tree.feature[i] < 0
                if !isLeaf {
                    guard tree.feature[i] < file.features.count, (0..<n).contains(tree.left[i]), (0..<n).contains(tree.right[i]),
                        tree.left[i] > i, tree.right[i] > i
                    else { throw LoadError(path: path, message: "tree \(t) node \(i) points outside the tree") }
                }
                feature.append(Int32(isLeaf ? -1 : tree.feature[i]))
                threshold.append(tree.threshold[i])
                left.append(isLeaf ? -1 : base + Int32(tree.left[i]))
                right.append(isLeaf ? -1 : base + Int32(tree.right[i]))
                value.append(tree.value[i])
            }
        }
        self.version = file.version
        self.profile = file.profile
        self.features = file.features
        self.path = path
        self.initial = file.initial
        self.roots = roots
        self.nodes = (0..<feature.count).map { i in
            var t = Float(threshold[i])
            if Double(t) > threshold[i] { t = t.nextDown }
            return Node(feature: feature[i], left: left[i], right: right[i], threshold: t, value: value[i])
        }
    }

    /// The raw log-odds for one feature vector.
    ///
    /// - Complexity: O(trees × depth), no allocation.
    public func logit(_ x: [Float]) -> Double {
        var sum = initial
        nodes.withUnsafeBufferPointer { n in
            x.withUnsafeBufferPointer { xs in
                for root in roots {
                    var node = Int(root)
                    while n[node].feature >= 0 {
                        node = xs[Int(n[node].feature)] <= n[node].threshold ? Int(n[node].left) : Int(n[node].right)
                    }
                    sum += n[node].value
                }
            }
        }
        return sum
    }

    /// The probabilities of many feature vectors, tree by tree (each tree's nodes stay in cache for the batch).
    ///
    /// A cascade when there are more than `keep` vectors: all go through the first `firstTrees` trees, and only the
    /// `keep` with the highest partial sums go through the rest; the others keep their partial sum (boosting puts most
    /// of the signal in the early trees, and a frame reports far fewer than `keep` detections).
    ///
    /// - Complexity: O(n × firstTrees + keep × trees) tree walks; allocates the result.
    public func probabilities(_ vectors: [[Float]], firstTrees: Int = Int.max, keep: Int = Int.max) -> [Double] {
        // One contiguous matrix, so the inner loop touches no reference counts.
        let d = features.count
        var matrix = [Float](repeating: 0, count: vectors.count * d)
        for (k, v) in vectors.enumerated() {
            precondition(v.count >= d, "feature vector \(k) has \(v.count) values, the model reads \(d)")
            for j in 0..<d { matrix[k * d + j] = v[j] }
        }
        return matrix.withUnsafeBufferPointer { probabilities(matrix: $0, count: vectors.count, firstTrees: firstTrees, keep: keep) }
    }

    /// `probabilities` over `count` vectors stored row by row (`features.count` values each) in `matrix`.
    public func probabilities(matrix: UnsafeBufferPointer<Float>, count: Int, firstTrees: Int = Int.max, keep: Int = Int.max)
        -> [Double]
    {
        let d = features.count
        var sums = [Double](repeating: initial, count: count)
        let split = count > keep ? min(firstTrees, roots.count) : roots.count
        func walk(_ trees: ArraySlice<Int32>, _ indices: [Int]) {
            nodes.withUnsafeBufferPointer { n in
                sums.withUnsafeMutableBufferPointer { s in
                    let x = matrix.baseAddress!
                    for root in trees {
                        for k in indices {
                            let xs = x + k * d
                            var node = Int(root)
                            while n[node].feature >= 0 {
                                node = xs[Int(n[node].feature)] <= n[node].threshold ? Int(n[node].left) : Int(n[node].right)
                            }
                            s[k] += n[node].value
                        }
                    }
                }
            }
        }
        walk(roots[..<split], Array(0..<count))
        if split < roots.count {
            let best = (0..<count).sorted { sums[$0] > sums[$1] || (sums[$0] == sums[$1] && $0 < $1) }.prefix(keep)
            walk(roots[split...], Array(best))
        }
        return sums.map { 1 / (1 + exp(-$0)) }
    }

    /// The probability that the candidate is a person.
    public func probability(_ x: [Float]) -> Double {
        1 / (1 + exp(-logit(x)))
    }

    /// Checks that the model reads exactly these features, in this order.
    public func check(features expected: [String]) throws(LoadError) {
        guard features == expected else {
            let missing = expected.filter { !features.contains($0) }, extra = features.filter { !expected.contains($0) }
            throw LoadError(
                path: path,
                message: "model features do not match this version's (\(missing.isEmpty ? "" : "missing \(missing) ")\(extra.isEmpty ? "" : "unknown \(extra) ")\(missing.isEmpty && extra.isEmpty ? "different order" : ""))")
        }
    }
}
