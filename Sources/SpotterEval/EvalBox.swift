/// An axis-aligned box in frame pixels, `[x_min, y_min, width, height]` as in `labels.json`; fractional values are
/// allowed (TinyPerson boxes are).
public struct EvalBox: Sendable, Equatable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `[x, y, width, height]` without labels, for tables of boxes.
    public init(_ x: Double, _ y: Double, _ width: Double, _ height: Double) {
        self.init(x: x, y: y, width: width, height: height)
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var area: Double { width * height }
    public var centreX: Double { x + width / 2 }
    public var centreY: Double { y + height / 2 }
    /// The longer of width and height.
    public var longerSide: Double { max(width, height) }

    /// The box grown by `margin` on every side (shrunk when `margin` is negative).
    public func grown(by margin: Double) -> EvalBox {
        EvalBox(x: x - margin, y: y - margin, width: width + 2 * margin, height: height + 2 * margin)
    }

    /// True when the point lies inside the box or on its edge.
    public func contains(x px: Double, y py: Double) -> Bool {
        px >= x && px <= maxX && py >= y && py <= maxY
    }

    /// True when `other`'s centre lies inside this box or on its edge.
    public func containsCentre(of other: EvalBox) -> Bool {
        contains(x: other.centreX, y: other.centreY)
    }

    /// Area of the overlap (0 when the boxes do not overlap).
    public func intersectionArea(_ other: EvalBox) -> Double {
        let ix = min(maxX, other.maxX) - max(x, other.x)
        let iy = min(maxY, other.maxY) - max(y, other.y)
        return ix > 0 && iy > 0 ? ix * iy : 0
    }

    /// Intersection over union (0 when the union is empty).
    public func iou(_ other: EvalBox) -> Double {
        let inter = intersectionArea(other)
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    /// Squared distance between the two centres.
    public func centreDistanceSquared(to other: EvalBox) -> Double {
        let dx = centreX - other.centreX, dy = centreY - other.centreY
        return dx * dx + dy * dy
    }
}
