/// XMP: RDF/XML in which cameras write simple properties either as attributes of `rdf:Description`
/// (`drone-dji:GimbalYawDegree="-106.60"`) or as elements (`<drone-dji:GimbalYawDegree>-106.60</…>`).
///
/// A small scanner, not a validating XML parser: it collects `prefix:name` → value pairs from attributes and from
/// elements whose content is plain text, resolves prefixes through the `xmlns:` declarations, and keeps the
/// namespaces it knows. Values are decoded from XML entities. Nested structures (`rdf:Seq`) are skipped.
enum XMPParser {
    /// A property: namespace URI, local name, value.
    struct Property: Equatable {
        var namespace: String
        var name: String
        var value: String
    }

    static func parse(_ xml: UnsafeRawBufferPointer, into meta: inout FrameMetadata) {
        for p in properties(xml) { apply(p, to: &meta) }
    }

    static let djiNamespaces: Set<String> = [
        "http://www.dji.com/drone-dji/1.0/", "http://www.dji.com", "http://www.dji.com/", "http://www.dji.com/FLIR/1.0/",
    ]
    static let parrotNamespace = "http://www.parrot.com/drone-parrot/1.0/"
    static let tiffNamespace = "http://ns.adobe.com/tiff/1.0/"
    static let xmpNamespace = "http://ns.adobe.com/xap/1.0/"

    static func apply(_ p: Property, to meta: inout FrameMetadata) {
        let number = { () -> Double? in
            guard let v = Double(p.value.trimmed), v.isFinite else { return nil }
            return v
        }
        if djiNamespaces.contains(p.namespace) {
            let vendor = p.namespace.hasSuffix("/drone-dji/1.0/") ? "drone-dji" : "dji"
            switch p.name {
            case "AbsoluteAltitude": meta.absoluteAltitude = number()
            case "RelativeAltitude": meta.relativeAltitude = number()
            case "GimbalYawDegree": meta.gimbalYaw = number(); meta.attitudeVendor = vendor
            case "GimbalPitchDegree": meta.gimbalPitch = number(); meta.attitudeVendor = vendor
            case "GimbalRollDegree": meta.gimbalRoll = number(); meta.attitudeVendor = vendor
            case "FlightYawDegree": meta.flightYaw = number()
            case "FlightPitchDegree": meta.flightPitch = number()
            case "FlightRollDegree": meta.flightRoll = number()
            case "CalibratedFocalLength": meta.calibratedFocalLength = number()
            case "CalibratedOpticalCenterX": meta.calibratedOpticalCenterX = number()
            case "CalibratedOpticalCenterY": meta.calibratedOpticalCenterY = number()
            case "DewarpData": meta.dewarpData = p.value.trimmed
            case "RtkFlag": meta.rtkFlag = number().map { Int($0) }
            case "LRFTargetDistance": meta.lrfTargetDistance = number()
            case "LRFTargetLat": meta.lrfTargetLatitude = number()
            case "LRFTargetLon": meta.lrfTargetLongitude = number()
            case "LRFTargetAlt": meta.lrfTargetAltitude = number()
            case "LRFTargetAbsAlt": meta.lrfTargetAbsoluteAltitude = number()
            case "ImageSource": meta.imageSource = p.value.trimmed
            case "DroneModel": meta.droneModel = p.value.trimmed
            case "CamReverse": meta.camReverse = number().map { Int($0) }
            case "GimbalReverse": meta.gimbalReverse = number().map { Int($0) }
            case "GpsLatitude": if meta.latitude == nil { meta.latitude = number() }
            case "GpsLongitude", "GpsLongtitude": if meta.longitude == nil { meta.longitude = number() }
            default: break
            }
        } else if p.namespace == parrotNamespace {
            // Parrot ANAFI writes the camera attitude like DJI's gimbal (pitch -90 = nadir).
            switch p.name {
            case "CameraYawDegree": meta.gimbalYaw = number(); meta.attitudeVendor = "drone-parrot"
            case "CameraPitchDegree": meta.gimbalPitch = number(); meta.attitudeVendor = "drone-parrot"
            case "CameraRollDegree": meta.gimbalRoll = number(); meta.attitudeVendor = "drone-parrot"
            case "FlightYawDegree": meta.flightYaw = number()
            case "FlightPitchDegree": meta.flightPitch = number()
            case "FlightRollDegree": meta.flightRoll = number()
            default: break
            }
        } else if p.namespace == tiffNamespace {
            if p.name == "Make", meta.make == nil { meta.make = p.value.trimmed }
            if p.name == "Model", meta.model == nil { meta.model = p.value.trimmed }
        } else if p.namespace == xmpNamespace, p.name == "CreatorTool" {
            meta.creatorTool = p.value.trimmed
        }
    }

