/// A named object in a frame that is not a person (HIT-UAV: Car, Bicycle, OtherVehicle).
public struct LabelledObject: Sendable, Equatable {
    public var label: String
    public var box: EvalBox

    public init(label: String, box: EvalBox) {
        self.label = label
        self.box = box
    }
}

/// One frame of a labelled dataset, as `labels.json` describes it.
public struct LabelledImage: Sendable, Equatable {
    /// Relative to the dataset folder, exactly as in `labels.json` (e.g. `images/NAME.jpg`).
    public var file: String
    /// `directory + "/" + file`.
    public var path: String
    public var width: Int
    public var height: Int
    /// `has_person` when given, else whether `persons` is non-empty.
    public var hasPerson: Bool
    public var persons: [EvalBox]
    /// Regions where an unmatched detection is not counted (DontCare areas, erased people); empty when absent.
    public var ignore: [EvalBox]
    /// Empty when absent.
    public var otherObjects: [LabelledObject]
    /// Empty when absent.
    public var meta: [String: MetaValue]

    public init(
        file: String, path: String, width: Int, height: Int, hasPerson: Bool, persons: [EvalBox],
        ignore: [EvalBox] = [], otherObjects: [LabelledObject] = [], meta: [String: MetaValue] = [:]
    ) {
        self.file = file
        self.path = path
        self.width = width
        self.height = height
        self.hasPerson = hasPerson
        self.persons = persons
        self.ignore = ignore
        self.otherObjects = otherObjects
        self.meta = meta
    }
}

/// A dataset folder: `labels.json` plus the frames it names.
public struct LabelledDataset: Sendable, Equatable {
    /// The `dataset` field of `labels.json`, or the folder's name when it has none.
    public var name: String
    /// The `bbox_format` field, when present (informational; boxes are always `[x, y, width, height]`).
    public var bboxFormat: String?
    /// The folder as given to `load`, without a trailing slash.
    public var directory: String
    /// In `labels.json` order.
    public var images: [LabelledImage]

    public init(name: String, bboxFormat: String? = nil, directory: String, images: [LabelledImage]) {
        self.name = name
        self.bboxFormat = bboxFormat
        self.directory = directory
        self.images = images
    }

    /// Total labelled persons over all images.
    public var personCount: Int { images.reduce(0) { $0 + $1.persons.count } }

    /// The images whose `meta[flag]` is the boolean `true` (a missing key, `false`, `"true"` or 1 do not count).
    public func filtered(metaFlag flag: String) -> LabelledDataset {
        var copy = self
        copy.images = images.filter { $0.meta[flag] == .bool(true) }
        return copy
    }

    /// The images whose `file` (as in `labels.json`) or `path` is in `files`, in dataset order.
    public func filtered(files: Set<String>) -> LabelledDataset {
        var copy = self
        copy.images = images.filter { files.contains($0.file) || files.contains($0.path) }
        return copy
    }
}