    /// Every simple property in `xml`, in document order.
    ///
    /// - Complexity: O(n) in the XMP size; allocates the returned strings.
    static func properties(_ xml: UnsafeRawBufferPointer) -> [Property] {
        var prefixes: [String: String] = [:]
        var raw: [(qname: String, value: String)] = []
        let n = xml.count
        var i = 0
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        func text(_ a: Int, _ b: Int) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: xml[a..<b]), as: UTF8.self) }
        func find(_ c: UInt8, from: Int) -> Int? {
            var j = from
            while j < n { if xml[j] == c { return j }; j += 1 }
            return nil
        }
        while i < n {
            guard xml[i] == UInt8(ascii: "<") else { i += 1; continue }
            guard i + 1 < n else { break }
            let next = xml[i + 1]
            if next == UInt8(ascii: "!") {
                // Comment or CDATA: skip to the closing "-->" or "]]>", else to '>'.
                if i + 3 < n, xml[i + 2] == UInt8(ascii: "-"), xml[i + 3] == UInt8(ascii: "-") {
                    var j = i + 4
                    while j + 2 < n && !(xml[j] == UInt8(ascii: "-") && xml[j + 1] == UInt8(ascii: "-") && xml[j + 2] == UInt8(ascii: ">")) { j += 1 }
                    i = j + 3
                } else {
                    i = (find(UInt8(ascii: ">"), from: i + 2) ?? n) + 1
                }
                continue
            }
            if next == UInt8(ascii: "?") || next == UInt8(ascii: "/") {
                i = (find(UInt8(ascii: ">"), from: i + 2) ?? n) + 1
                continue
            }
            // Start tag: name, attributes, then '>' or '/>'.
            var j = i + 1
            while j < n && !isSpace(xml[j]) && xml[j] != UInt8(ascii: ">") && xml[j] != UInt8(ascii: "/") { j += 1 }
            let tagName = text(i + 1, j)
            var selfClosing = false
            while j < n {
                while j < n && isSpace(xml[j]) { j += 1 }
                guard j < n else { break }
                if xml[j] == UInt8(ascii: ">") { j += 1; break }
                if xml[j] == UInt8(ascii: "/") { selfClosing = true; j += 1; continue }
                let nameStart = j
                while j < n && xml[j] != UInt8(ascii: "=") && !isSpace(xml[j]) && xml[j] != UInt8(ascii: ">") { j += 1 }
                let attrName = text(nameStart, j)
                while j < n && isSpace(xml[j]) { j += 1 }
                guard j < n, xml[j] == UInt8(ascii: "=") else { continue }
                j += 1
                while j < n && isSpace(xml[j]) { j += 1 }
                guard j < n, xml[j] == UInt8(ascii: "\"") || xml[j] == UInt8(ascii: "'") else { continue }
                let quote = xml[j]
                let valueStart = j + 1
                guard let valueEnd = find(quote, from: valueStart) else { j = n; break }
                let value = decodeEntities(text(valueStart, valueEnd))
                j = valueEnd + 1
                if attrName.hasPrefix("xmlns:") {
                    prefixes[String(attrName.dropFirst(6))] = value
                } else {
                    raw.append((attrName, value))
                }
            }
            i = j
            if selfClosing || !tagName.contains(":") { continue }
            // Simple element: text up to the next '<', which must close this element.
            guard let lt = find(UInt8(ascii: "<"), from: i) else { break }
            let content = text(i, lt)
            let closing = "</" + tagName + ">"
            let closingBytes = Array(closing.utf8)
            if lt + closingBytes.count <= n, (0..<closingBytes.count).allSatisfy({ xml[lt + $0] == closingBytes[$0] }) {
                let value = decodeEntities(content).trimmed
                if !value.isEmpty { raw.append((tagName, value)) }
                i = lt + closingBytes.count
            }
        }
        return raw.compactMap { item in
            guard let colon = item.qname.firstIndex(of: ":") else { return nil }
            let prefix = String(item.qname[..<colon])
            let local = String(item.qname[item.qname.index(after: colon)...])
            guard let ns = prefixes[prefix] else { return nil }
            return Property(namespace: ns, name: local, value: item.value)
        }
    }

    /// Replaces the five predefined XML entities and numeric character references.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: UInt32?
                if entity.hasPrefix("#x") { scalar = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst(1)) }
                if let v = scalar, let u = Unicode.Scalar(v) { out.unicodeScalars.append(u) } else { out += "&" + entity + ";" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        out += rest
        return out
    }
}
